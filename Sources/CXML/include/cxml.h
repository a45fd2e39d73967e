// libxml2's parser for the VOC reader, loaded on first use (DESIGN-NOTES 31, 32): only a
// command that reads VOC pays for mapping libxml2 and the ICU it links (~0.7 ms of every
// start-up otherwise). The header is opaque — documents and nodes are pointers read through the
// accessors below — so nothing that imports it needs libxml2's headers.
#ifndef CXML_H
#define CXML_H
#include <stddef.h>

/// Loads libxml2 once (thread-safe), initialises its parser and silences its printing of errors
/// to stderr. NULL when ready, else why it is not.
const char *cxml_load(void);

/// Parses a document without network access, entity substitution or CDATA nodes (CDATA reads as
/// text). NULL on failure, with libxml2's message in `message` and its line in `line` (0 if none).
void *cxml_parse(const char *buffer, int size, const char *url, char *message, size_t capacity, int *line);
void cxml_free_document(void *document);
/// Whether the document declares a DTD (a DOCTYPE).
int cxml_has_dtd(const void *document);
void *cxml_root(const void *document);

enum cxml_kind { CXML_OTHER = 0, CXML_ELEMENT = 1, CXML_TEXT = 2 };
enum cxml_kind cxml_node_kind(const void *node);
const unsigned char *cxml_node_name(const void *node);
/// A text node's bytes (NUL-terminated), NULL for others.
const unsigned char *cxml_node_text(const void *node);
void *cxml_node_children(const void *node);
void *cxml_node_next(const void *node);
long cxml_node_line(const void *node);
#endif
