// Assimp 5.2, loaded when a scene first imports an asset (DESIGN-NOTES 32, 33): a command that
// imports nothing does not pay for mapping libassimp and its dependencies. The scene structs are
// Assimp's own (read from Swift); the functions below forward to the library's, and the
// accessors stand for Assimp's material-key macros, which Swift cannot import.
#ifndef CASSIMP_H
#define CASSIMP_H
#include <assimp/material.h>
#include <assimp/scene.h>

/// Loads libassimp once (thread-safe). NULL when it is loaded, else why it could not be.
const char *cassimp_load(void);

/// Imports `path` triangulated, with normals where the file has none (smooth across edges under 60°), tangents, UVs with
/// their origin at the top left, points and lines dropped, and Assimp's validation of indices,
/// counts and references. NULL on failure, with Assimp's message in `message`; on success
/// `message` holds the warnings Assimp logged, one per line.
const struct aiScene *cassimp_import(const char *path, char *message, unsigned long capacity);
void cassimp_release(const struct aiScene *scene);

/// The material's value for a key, or `fallback` when it has none.
float cassimp_metallic(const struct aiMaterial *material, float fallback);
float cassimp_roughness(const struct aiMaterial *material, float fallback);
float cassimp_opacity(const struct aiMaterial *material, float fallback);
/// glTF's KHR_materials_transmission factor and KHR_materials_ior (Assimp's refraction index).
float cassimp_transmission(const struct aiMaterial *material, float fallback);
float cassimp_ior(const struct aiMaterial *material, float fallback);
float cassimp_alpha_cutoff(const struct aiMaterial *material, float fallback);
float cassimp_emissive_intensity(const struct aiMaterial *material, float fallback);
/// 1 for glTF's MASK alpha mode, 2 for BLEND, 0 otherwise.
int cassimp_alpha_mode(const struct aiMaterial *material);
/// The base colour (glTF's factor, else the diffuse colour); 1 when found, 0 otherwise.
int cassimp_base_color(const struct aiMaterial *material, struct aiColor4D *out);
int cassimp_emissive_color(const struct aiMaterial *material, struct aiColor4D *out);
/// KHR_materials_volume: the thickness factor (0: thin-walled), the attenuation distance and colour.
float cassimp_volume_thickness(const struct aiMaterial *material, float fallback);
float cassimp_attenuation_distance(const struct aiMaterial *material, float fallback);
int cassimp_attenuation_color(const struct aiMaterial *material, struct aiColor4D *out);
/// The path of the material's first texture of `type` (an embedded one reads "*N"), its UV
/// channel and wrap modes; 1 when there is one.
int cassimp_texture(const struct aiMaterial *material, enum aiTextureType type, struct aiString *path, unsigned int *uv,
    enum aiTextureMapMode *wrap);
/// glTF's metallic-roughness texture (Assimp files it under `aiTextureType_UNKNOWN`).
int cassimp_metallic_roughness_texture(const struct aiMaterial *material, struct aiString *path, unsigned int *uv);
#endif
