// The OpenEXR functions the environment-map reader needs, resolved from libOpenEXR on first use.
#include "copenexr.h"

#include <OpenEXR/ImfCRgbaFile.h>
#include <OpenEXR/openexr.h>

#include <cload.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

// OpenEXRCore (OpenEXR 3's C library): reads float channels as floats. The RGBA interface above
// passes every value through a half float, so a float file's sun brighter than 65504 came back
// infinite (and the file was refused); it is kept for what Core 3.1 cannot decode (DWA
// compression, tiles, luminance-chroma channels).
static struct {
    exr_result_t (*start)(exr_context_t *, const char *, const exr_context_initializer_t *);
    exr_result_t (*finish)(exr_context_t *);
    exr_result_t (*count)(exr_const_context_t, int *);
    exr_result_t (*storage)(exr_const_context_t, int, exr_storage_t *);
    exr_result_t (*compression)(exr_const_context_t, int, exr_compression_t *);
    exr_result_t (*channels)(exr_const_context_t, int, const exr_attr_chlist_t **);
    exr_result_t (*dataWindow)(exr_const_context_t, int, exr_attr_box2i_t *);
    exr_result_t (*linesPerChunk)(exr_const_context_t, int, int32_t *);
    exr_result_t (*chunkInfo)(exr_const_context_t, int, int, exr_chunk_info_t *);
    exr_result_t (*initialize)(exr_const_context_t, int, const exr_chunk_info_t *, exr_decode_pipeline_t *);
    exr_result_t (*update)(exr_const_context_t, int, const exr_chunk_info_t *, exr_decode_pipeline_t *);
    exr_result_t (*routines)(exr_const_context_t, int, exr_decode_pipeline_t *);
    exr_result_t (*run)(exr_const_context_t, int, exr_decode_pipeline_t *);
    exr_result_t (*destroy)(exr_const_context_t, exr_decode_pipeline_t *);
    const char *(*errorName)(exr_result_t);
} core;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];
/// Empty when OpenEXRCore loaded; its files then take the float path.
static char coreFailure[512];

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
    const struct cload_symbol coreSymbols[] = {
        {(void **)&core.start, "exr_start_read"},
        {(void **)&core.finish, "exr_finish"},
        {(void **)&core.count, "exr_get_count"},
        {(void **)&core.storage, "exr_get_storage"},
        {(void **)&core.compression, "exr_get_compression"},
        {(void **)&core.channels, "exr_get_channels"},
        {(void **)&core.dataWindow, "exr_get_data_window"},
        {(void **)&core.linesPerChunk, "exr_get_scanlines_per_chunk"},
        {(void **)&core.chunkInfo, "exr_read_scanline_chunk_info"},
        {(void **)&core.initialize, "exr_decoding_initialize"},
        {(void **)&core.update, "exr_decoding_update"},
        {(void **)&core.routines, "exr_decoding_choose_default_routines"},
        {(void **)&core.run, "exr_decoding_run"},
        {(void **)&core.destroy, "exr_decoding_destroy"},
        {(void **)&core.errorName, "exr_get_error_code_as_string"},
    };
    cload_open("libOpenEXRCore-3_1.so.30", "OpenEXRCore", coreSymbols, sizeof coreSymbols / sizeof coreSymbols[0], coreFailure,
        sizeof coreFailure);
}

// OpenEXR keeps its last message in one global: calls are serialised so each reads its own.
static pthread_mutex_t reading = PTHREAD_MUTEX_INITIALIZER;

struct file {
    ImfInputFile *input;
    int x0, y0, width, height;
    char *path;
    /// Core declined it for its DWA compression: values beyond a half float's range come back
    /// infinite from the RGBA interface.
    int dwa;
};

// Core's messages for the read under way (calls are serialised by `reading`); by default it
// would print them.
static char coreMessage[512];

static void coreError(exr_const_context_t context, exr_result_t code, const char *text) {
    (void)context;
    snprintf(coreMessage, sizeof coreMessage, "%s", text && text[0] ? text : core.errorName(code));
}

enum { coreRead = 0, coreDeclined = 1, coreFailed = -1 };

// 0, 1, 2 for a channel named R, G, B; -1 for any other.
static int rgbIndex(const char *name) {
    return !name ? -1 : !strcmp(name, "R") ? 0 : !strcmp(name, "G") ? 1 : !strcmp(name, "B") ? 2 : -1;
}

