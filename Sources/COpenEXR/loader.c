// The OpenEXR functions the environment-map reader needs, resolved from libOpenEXR on first use.
#include "copenexr.h"

#include <OpenEXR/ImfCRgbaFile.h>

#include <cload.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static struct {
    ImfInputFile *(*open)(const char[]);
    int (*close)(ImfInputFile *);
    int (*setFrameBuffer)(ImfInputFile *, ImfRgba *, size_t, size_t);
    int (*readPixels)(ImfInputFile *, int, int);
    const ImfHeader *(*header)(const ImfInputFile *);
    void (*dataWindow)(const ImfHeader *, int *, int *, int *, int *);
    void (*halfToFloatArray)(int, const ImfHalf[], float[]);
    const char *(*errorMessage)(void);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static void load(void) {
    const struct cload_symbol symbols[] = {
        {(void **)&api.open, "ImfOpenInputFile"},
        {(void **)&api.close, "ImfCloseInputFile"},
        {(void **)&api.setFrameBuffer, "ImfInputSetFrameBuffer"},
        {(void **)&api.readPixels, "ImfInputReadPixels"},
        {(void **)&api.header, "ImfInputHeader"},
        {(void **)&api.dataWindow, "ImfHeaderDataWindow"},
        {(void **)&api.halfToFloatArray, "ImfHalfToFloatArray"},
        {(void **)&api.errorMessage, "ImfErrorMessage"},
    };
    cload_open("libOpenEXR-3_1.so.30", "OpenEXR", symbols, sizeof symbols / sizeof symbols[0], failure, sizeof failure);
}

// OpenEXR keeps its last message in one global: calls are serialised so each reads its own.
static pthread_mutex_t reading = PTHREAD_MUTEX_INITIALIZER;

struct file {
    ImfInputFile *input;
    int x0, y0, width, height;
};

static void why(char *message, size_t capacity) {
    const char *text = api.errorMessage();
    snprintf(message, capacity, "%s", text && text[0] ? text : "OpenEXR could not read it");
}

void *copenexr_open(const char *path, int *width, int *height, char *message, size_t capacity) {
    pthread_once(&once, load);
    if (failure[0]) {
        snprintf(message, capacity, "%s", failure);
        return NULL;
    }
    pthread_mutex_lock(&reading);
    ImfInputFile *input = api.open(path);
    if (!input) {
        why(message, capacity);
        pthread_mutex_unlock(&reading);
        return NULL;
    }
    int x0, y0, x1, y1;
    api.dataWindow(api.header(input), &x0, &y0, &x1, &y1);
    pthread_mutex_unlock(&reading);
    // Sizes as 64-bit: a lying header's window can overflow an int.
    long long w = (long long)x1 - x0 + 1, h = (long long)y1 - y0 + 1;
    if (w <= 0 || h <= 0 || w > 1 << 20 || h > 1 << 20) {
        snprintf(message, capacity, "data window [%d, %d]–[%d, %d] is not an image", x0, y0, x1, y1);
        api.close(input);
        return NULL;
    }
    struct file *file = malloc(sizeof *file);
    if (!file) {
        snprintf(message, capacity, "out of memory");
        api.close(input);
        return NULL;
    }
    *file = (struct file){input, x0, y0, (int)w, (int)h};
    *width = (int)w;
    *height = (int)h;
    return file;
}

int copenexr_read(void *opaque, float *rgb, char *message, size_t capacity) {
    struct file *file = opaque;
    enum { band = 32 };
    ImfRgba *rows = malloc(sizeof(ImfRgba) * (size_t)file->width * band);
    float *floats = malloc(sizeof(float) * 4 * (size_t)file->width * band);
    int status = 0;
    if (!rows || !floats) {
        snprintf(message, capacity, "out of memory");
        status = -1;
    }
    pthread_mutex_lock(&reading);
    for (int top = 0; status == 0 && top < file->height; top += band) {
        int count = file->height - top < band ? file->height - top : band;
        // The frame buffer's origin is where pixel (x0, y0 + top) would be: OpenEXR addresses
        // it with absolute coordinates.
        ImfRgba *origin = rows - (ptrdiff_t)file->x0 - (ptrdiff_t)(file->y0 + top) * file->width;
        if (!api.setFrameBuffer(file->input, origin, 1, (size_t)file->width) ||
            !api.readPixels(file->input, file->y0 + top, file->y0 + top + count - 1)) {
            why(message, capacity);
            status = -1;
            break;
        }
        api.halfToFloatArray(4 * file->width * count, (const ImfHalf *)rows, floats);
        float *out = rgb + (size_t)top * file->width * 3;
        for (size_t i = 0; i < (size_t)file->width * count; i++) {
            out[i * 3] = floats[i * 4];
            out[i * 3 + 1] = floats[i * 4 + 1];
            out[i * 3 + 2] = floats[i * 4 + 2];
        }
    }
    pthread_mutex_unlock(&reading);
    free(rows);
    free(floats);
    return status;
}

void copenexr_close(void *opaque) {
    struct file *file = opaque;
    if (!file) return;
    api.close(file->input);
    free(file);
}
