// The Assimp functions the asset importer needs, resolved from libassimp.so.5 on first use.
#define _GNU_SOURCE  // posix_spawn_file_actions_addclosefrom_np (glibc 2.34)
#include "cassimp.h"

#include <assimp/GltfMaterial.h>
#include <assimp/cimport.h>
#include <assimp/config.h>
#include <assimp/postprocess.h>

#include <cload.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static struct {
    const struct aiScene *(*importWithProperties)(const char *, unsigned int, struct aiFileIO *, const struct aiPropertyStore *);
    void (*release)(const struct aiScene *);
    const char *(*errorString)(void);
    struct aiPropertyStore *(*createStore)(void);
    void (*setInteger)(struct aiPropertyStore *, const char *, int);
    void (*setFloat)(struct aiPropertyStore *, const char *, ai_real);
    void (*releaseStore)(struct aiPropertyStore *);
    enum aiReturn (*floatArray)(const struct aiMaterial *, const char *, unsigned int, unsigned int, ai_real *, unsigned int *);
    enum aiReturn (*integerArray)(const struct aiMaterial *, const char *, unsigned int, unsigned int, int *, unsigned int *);
    enum aiReturn (*color)(const struct aiMaterial *, const char *, unsigned int, unsigned int, struct aiColor4D *);
    enum aiReturn (*string)(const struct aiMaterial *, const char *, unsigned int, unsigned int, struct aiString *);
    void (*attachLogStream)(const struct aiLogStream *);
    enum aiReturn (*texture)(const struct aiMaterial *, enum aiTextureType, unsigned int, struct aiString *, enum aiTextureMapping *,
        unsigned int *, ai_real *, enum aiTextureOp *, enum aiTextureMapMode *, unsigned int *);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;

// Assimp's warnings and errors during the current import (imports are serialised), kept so a
// file Assimp repairs silently — faces dropped for indices out of range — can be refused.
static char warnings[4096];

static void collect(const char *message, char *user) {
    (void)user;
    if (strncmp(message, "Warn", 4) != 0 && strncmp(message, "Error", 5) != 0) return;
    size_t used = strlen(warnings);
    if (used + 2 < sizeof warnings) snprintf(warnings + used, sizeof warnings - used, "%s", message);
}
static char failure[512];

static void load(void) {
    const struct cload_symbol symbols[] = {
        {(void **)&api.importWithProperties, "aiImportFileExWithProperties"},
        {(void **)&api.release, "aiReleaseImport"},
        {(void **)&api.errorString, "aiGetErrorString"},
        {(void **)&api.createStore, "aiCreatePropertyStore"},
        {(void **)&api.setInteger, "aiSetImportPropertyInteger"},
        {(void **)&api.setFloat, "aiSetImportPropertyFloat"},
        {(void **)&api.releaseStore, "aiReleasePropertyStore"},
        {(void **)&api.floatArray, "aiGetMaterialFloatArray"},
        {(void **)&api.integerArray, "aiGetMaterialIntegerArray"},
        {(void **)&api.color, "aiGetMaterialColor"},
        {(void **)&api.string, "aiGetMaterialString"},
        {(void **)&api.texture, "aiGetMaterialTexture"},
        {(void **)&api.attachLogStream, "aiAttachLogStream"},
    };
    if (cload_open("libassimp.so.5", "Assimp", symbols, sizeof symbols / sizeof symbols[0], failure, sizeof failure) != 0) return;
    struct aiLogStream stream = {collect, NULL};
    api.attachLogStream(&stream);
}

