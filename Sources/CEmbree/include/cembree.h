// Embree 3, loaded when the renderer first needs it (INTEROP.md item 10; DESIGN-NOTES 32):
// a command that renders nothing does not pay for mapping and relocating libembree3 and TBB
// (~2 ms of every start-up). Each function below forwards to the library's own.
#ifndef CEMBREE_H
#define CEMBREE_H
#include <embree3/rtcore.h>

/// A constant that is a macro with a cast.
static inline unsigned int cembree_invalid_geometry_id(void) { return RTC_INVALID_GEOMETRY_ID; }

/// Loads libembree3 once (thread-safe). NULL when it is loaded, else why it could not be.
const char *cembree_load(void);

RTCDevice cembree_rtcNewDevice(const char *config);
RTCScene cembree_rtcNewScene(RTCDevice device);
RTCGeometry cembree_rtcNewGeometry(RTCDevice device, enum RTCGeometryType type);
void *cembree_rtcSetNewGeometryBuffer(
    RTCGeometry geometry, enum RTCBufferType type, unsigned int slot, enum RTCFormat format, size_t byteStride, size_t itemCount);
void cembree_rtcCommitGeometry(RTCGeometry geometry);
unsigned int cembree_rtcAttachGeometry(RTCScene scene, RTCGeometry geometry);
void cembree_rtcReleaseGeometry(RTCGeometry geometry);
void cembree_rtcCommitScene(RTCScene scene);
void cembree_rtcSetGeometryInstancedScene(RTCGeometry geometry, RTCScene scene);
void cembree_rtcSetGeometryTransform(RTCGeometry geometry, unsigned int timeStep, enum RTCFormat format, const void *transform);
void cembree_rtcSetGeometryTimeStepCount(RTCGeometry geometry, unsigned int count);
void cembree_rtcReleaseScene(RTCScene scene);
void cembree_rtcIntersect1(RTCScene scene, struct RTCIntersectContext *context, struct RTCRayHit *rayhit);
void cembree_rtcOccluded1(RTCScene scene, struct RTCIntersectContext *context, struct RTCRay *ray);
void cembree_rtcIntersect1M(
    RTCScene scene, struct RTCIntersectContext *context, struct RTCRayHit *rayhit, unsigned int M, size_t byteStride);
void cembree_rtcOccluded1M(RTCScene scene, struct RTCIntersectContext *context, struct RTCRay *ray, unsigned int M, size_t byteStride);
#endif
