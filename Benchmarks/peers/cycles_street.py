"""Peer for the render benchmark: a street scene like SynthStudio's, rendered by Blender Cycles
on the CPU at the same size and samples per pixel.

Run by `synthstudio-bench render` as:
  blender --background --factory-startup --python Benchmarks/peers/cycles_street.py -- IMAGES OUTDIR [WIDTH HEIGHT [rich]]
With `rich` (the street as SynthStudio now renders it): a four-way intersection with a cross street,
10 people of smooth capsules and spheres (about the triangles of SynthStudio's procedural bodies),
6 trees and 4 traffic lights besides the rest.
Builds the scene with boxes, cylinders and spheres (road, sidewalks, 2 × 8 buildings with glass
ground floors, 4 cars, 6 walking figures, 10 lamps) — road, sidewalks and walls with procedural
noise and brick textures, as synthstudio's street has —, a sun with soft shadows and a sky colour,
then renders IMAGES frames at 320×240, 4 samples per pixel, denoising off, and prints one JSON line
with the time of the renders alone.
"""
import json
import math
import random
import sys
import time

import bpy

argv = sys.argv[sys.argv.index("--") + 1:]
images = int(argv[0]) if argv else 5
outdir = argv[1] if len(argv) > 1 else "/tmp"
width = int(argv[2]) if len(argv) > 2 else 320
height = int(argv[3]) if len(argv) > 3 else 240
rich = len(argv) > 4 and argv[4] == "rich"

bpy.ops.wm.read_factory_settings(use_empty=True)
scene = bpy.context.scene
scene.render.engine = "CYCLES"
scene.cycles.device = "CPU"
scene.cycles.samples = 4
scene.cycles.use_denoising = False
scene.cycles.max_bounces = 2
scene.render.resolution_x = width
scene.render.resolution_y = height
scene.render.resolution_percentage = 100
scene.render.threads_mode = "AUTO"
scene.render.image_settings.file_format = "PNG"


def material(name, color, glass=False, pattern=None):
    """A Principled material; `pattern` (`noise` for asphalt and plaster, `brick` for walls and
    paving) scales its colour by a procedural texture, as synthstudio's street patterns do."""
    m = bpy.data.materials.new(name)
    m.use_nodes = True
    nodes, links = m.node_tree.nodes, m.node_tree.links
    bsdf = nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*color, 1)
    if glass:
        bsdf.inputs["Metallic"].default_value = 0.2
        bsdf.inputs["Roughness"].default_value = 0.02
        bsdf.inputs["Specular"].default_value = 1.0
    if pattern:
        coordinates = nodes.new("ShaderNodeTexCoord")
        multiply = nodes.new("ShaderNodeMixRGB")
        multiply.blend_type = "MULTIPLY"
        multiply.inputs["Fac"].default_value = 1
        multiply.inputs["Color1"].default_value = (*color, 1)
        if pattern == "brick":
            texture = nodes.new("ShaderNodeTexBrick")
            texture.inputs["Scale"].default_value = 4
            texture.inputs["Color1"].default_value = (1, 1, 1, 1)
            texture.inputs["Color2"].default_value = (0.8, 0.8, 0.8, 1)
            texture.inputs["Mortar"].default_value = (0.6, 0.6, 0.6, 1)
        else:
            texture = nodes.new("ShaderNodeTexNoise")
            texture.inputs["Scale"].default_value = 8
            texture.inputs["Detail"].default_value = 4
        links.new(coordinates.outputs["Object"], texture.inputs["Vector"])
        links.new(texture.outputs["Color"], multiply.inputs["Color2"])
        links.new(multiply.outputs["Color"], bsdf.inputs["Base Color"])
    return m


def box(location, size, mat):
    bpy.ops.mesh.primitive_cube_add(location=location)
    obj = bpy.context.object
    obj.scale = (size[0] / 2, size[1] / 2, size[2] / 2)
    obj.data.materials.append(mat)
    return obj


random.seed(1)
asphalt = material("asphalt", (0.12, 0.12, 0.13), pattern="noise")
ground = material("ground", (0.32, 0.31, 0.3), pattern="brick")
glass = material("glass", (0.05, 0.06, 0.07), glass=True)
# Blender is z-up: the road runs along +y.
box((0, 70, -0.05), (10, 150, 0.1), asphalt)
for side in (-1, 1):
    box((side * 6.5, 70, 0.075), (3, 150, 0.15), ground)
    y = -2
    while y < 140:
        depth, width, height = 6 + 10 * random.random(), 8 + 10 * random.random(), 6 + 20 * random.random()
        shade = 0.35 + 0.4 * random.random()
        box((side * (8 + depth / 2), y + width / 2, height / 2 + 3), (depth, width - 0.4, height),
            material("b", (shade, shade * 0.9, shade * 0.8), pattern=random.choice(("brick", "noise"))))
        box((side * (8 + depth / 2), y + width / 2, 1.5), (depth, width - 0.4, 3), glass)
        y += width
