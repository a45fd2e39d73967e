// Thin shim over glibc headers that Swift's Glibc module leaves out (INTEROP.md).
#ifndef CLIBC_SHIM_H
#define CLIBC_SHIM_H
// mallopt, for StudioCore's ProcessMemory.
#include <malloc.h>
#endif
