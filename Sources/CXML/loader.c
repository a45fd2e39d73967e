// The libxml2 functions the VOC reader needs, resolved from libxml2.so.2 on first use.
#include "cxml.h"

// Debian's libxml2 is built with ICU, and its encoding.h then includes <unicode/ucnv.h>; nothing
// here touches the encoding-handler struct that option changes (handlers are held by pointer).
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <cload.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>

static struct {
    void (*initParser)(void);
    void (*setGenericErrorFunc)(void *, xmlGenericErrorFunc);
    xmlParserCtxtPtr (*newParserCtxt)(void);
    void (*freeParserCtxt)(xmlParserCtxtPtr);
    xmlDocPtr (*ctxtReadMemory)(xmlParserCtxtPtr, const char *, int, const char *, const char *, int);
    void (*freeDoc)(xmlDocPtr);
    xmlNodePtr (*docGetRootElement)(const xmlDoc *);
    long (*getLineNo)(const xmlNode *);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static void quiet(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

static void load(void) {
    const struct cload_symbol symbols[] = {
        {(void **)&api.initParser, "xmlInitParser"},
        {(void **)&api.setGenericErrorFunc, "xmlSetGenericErrorFunc"},
        {(void **)&api.newParserCtxt, "xmlNewParserCtxt"},
        {(void **)&api.freeParserCtxt, "xmlFreeParserCtxt"},
        {(void **)&api.ctxtReadMemory, "xmlCtxtReadMemory"},
        {(void **)&api.freeDoc, "xmlFreeDoc"},
        {(void **)&api.docGetRootElement, "xmlDocGetRootElement"},
        {(void **)&api.getLineNo, "xmlGetLineNo"},
    };
    if (cload_open("libxml2.so.2", "libxml2", symbols, sizeof symbols / sizeof symbols[0], failure, sizeof failure) != 0) return;
    api.initParser();
    api.setGenericErrorFunc(NULL, quiet);
}

const char *cxml_load(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

// Everything below runs after cxml_load() succeeded (the reader checks it first).

void *cxml_parse(const char *buffer, int size, const char *url, char *message, size_t capacity, int *line) {
    message[0] = 0;
    *line = 0;
    xmlParserCtxtPtr context = api.newParserCtxt();
    if (!context) {
        snprintf(message, capacity, "libxml2: out of memory");
        return NULL;
    }
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    xmlDocPtr document = api.ctxtReadMemory(context, buffer, size, url, NULL, options);
    if (!document) {
        if (context->lastError.message) snprintf(message, capacity, "%s", context->lastError.message);
        *line = context->lastError.line;
    }
    api.freeParserCtxt(context);
    return document;
}

void cxml_free_document(void *document) { api.freeDoc(document); }
int cxml_has_dtd(const void *document) { return ((const xmlDoc *)document)->intSubset != NULL; }
void *cxml_root(const void *document) { return api.docGetRootElement(document); }

enum cxml_kind cxml_node_kind(const void *node) {
    switch (((const xmlNode *)node)->type) {
    case XML_ELEMENT_NODE: return CXML_ELEMENT;
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE: return CXML_TEXT;
    default: return CXML_OTHER;
    }
}
const unsigned char *cxml_node_name(const void *node) { return ((const xmlNode *)node)->name; }
const unsigned char *cxml_node_text(const void *node) { return cxml_node_kind(node) == CXML_TEXT ? ((const xmlNode *)node)->content : NULL; }
void *cxml_node_children(const void *node) { return ((const xmlNode *)node)->children; }
void *cxml_node_next(const void *node) { return ((const xmlNode *)node)->next; }
long cxml_node_line(const void *node) { return api.getLineNo(node); }
