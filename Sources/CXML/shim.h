// Thin shim over libxml2's parser and tree API; accessors for what Swift cannot import.
#ifndef CXML_SHIM_H
#define CXML_SHIM_H
// Debian's libxml2 is built with ICU, and its encoding.h then includes <unicode/ucnv.h>, whose
// enums clash with the ICU module Foundation carries. Nothing here touches the encoding-handler
// struct that option changes, so ICU is hidden from the headers (their layout of every struct we
// read is unaffected: they hold handlers by pointer only).
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

// xmlFree is a global function pointer (a mutable global Swift 6 refuses).
static inline void cxml_free(void *pointer) { xmlFree(pointer); }
// Silences libxml2's default printing of errors to stderr (errors are read from the context).
static inline void cxml_quiet_error(void *context, const char *message, ...) { (void)context; (void)message; }
static inline void cxml_silence(void) { xmlSetGenericErrorFunc(NULL, cxml_quiet_error); }
#endif
