"""Peer for the composed-scene render benchmark: the scenes `synthstudio render` draws from a
`scene: assets` recipe (the sample yard: OBJ, glTF and GLB assets with textures on a ground
plane under an HDR environment map), built in Blender from the very same description and
rendered by Cycles on the CPU at the same size, samples per pixel and bounces.

Run by `synthstudio-bench assets` as:
  blender --background --factory-startup --python Benchmarks/peers/cycles_assets.py -- SCENES.json OUTDIR

SCENES.json is a list of scene descriptions (RenderJob.composedDescription): asset files,
placements (position, yaw, scale, tint, roughness factor; asset -1 is the ground), camera
(position, target, vertical field of view, aperture), environment map (file, turn, strength),
size, samples and bounces, all in synthstudio's frame (y up), turned here into Blender's (z up).
Prints one JSON line with the seconds the renders took (bpy.ops.render.render alone; building
the scenes is not counted, to Cycles' advantage) and the seconds overall.
"""
import json
import math
import os
import sys
import time

import bpy
import numpy
from mathutils import Matrix, Vector

# Debian's Blender 3.4 glTF importer still says `np.bool`, which NumPy 1.24 removed.
if not hasattr(numpy, "bool"):
    numpy.bool = bool

argv = sys.argv[sys.argv.index("--") + 1:]
scenes = json.load(open(argv[0]))
outdir = argv[1]
started = time.perf_counter()


def blender(v):
    """synthstudio (x, y up, z) → Blender (x, -z, y up)."""
    return (v[0], -v[2], v[1])


def imported(path):
    """The objects of one asset file, imported once and hidden (placements link their meshes)."""
    before = set(bpy.data.objects)
    extension = os.path.splitext(path)[1].lower()
    if extension == ".obj":
        bpy.ops.wm.obj_import(filepath=path)
    elif extension in (".gltf", ".glb"):
        bpy.ops.import_scene.gltf(filepath=path)
    else:
        raise SystemExit(f"the peer cannot import {path}")
    objects = [o for o in bpy.data.objects if o not in before and o.type == "MESH"]
    for o in objects:
        o.hide_render = True
        # Tint and roughness per placement: the object's colour and a property, multiplied in.
        for slot in o.material_slots:
            varied(slot.material)
    return objects