for i in range(4):
    x = random.choice((-2.4, 2.4))
    y = 7 + 55 * random.random()
    car = material("car", (random.random(), random.random(), random.random()))
    box((x, y, 0.7), (1.8, 4.4, 0.7), car)
    box((x, y - 0.2, 1.3), (1.6, 2.4, 0.6), car)
    for dy in (-1.4, 1.4):
        for dx in (-0.9, 0.9):
            bpy.ops.mesh.primitive_cylinder_add(radius=0.33, depth=0.25, location=(x + dx, y + dy, 0.33), rotation=(0, math.pi / 2, 0))
for i in range(6):
    x = random.choice((-1, 1)) * (5.6 + 1.8 * random.random())
    y = 5 + 35 * random.random()
    cloth = material("cloth", (random.random(), random.random(), random.random()))
    for dx in (-0.1, 0.1):
        box((x + dx, y, 0.45), (0.13, 0.15, 0.85), cloth)
    box((x, y, 1.15), (0.38, 0.22, 0.56), cloth)
    bpy.ops.mesh.primitive_uv_sphere_add(radius=0.12, location=(x, y, 1.6), segments=8, ring_count=5)
if rich:
    # The cross street, people, trees and traffic lights of the richer scene.
    box((0, 30, -0.04), (160, 10, 0.1), asphalt)
    skin = material("skin", (0.5, 0.35, 0.25))
    for i in range(10):
        x = random.choice((-1, 1)) * (5.6 + 1.8 * random.random())
        y = 5 + 35 * random.random()
        cloth = material("cloth", (random.random() * 0.3, random.random() * 0.3, random.random() * 0.3))
        parts = [((x, y, 1.15), 0.17, 0.55), ((x - 0.1, y, 0.47), 0.07, 0.85), ((x + 0.1, y, 0.47), 0.07, 0.85),
                 ((x - 0.24, y, 1.1), 0.04, 0.6), ((x + 0.24, y, 1.1), 0.04, 0.6), ((x, y, 1.5), 0.045, 0.1)]
        for location, radius, depth in parts:
            bpy.ops.mesh.primitive_cylinder_add(radius=radius, depth=depth, location=location, vertices=12)
            bpy.context.object.data.materials.append(cloth)
            for dz in (-depth / 2, depth / 2):
                bpy.ops.mesh.primitive_uv_sphere_add(radius=radius, location=(location[0], location[1], location[2] + dz), segments=12, ring_count=6)
        bpy.ops.mesh.primitive_uv_sphere_add(radius=0.11, location=(x, y, 1.65), segments=14, ring_count=8)
        bpy.context.object.data.materials.append(skin)
    leaves = material("leaves", (0.07, 0.15, 0.03))
    for i in range(6):
        x, y = random.choice((-1, 1)) * 7.3, 3 + 80 * random.random()
        bpy.ops.mesh.primitive_cylinder_add(radius=0.12, depth=3, location=(x, y, 1.5), vertices=8)
        for k in range(4):
            bpy.ops.mesh.primitive_uv_sphere_add(radius=1.1, location=(x + random.random() - 0.5, y + random.random() - 0.5, 3.6), segments=10, ring_count=6)
            bpy.context.object.data.materials.append(leaves)
    for x, y in ((5.6, 35.8), (-5.6, 24.2), (5.8, 34), (-5.8, 26)):
        bpy.ops.mesh.primitive_cylinder_add(radius=0.06, depth=3.1, location=(x, y, 1.55), vertices=8)
        box((x, y, 3.55), (0.32, 0.26, 0.95), material("head", (0.04, 0.04, 0.045)))
for i in range(10):
    side = -1 if i % 2 else 1
    bpy.ops.mesh.primitive_cylinder_add(radius=0.08, depth=5, location=(side * 5.4, 6 + 18 * (i // 2), 2.5), vertices=8)

bpy.ops.object.light_add(type="SUN", rotation=(math.radians(50), 0, math.radians(60)))
bpy.context.object.data.energy = 3
bpy.context.object.data.angle = math.radians(2)
world = bpy.data.worlds.new("sky")
world.use_nodes = True
world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.55, 0.65, 0.85, 1)
scene.world = world
bpy.ops.object.camera_add(location=(0, 0, 1.6), rotation=(math.radians(86), 0, 0))
scene.camera = bpy.context.object
scene.camera.data.angle_y = math.radians(55)

start = time.perf_counter()
for i in range(images):
    scene.render.filepath = f"{outdir}/cycles-{i}.png"
    bpy.ops.render.render(write_still=True)
elapsed = time.perf_counter() - start
print("CYCLES_RESULT " + json.dumps({"images": images, "seconds": elapsed}))
