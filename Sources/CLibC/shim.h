// Thin shim over glibc headers that Swift's Glibc module leaves out (INTEROP.md).
#ifndef CLIBC_SHIM_H
#define CLIBC_SHIM_H
// mallopt, for StudioCore's ProcessMemory.
#include <malloc.h>
// mkostemp (a GNU extension the Glibc module does not declare), for ImageIO's atomic writes: a
// temporary file opened close-on-exec, so no process spawned meanwhile inherits it.
int mkostemp(char *template_, int flags);
#endif