def varied(material):
    """Multiplies a material's base colour by the object's colour and its roughness by the
    object's `roughness` property, as synthstudio's per-placement variation does."""
    if material is None or material.get("varied"):
        return
    material["varied"] = True
    tree = material.node_tree
    bsdf = next((n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"), None)
    if bsdf is None:
        return
    info = tree.nodes.new("ShaderNodeObjectInfo")
    tint = tree.nodes.new("ShaderNodeMixRGB")
    tint.blend_type = "MULTIPLY"
    tint.inputs["Fac"].default_value = 1
    base = bsdf.inputs["Base Color"]
    if base.is_linked:
        tree.links.new(base.links[0].from_socket, tint.inputs["Color1"])
    else:
        tint.inputs["Color1"].default_value = base.default_value
    tree.links.new(info.outputs["Color"], tint.inputs["Color2"])
    tree.links.new(tint.outputs["Color"], base)
    attribute = tree.nodes.new("ShaderNodeAttribute")
    attribute.attribute_type = "OBJECT"
    attribute.attribute_name = "roughness_factor"
    rough = tree.nodes.new("ShaderNodeMath")
    rough.operation = "MULTIPLY"
    rough.use_clamp = True
    source = bsdf.inputs["Roughness"]
    if source.is_linked:
        tree.links.new(source.links[0].from_socket, rough.inputs[0])
    else:
        rough.inputs[0].default_value = source.default_value
    tree.links.new(attribute.outputs["Fac"], rough.inputs[1])
    tree.links.new(rough.outputs["Value"], source)


bpy.ops.wm.read_factory_settings(use_empty=True)
if "io_scene_gltf2" not in bpy.context.preferences.addons:
    bpy.ops.preferences.addon_enable(module="io_scene_gltf2")
scene = bpy.context.scene
scene.render.engine = "CYCLES"
scene.cycles.device = "CPU"
scene.cycles.use_denoising = False
# Indirect light limited to 10 per sample, Cycles' factory default, as synthstudio's composed
# renderer limits it (AssetRenderer.clampIndirect); said here so a change of default shows.
scene.cycles.sample_clamp_indirect = 10.0
scene.render.threads_mode = "AUTO"
scene.render.image_settings.file_format = "PNG"
scene.render.resolution_percentage = 100
# The plain sRGB curve, not Blender's Filmic look (synthstudio shows linear light through the
# sRGB curve after a mild roll-off).
scene.view_settings.view_transform = "Standard"

assets = {path: imported(path) for path in scenes[0]["assets"]}
ground_material = bpy.data.materials.new("ground")
ground_material.use_nodes = True
# The ground's colour and roughness first: `varied` multiplies what the inputs hold.
ground_bsdf = ground_material.node_tree.nodes["Principled BSDF"]
ground_bsdf.inputs["Base Color"].default_value = (*scenes[0]["ground"]["color"], 1)
ground_bsdf.inputs["Roughness"].default_value = 0.9
varied(ground_material)
world = bpy.data.worlds.new("environment")
world.use_nodes = True
scene.world = world
nodes, links = world.node_tree.nodes, world.node_tree.links
coordinates = nodes.new("ShaderNodeTexCoord")
mapping = nodes.new("ShaderNodeMapping")
environment = nodes.new("ShaderNodeTexEnvironment")
links.new(coordinates.outputs["Generated"], mapping.inputs["Vector"])
links.new(mapping.outputs["Vector"], environment.inputs["Vector"])
links.new(environment.outputs["Color"], nodes["Background"].inputs["Color"])
images = {}

render_seconds = 0.0
for k, description in enumerate(scenes):
    placed = []
    scene.render.resolution_x = description["width"]
    scene.render.resolution_y = description["height"]
    scene.cycles.samples = description["samples_per_pixel"]
    bounces = description["bounces"]
    # synthstudio counts diffuse and glossy bounces; passing through glass is not a bounce (up to
    # 16 passes): Cycles' transmission bounces count within its total, so the total gets room.
    scene.cycles.diffuse_bounces = scene.cycles.glossy_bounces = bounces
    scene.cycles.transmission_bounces = 16
    scene.cycles.max_bounces = bounces + 16
    for placement in description["placements"]:
        if placement["asset"] < 0:
            half = description["ground"]["half_side"]
            # Placements rest 2 mm above it (Composition.contactGap): touching, a flat-bottomed
            # solid of glass would share the ground's plane, and Cycles renders such a solid
            # nearly black (seen with the sample paperweight).
            bpy.ops.mesh.primitive_plane_add(size=2 * half, location=(0, 0, 0))
            plane = bpy.context.object
            plane.data.materials.append(ground_material)
            plane.color = (1, 1, 1, 1)
            plane["roughness_factor"] = 1.0
            placed.append(plane)
            continue
        for source in assets[description["assets"][placement["asset"]]]:
            o = source.copy()
            bpy.context.collection.objects.link(o)
            o.hide_render = False
            # The asset's own frame, then the placement's turn about the vertical, scale and place.
            turn = placement["yaw"]
            o.matrix_world = (
                Matrix.Translation(blender(placement["position"])) @ Matrix.Rotation(turn, 4, "Z")
                @ Matrix.Scale(placement["scale"], 4) @ source.matrix_world
            )
            o.color = (*placement["tint"], 1)
            o["roughness_factor"] = placement["roughness"]
            placed.append(o)
    lens = description["camera"]
    bpy.ops.object.camera_add(location=blender(lens["position"]))
    camera = bpy.context.object
    direction = Vector(blender(lens["target"])) - camera.location
    camera.rotation_euler = direction.to_track_quat("-Z", "Y").to_euler()
    camera.data.sensor_fit = "VERTICAL"
    camera.data.angle_y = math.radians(lens["fov"])
    if lens["f_number"] > 0:
        camera.data.dof.use_dof = True
        camera.data.dof.focus_distance = lens["focus_distance"]
        camera.data.dof.aperture_fstop = lens["f_number"]
        camera.data.sensor_height = lens["sensor_height"]
    scene.camera = camera
    light = description["environment"]
    path = light["file"]
    if path not in images:
        images[path] = bpy.data.images.load(path)
    environment.image = images[path]
    # synthstudio's map looks down −z at its centre column; Blender's down +x: a quarter turn.
    mapping.inputs["Rotation"].default_value[2] = math.radians(light["rotation"]) - math.pi / 2
    nodes["Background"].inputs["Strength"].default_value = light["strength"]
    scene.render.filepath = os.path.join(outdir, f"cycles-{k}.png")
    t = time.perf_counter()
    bpy.ops.render.render(write_still=True)
    render_seconds += time.perf_counter() - t
    for o in placed + [camera]:
        bpy.data.objects.remove(o, do_unlink=True)

print("CYCLES_RESULT " + json.dumps({"images": len(scenes), "seconds": render_seconds, "overall": time.perf_counter() - started}))
