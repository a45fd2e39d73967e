// Thin shim over Embree 3 (INTEROP.md item 10): constants that are macros with casts.
#ifndef CEMBREE_SHIM_H
#define CEMBREE_SHIM_H
#include <embree3/rtcore.h>

static inline unsigned int cembree_invalid_geometry_id(void) { return RTC_INVALID_GEOMETRY_ID; }
#endif
