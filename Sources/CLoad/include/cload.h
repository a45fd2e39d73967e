// Opening a shared library late (DESIGN-NOTES 32): what CEmbree, COneDNN and CXML share.
#ifndef CLOAD_H
#define CLOAD_H
#include <stddef.h>

/// A function to resolve: where its address goes, and its name in the library.
struct cload_symbol {
    void **slot;
    const char *name;
};

/// Opens `soname` (RTLD_NOW | RTLD_LOCAL) and resolves every symbol into its slot. Returns 0 when
/// all are there; else writes why into `failure` — naming `what` (the library as users know it)
/// or the missing symbol — and returns -1.
int cload_open(const char *soname, const char *what, const struct cload_symbol *symbols, size_t count, char *failure,
    size_t capacity);
#endif
