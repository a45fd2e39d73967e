// The Embree functions the renderer calls, resolved from libembree3.so.3 on first use.
#include "cembree.h"

#include <cload.h>
#include <pthread.h>

static struct {
    RTCDevice (*newDevice)(const char *);
    RTCScene (*newScene)(RTCDevice);
    RTCGeometry (*newGeometry)(RTCDevice, enum RTCGeometryType);
    void *(*setNewGeometryBuffer)(RTCGeometry, enum RTCBufferType, unsigned int, enum RTCFormat, size_t, size_t);
    void (*commitGeometry)(RTCGeometry);
    unsigned int (*attachGeometry)(RTCScene, RTCGeometry);
    void (*releaseGeometry)(RTCGeometry);
    void (*commitScene)(RTCScene);
    void (*setInstancedScene)(RTCGeometry, RTCScene);
    void (*setTransform)(RTCGeometry, unsigned int, enum RTCFormat, const void *);
    void (*setTimeStepCount)(RTCGeometry, unsigned int);
    void (*releaseScene)(RTCScene);
    void (*intersect1)(RTCScene, struct RTCIntersectContext *, struct RTCRayHit *);
    void (*occluded1)(RTCScene, struct RTCIntersectContext *, struct RTCRay *);
    void (*intersect1M)(RTCScene, struct RTCIntersectContext *, struct RTCRayHit *, unsigned int, size_t);
    void (*occluded1M)(RTCScene, struct RTCIntersectContext *, struct RTCRay *, unsigned int, size_t);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static void load(void) {
    const struct cload_symbol symbols[] = {
        {(void **)&api.newDevice, "rtcNewDevice"},
        {(void **)&api.newScene, "rtcNewScene"},
        {(void **)&api.newGeometry, "rtcNewGeometry"},
        {(void **)&api.setNewGeometryBuffer, "rtcSetNewGeometryBuffer"},
        {(void **)&api.commitGeometry, "rtcCommitGeometry"},
        {(void **)&api.attachGeometry, "rtcAttachGeometry"},
        {(void **)&api.releaseGeometry, "rtcReleaseGeometry"},
        {(void **)&api.commitScene, "rtcCommitScene"},
        {(void **)&api.setInstancedScene, "rtcSetGeometryInstancedScene"},
        {(void **)&api.setTransform, "rtcSetGeometryTransform"},
        {(void **)&api.setTimeStepCount, "rtcSetGeometryTimeStepCount"},
        {(void **)&api.releaseScene, "rtcReleaseScene"},
        {(void **)&api.intersect1, "rtcIntersect1"},
        {(void **)&api.occluded1, "rtcOccluded1"},
        {(void **)&api.intersect1M, "rtcIntersect1M"},
        {(void **)&api.occluded1M, "rtcOccluded1M"},
    };
    if (cload_open("libembree3.so.3", "Embree", symbols, sizeof symbols / sizeof symbols[0], failure, sizeof failure) != 0) return;
}

const char *cembree_load(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

// Only a device is made before use is checked (cembree_load); everything else needs one.
RTCDevice cembree_rtcNewDevice(const char *config) { return cembree_load() ? NULL : api.newDevice(config); }
RTCScene cembree_rtcNewScene(RTCDevice device) { return api.newScene(device); }
RTCGeometry cembree_rtcNewGeometry(RTCDevice device, enum RTCGeometryType type) { return api.newGeometry(device, type); }
void *cembree_rtcSetNewGeometryBuffer(
    RTCGeometry geometry, enum RTCBufferType type, unsigned int slot, enum RTCFormat format, size_t byteStride, size_t itemCount) {
    return api.setNewGeometryBuffer(geometry, type, slot, format, byteStride, itemCount);
}
void cembree_rtcCommitGeometry(RTCGeometry geometry) { api.commitGeometry(geometry); }
void cembree_rtcSetGeometryInstancedScene(RTCGeometry geometry, RTCScene scene) { api.setInstancedScene(geometry, scene); }
void cembree_rtcSetGeometryTransform(RTCGeometry geometry, unsigned int timeStep, enum RTCFormat format, const void *transform) {
    api.setTransform(geometry, timeStep, format, transform);
}
void cembree_rtcSetGeometryTimeStepCount(RTCGeometry geometry, unsigned int count) { api.setTimeStepCount(geometry, count); }
unsigned int cembree_rtcAttachGeometry(RTCScene scene, RTCGeometry geometry) { return api.attachGeometry(scene, geometry); }
void cembree_rtcReleaseGeometry(RTCGeometry geometry) { api.releaseGeometry(geometry); }
void cembree_rtcCommitScene(RTCScene scene) { api.commitScene(scene); }
void cembree_rtcReleaseScene(RTCScene scene) { api.releaseScene(scene); }
void cembree_rtcIntersect1(RTCScene scene, struct RTCIntersectContext *context, struct RTCRayHit *rayhit) {
    api.intersect1(scene, context, rayhit);
}
void cembree_rtcOccluded1(RTCScene scene, struct RTCIntersectContext *context, struct RTCRay *ray) { api.occluded1(scene, context, ray); }
void cembree_rtcIntersect1M(
    RTCScene scene, struct RTCIntersectContext *context, struct RTCRayHit *rayhit, unsigned int M, size_t byteStride) {
    api.intersect1M(scene, context, rayhit, M, byteStride);
}
void cembree_rtcOccluded1M(RTCScene scene, struct RTCIntersectContext *context, struct RTCRay *ray, unsigned int M, size_t byteStride) {
    api.occluded1M(scene, context, ray, M, byteStride);
}
