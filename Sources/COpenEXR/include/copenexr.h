// OpenEXR 3.1's C interface to its RGBA reader, loaded when an environment map is first read
// (DESIGN-NOTES 32, 33). The library catches its own exceptions and reports them as messages.
#ifndef COPENEXR_H
#define COPENEXR_H
#include <stddef.h>

/// Opens the file and reads its header: the data window's size, or NULL with OpenEXR's message
/// (or why the library could not be loaded) in `message`.
void *copenexr_open(const char *path, int *width, int *height, char *message, size_t capacity);
/// Reads every pixel as linear RGB floats into `rgb` (width × height × 3), a band of rows at a
/// time (luminance-only and chroma files come out as RGB); 0 on success, else -1 with the message.
int copenexr_read(void *file, float *rgb, char *message, size_t capacity);
void copenexr_close(void *file);
#endif