// Reads the first part's R, G and B into `rgb` as floats when Core can: a scanline image, not
// DWA-compressed, with full-resolution R, G and B of half or float. Otherwise declines (the
// RGBA interface reads it).
static int readCore(struct file *file, float *rgb, char *message, size_t capacity) {
    if (coreFailure[0]) return coreDeclined;
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.error_handler_fn = coreError;
    exr_context_t context = NULL;
    coreMessage[0] = 0;
    if (core.start(&context, file->path, &init) != EXR_ERR_SUCCESS) {
        core.finish(&context);
        return coreDeclined;
    }
    int parts = 0, status = coreDeclined;
    exr_storage_t storage;
    exr_compression_t compression;
    const exr_attr_chlist_t *list = NULL;
    exr_attr_box2i_t window;
    int32_t lines = 0;
    if (core.count(context, &parts) != EXR_ERR_SUCCESS || parts < 1 || core.storage(context, 0, &storage) != EXR_ERR_SUCCESS ||
        storage != EXR_STORAGE_SCANLINE || core.compression(context, 0, &compression) != EXR_ERR_SUCCESS ||
        (file->dwa = compression == EXR_COMPRESSION_DWAA || compression == EXR_COMPRESSION_DWAB) ||
        core.channels(context, 0, &list) != EXR_ERR_SUCCESS || !list || core.dataWindow(context, 0, &window) != EXR_ERR_SUCCESS ||
        core.linesPerChunk(context, 0, &lines) != EXR_ERR_SUCCESS || lines < 1) {
        core.finish(&context);
        return coreDeclined;
    }
    // R, G and B, each once, full resolution, half or float.
    int found = 0;
    for (int i = 0; i < list->num_channels; i++) {
        const exr_attr_chlist_entry_t *entry = &list->entries[i];
        const char *name = entry->name.str;
        int c = rgbIndex(name);
        if (c < 0) continue;
        if (entry->x_sampling != 1 || entry->y_sampling != 1 ||
            (entry->pixel_type != EXR_PIXEL_HALF && entry->pixel_type != EXR_PIXEL_FLOAT)) {
            core.finish(&context);
            return coreDeclined;
        }
        found |= 1 << c;
    }
    if (found != 7 || window.min.x != file->x0 || window.min.y != file->y0 || (long long)window.max.x - window.min.x + 1 != file->width ||
        (long long)window.max.y - window.min.y + 1 != file->height) {
        core.finish(&context);
        return coreDeclined;
    }
    exr_decode_pipeline_t decoder = EXR_DECODE_PIPELINE_INITIALIZER;
    int started = 0;
    status = coreRead;
    for (long long y = window.min.y; status == coreRead && y <= window.max.y; y += lines) {
        exr_chunk_info_t chunk = {0};
        exr_result_t result = core.chunkInfo(context, 0, (int)y, &chunk);
        if (result == EXR_ERR_SUCCESS) result = started ? core.update(context, 0, &chunk, &decoder) : core.initialize(context, 0, &chunk, &decoder);
        if (result == EXR_ERR_SUCCESS) started = 1;
        long long top = (long long)chunk.start_y - window.min.y;
        if (result == EXR_ERR_SUCCESS && (top < 0 || chunk.height < 0 || top + chunk.height > file->height)) {
            snprintf(message, capacity, "a block of rows %d…%d lies outside the picture", chunk.start_y, chunk.start_y + chunk.height - 1);
            status = coreFailed;
            break;
        }
        for (int i = 0; result == EXR_ERR_SUCCESS && i < decoder.channel_count; i++) {
            exr_coding_channel_info_t *channel = &decoder.channels[i];
            const char *name = channel->channel_name;
            int c = rgbIndex(name);
            channel->decode_to_ptr = c < 0 ? NULL : (uint8_t *)(rgb + (size_t)top * (size_t)file->width * 3 + (size_t)c);
            channel->user_pixel_stride = 3 * (int32_t)sizeof(float);
            channel->user_line_stride = file->width * 3 * (int32_t)sizeof(float);
            channel->user_data_type = EXR_PIXEL_FLOAT;
            channel->user_bytes_per_element = sizeof(float);
        }
        if (result == EXR_ERR_SUCCESS) result = core.routines(context, 0, &decoder);
        if (result == EXR_ERR_SUCCESS) result = core.run(context, 0, &decoder);
        if (result != EXR_ERR_SUCCESS) {
            snprintf(message, capacity, "%s", coreMessage[0] ? coreMessage : core.errorName(result));
            status = coreFailed;
        }
    }
    if (started) core.destroy(context, &decoder);
    core.finish(&context);
    return status;
}

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
    *file = (struct file){input, x0, y0, (int)w, (int)h, strdup(path), 0};
    if (!file->path) {
        snprintf(message, capacity, "out of memory");
        api.close(input);
        free(file);
        return NULL;
    }
    *width = (int)w;
    *height = (int)h;
    return file;
}

int copenexr_read(void *opaque, float *rgb, char *message, size_t capacity) {
    struct file *file = opaque;
    pthread_mutex_lock(&reading);
    int read = readCore(file, rgb, message, capacity);
    pthread_mutex_unlock(&reading);
    if (read != coreDeclined) return read;
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
            if (file->dwa && (isinf(floats[i * 4]) || isinf(floats[i * 4 + 1]) || isinf(floats[i * 4 + 2]))) {
                snprintf(message, capacity,
                    "holds a value beyond 65504, which OpenEXR 3.1 reads from a DWA-compressed file only as a half float "
                    "(infinite): save it with ZIP or PIZ compression");
                status = -1;
                break;
            }
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
    free(file->path);
    free(file);
}
