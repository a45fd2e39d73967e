// Thin shim over the TurboJPEG API, which reports errors as return codes (no longjmp).
#ifndef CTURBOJPEG_SHIM_H
#define CTURBOJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>

static inline int cturbojpeg_flag_accuratedct(void) { return TJFLAG_ACCURATEDCT; }
static inline int cturbojpeg_flag_stoponwarning(void) { return TJFLAG_STOPONWARNING; }
#endif
