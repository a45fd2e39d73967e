#include "cload.h"

#include <dlfcn.h>
#include <stdio.h>

int cload_open(const char *soname, const char *what, const struct cload_symbol *symbols, size_t count, char *failure,
    size_t capacity) {
    void *library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(failure, capacity, "cannot load %s (%s); `make deps` installs it", what, dlerror());
        return -1;
    }
    for (size_t k = 0; k < count; k++) {
        *symbols[k].slot = dlsym(library, symbols[k].name);
        if (!*symbols[k].slot) {
            snprintf(failure, capacity, "%s has no %s", soname, symbols[k].name);
            return -1;
        }
    }
    return 0;
}