const char *cassimp_load(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

// Assimp keeps its last error per importer; the C API's importers are made per call, and the
// message is read right after the failing call on the same thread, so concurrent imports are
// serialised to keep each message with its file.
static pthread_mutex_t importing = PTHREAD_MUTEX_INITIALIZER;

// The child's side of `probe`: a process started with SYNTHSTUDIO_ASSIMP_PROBE=PATH reads PATH
// with Assimp as the importer would, before anything else runs (a constructor, so any program
// linking this module — the studio, the tests, the fuzzer — can be its own probe), and exits:
// 0 read, 3 refused with an error, 4 no Assimp; a crash ends it by its signal.
static unsigned int import_flags(void);
static struct aiPropertyStore *import_properties(void);

__attribute__((constructor)) static void probe_mode(void) {
    const char *path = getenv("SYNTHSTUDIO_ASSIMP_PROBE");
    if (!path) return;
    int quiet = open("/dev/null", O_WRONLY);
    if (quiet >= 0) {
        dup2(quiet, 1);
        dup2(quiet, 2);
    }
    if (cassimp_load()) _exit(4);
    const struct aiScene *scene = api.importWithProperties(path, import_flags(), NULL, import_properties());
    _exit(scene ? 0 : 3);
}

// Reads `path` in a child process first (this program again, started fresh by posix_spawn as
// `probe_mode` above: a forked copy of a threaded process can deadlock on a lock another thread
// held) and waits a time by the file's size: 0 when the child read it or Assimp refused it with an error
// (the caller's own read then says which), else -1 with why in `message`.
static int probe(const char *path, char *message, unsigned long capacity) {
    // Ten seconds, and two more per megabyte (Assimp reads tens of MB a second): a PLY without
    // its `end_header` makes Assimp 5.2 loop for ever.
    struct stat info;
    long megabytes = stat(path, &info) == 0 ? (long)(info.st_size >> 20) : 0;
    const int limit = (int)(megabytes > 295 ? 600 : 10 + 2 * megabytes);
    size_t length = strlen(path);
    char *variable = malloc(length + 32);
    if (!variable) return 0;
    snprintf(variable, length + 32, "SYNTHSTUDIO_ASSIMP_PROBE=%s", path);
    char *argv[] = {"synthstudio-assimp-probe", NULL};
    // This process's environment (library paths and all) with the path added.
    size_t count = 0;
    while (environ[count]) count++;
    char **envp = malloc((count + 2) * sizeof *envp);
    if (!envp) {
        free(variable);
        return 0;
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(environ[i], "SYNTHSTUDIO_ASSIMP_PROBE=", 25) != 0) envp[kept++] = environ[i];
    }
    envp[kept++] = variable;
    envp[kept] = NULL;
    // The child gets standard input, output and error only: a descriptor it inherited (a file
    // another thread is writing, a binary being copied) would stay open as long as it runs.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    pid_t child;
    int spawned = posix_spawn(&child, "/proc/self/exe", &actions, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    free(envp);
    free(variable);
    if (spawned != 0) return 0;  // No child to spare: read it here, as before.
    int status = 0;
    struct timespec tick = {0, 2 * 1000 * 1000};
    for (long waited = 0;; waited++) {
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) break;
        if (done < 0) return 0;
        if (waited * 2 >= limit * 1000) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            snprintf(message, capacity, "Assimp did not finish reading it in %d s", limit);
            return -1;
        }
        nanosleep(&tick, NULL);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 1 && WEXITSTATUS(status) != 2 && WEXITSTATUS(status) <= 4) return 0;
    if (WIFSIGNALED(status)) {
        snprintf(message, capacity, "Assimp crashed reading it (signal %d): the file is damaged in a way Assimp does not check",
            WTERMSIG(status));
    } else {
        snprintf(message, capacity, "Assimp crashed reading it (exit %d): the file is damaged in a way Assimp does not check",
            WEXITSTATUS(status));
    }
    return -1;
}

const struct aiScene *cassimp_import(const char *path, char *message, unsigned long capacity) {
    message[0] = 0;
    const char *why = cassimp_load();
    if (why) {
        snprintf(message, capacity, "%s", why);
        return NULL;
    }
    unsigned int flags = import_flags();
    struct aiPropertyStore *store = import_properties();
    pthread_mutex_lock(&importing);
    // Assimp 5.2 crashes on some damaged files (a fuzzer finds such glTF, GLB and OBJ files in
    // seconds, and a PLY that loops it for ever): the file is read first in a child process,
    // and only a file the child read without crashing or hanging is read here.
    if (probe(path, message, capacity) != 0) {
        pthread_mutex_unlock(&importing);
        api.releaseStore(store);
        return NULL;
    }
    warnings[0] = 0;
    const struct aiScene *scene = api.importWithProperties(path, flags, NULL, store);
    if (!scene) {
        const char *error = api.errorString();
        snprintf(message, capacity, "%s", error && error[0] ? error : "Assimp could not read it");
    } else {
        snprintf(message, capacity, "%s", warnings);
    }
    pthread_mutex_unlock(&importing);
    api.releaseStore(store);
    return scene;
}

static unsigned int import_flags(void) {
    return aiProcess_Triangulate | aiProcess_GenSmoothNormals | aiProcess_CalcTangentSpace | aiProcess_JoinIdenticalVertices |
        aiProcess_SortByPType | aiProcess_ValidateDataStructure | aiProcess_FlipUVs | aiProcess_LimitBoneWeights |
        aiProcess_FindInvalidData;
}

static struct aiPropertyStore *import_properties(void) {
    struct aiPropertyStore *store = api.createStore();
    api.setInteger(store, AI_CONFIG_PP_SBP_REMOVE, aiPrimitiveType_POINT | aiPrimitiveType_LINE);
    // Normals a file leaves out are smoothed only across edges gentler than 60°: a cone's side
    // is round, a box's edges stay sharp (glTF asks for flat normals then; Assimp's default of
    // 175° would round a box into a cushion).
    api.setFloat(store, AI_CONFIG_PP_GSN_MAX_SMOOTHING_ANGLE, 60);
    return store;
}

void cassimp_release(const struct aiScene *scene) {
    if (scene) api.release(scene);
}

static float scalar(const struct aiMaterial *material, const char *key, unsigned int type, unsigned int index, float fallback) {
    ai_real value = 0;
    unsigned int count = 1;
    return api.floatArray(material, key, type, index, &value, &count) == aiReturn_SUCCESS && count == 1 ? (float)value : fallback;
}

float cassimp_metallic(const struct aiMaterial *m, float fallback) { return scalar(m, AI_MATKEY_METALLIC_FACTOR, fallback); }
float cassimp_roughness(const struct aiMaterial *m, float fallback) { return scalar(m, AI_MATKEY_ROUGHNESS_FACTOR, fallback); }
float cassimp_opacity(const struct aiMaterial *m, float fallback) { return scalar(m, AI_MATKEY_OPACITY, fallback); }
float cassimp_transmission(const struct aiMaterial *m, float fallback) { return scalar(m, AI_MATKEY_TRANSMISSION_FACTOR, fallback); }
float cassimp_ior(const struct aiMaterial *m, float fallback) { return scalar(m, AI_MATKEY_REFRACTI, fallback); }
float cassimp_alpha_cutoff(const struct aiMaterial *m, float fallback) { return scalar(m, AI_MATKEY_GLTF_ALPHACUTOFF, fallback); }
float cassimp_volume_thickness(const struct aiMaterial *m, float fallback) { return scalar(m, AI_MATKEY_VOLUME_THICKNESS_FACTOR, fallback); }
float cassimp_attenuation_distance(const struct aiMaterial *m, float fallback) {
    return scalar(m, AI_MATKEY_VOLUME_ATTENUATION_DISTANCE, fallback);
}
float cassimp_emissive_intensity(const struct aiMaterial *m, float fallback) {
    return scalar(m, AI_MATKEY_EMISSIVE_INTENSITY, fallback);
}

int cassimp_alpha_mode(const struct aiMaterial *m) {
    struct aiString mode;
    if (api.string(m, AI_MATKEY_GLTF_ALPHAMODE, &mode) != aiReturn_SUCCESS) return 0;
    if (strcmp(mode.data, "MASK") == 0) return 1;
    if (strcmp(mode.data, "BLEND") == 0) return 2;
    return 0;
}

int cassimp_base_color(const struct aiMaterial *m, struct aiColor4D *out) {
    return api.color(m, AI_MATKEY_BASE_COLOR, out) == aiReturn_SUCCESS || api.color(m, AI_MATKEY_COLOR_DIFFUSE, out) == aiReturn_SUCCESS;
}

int cassimp_emissive_color(const struct aiMaterial *m, struct aiColor4D *out) {
    return api.color(m, AI_MATKEY_COLOR_EMISSIVE, out) == aiReturn_SUCCESS;
}

int cassimp_attenuation_color(const struct aiMaterial *m, struct aiColor4D *out) {
    return api.color(m, AI_MATKEY_VOLUME_ATTENUATION_COLOR, out) == aiReturn_SUCCESS;
}

int cassimp_texture(const struct aiMaterial *m, enum aiTextureType type, struct aiString *path, unsigned int *uv,
    enum aiTextureMapMode *wrap) {
    *uv = 0;
    wrap[0] = wrap[1] = aiTextureMapMode_Wrap;
    return api.texture(m, type, 0, path, NULL, uv, NULL, NULL, wrap, NULL) == aiReturn_SUCCESS;
}

int cassimp_metallic_roughness_texture(const struct aiMaterial *m, struct aiString *path, unsigned int *uv) {
    *uv = 0;
    return api.texture(m, AI_MATKEY_GLTF_PBRMETALLICROUGHNESS_METALLICROUGHNESS_TEXTURE, path, NULL, uv, NULL, NULL, NULL, NULL) ==
        aiReturn_SUCCESS;
}
