#!/usr/bin/env python3
"""Writes the sample workspace's 3D assets (our own work, CC0 like the rest of sample-data):
a wooden crate as OBJ + MTL + PNG, and a traffic cone and a ball as glTF 2.0 (.gltf + .bin, and
.glb with its texture embedded), with procedural textures; a clear green glass bottle and a
frosted glass vase as .glb (KHR_materials_transmission: thin-walled glass, one surface), a solid
glass paperweight (KHR_materials_volume: refracting, absorbing); and
four pictures in ../textures/ for a recipe's `textures:` (domain randomization). Run from the repository root:
    python3 scripts/make_assets.py sample-data/assets
"""
import json, math, random, struct, sys, zlib, os

def png(path, w, h, pixel):
    rows = b"".join(b"\0" + bytes(c for x in range(w) for c in pixel(x, y)) for y in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    if path: open(path, "wb").write(data)
    return data

rng = random.Random(7)
def noise_table(n):
    return [[rng.random() for _ in range(n)] for _ in range(n)]
NOISE = noise_table(64)
def smooth(x, y, scale):
    x, y = x / scale, y / scale
    x0, y0 = int(math.floor(x)), int(math.floor(y))
    tx, ty = x - x0, y - y0
    g = lambda i, j: NOISE[j % 64][i % 64]
    a = g(x0, y0) + (g(x0 + 1, y0) - g(x0, y0)) * tx
    b = g(x0, y0 + 1) + (g(x0 + 1, y0 + 1) - g(x0, y0 + 1)) * tx
    return a + (b - a) * ty

def wood(x, y):
    plank = y // 32
    grain = math.sin((x * 0.08 + smooth(x, y + plank * 50, 16) * 6) + plank) * 0.5 + 0.5
    seam = 0.45 if y % 32 in (0, 1) or x in (0, 1, 254, 255) else 1.0
    shade = (0.75 + 0.25 * grain) * seam * (0.85 + 0.15 * smooth(x, y, 40))
    base = [(176, 124, 74), (160, 110, 62), (188, 136, 84)][plank % 3]
    return tuple(int(min(255, c * shade)) for c in base)

def crate(folder):
    png(os.path.join(folder, "crate.png"), 256, 256, wood)
    s = 0.5
    corners = [(-s, 0, -s), (s, 0, -s), (s, 1, -s), (-s, 1, -s), (-s, 0, s), (s, 0, s), (s, 1, s), (-s, 1, s)]
    faces = [(0, 1, 2, 3), (5, 4, 7, 6), (4, 0, 3, 7), (1, 5, 6, 2), (3, 2, 6, 7), (4, 5, 1, 0)]
    lines = ["# A wooden crate, 1 m on each side (SynthStudio sample asset, CC0).", "mtllib crate.mtl"]
    lines += ["v %g %g %g" % c for c in corners]
    lines += ["vt 0 0", "vt 1 0", "vt 1 1", "vt 0 1"]
    lines += ["usemtl wood"]
    for f in faces:
        lines.append("f " + " ".join("%d/%d" % (v + 1, t + 1) for v, t in zip(f, (0, 1, 2, 3))))
    open(os.path.join(folder, "crate.obj"), "w").write("\n".join(lines) + "\n")
    open(os.path.join(folder, "crate.mtl"), "w").write("newmtl wood\nKd 1 1 1\nNs 10\nmap_Kd crate.png\n")

def lathe(profile, segments):
    """Positions, normals, UVs and indices of a surface of revolution about y."""
    pos, nrm, uv, idx = [], [], [], []
    for i, (r, y) in enumerate(profile):
        # The profile's slope gives the normal's tilt.
        a, b = profile[max(0, i - 1)], profile[min(len(profile) - 1, i + 1)]
        dr, dy = b[0] - a[0], b[1] - a[1]
        ln = math.hypot(dr, dy) or 1
        nr, ny = dy / ln, -dr / ln
        for k in range(segments + 1):
            t = 2 * math.pi * k / segments
            pos += [r * math.cos(t), y, r * math.sin(t)]
            nrm += [nr * math.cos(t), ny, nr * math.sin(t)]
            uv += [k / segments, 1 - i / (len(profile) - 1)]
    row = segments + 1
    for i in range(len(profile) - 1):
        for k in range(segments):
            a, b, c, d = i * row + k, i * row + k + 1, (i + 1) * row + k, (i + 1) * row + k + 1
            idx += [a, c, b, b, c, d]
    return pos, nrm, uv, idx

def gltf(folder, name, pos, nrm, uv, idx, material, texture_png, binary, extensions=()):
    body = struct.pack("<%df" % len(pos), *pos) + struct.pack("<%df" % len(nrm), *nrm) + struct.pack("<%df" % len(uv), *uv) + struct.pack("<%dI" % len(idx), *idx)
    offsets = [0, len(pos) * 4, len(pos) * 8, len(pos) * 8 + len(uv) * 4]
    n = len(pos) // 3
    xs, ys, zs = pos[0::3], pos[1::3], pos[2::3]
    doc = {
        "asset": {"version": "2.0", "generator": "SynthStudio scripts/make_assets.py", "copyright": "CC0"},
        "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0, "name": name}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2}, "indices": 3, "material": 0}]}],
        "materials": [material],
        "textures": [{"source": 0, "sampler": 0}], "samplers": [{"wrapS": 10497, "wrapT": 10497}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": n, "type": "VEC3", "min": [min(xs), min(ys), min(zs)], "max": [max(xs), max(ys), max(zs)]},
            {"bufferView": 1, "componentType": 5126, "count": n, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5126, "count": n, "type": "VEC2"},
            {"bufferView": 3, "componentType": 5125, "count": len(idx), "type": "SCALAR"},
        ],
        "bufferViews": [
            {"buffer": 0, "byteOffset": offsets[0], "byteLength": len(pos) * 4},
            {"buffer": 0, "byteOffset": offsets[1], "byteLength": len(nrm) * 4},
            {"buffer": 0, "byteOffset": offsets[2], "byteLength": len(uv) * 4},
            {"buffer": 0, "byteOffset": offsets[3], "byteLength": len(idx) * 4},
        ],
    }
    if extensions:
        doc["extensionsUsed"] = list(extensions)
    if binary:
        image_offset = len(body)
        body += texture_png
        body += b"\0" * (-len(body) % 4)
        doc["bufferViews"].append({"buffer": 0, "byteOffset": image_offset, "byteLength": len(texture_png)})
        doc["images"] = [{"bufferView": 4, "mimeType": "image/png"}]
        doc["buffers"] = [{"byteLength": len(body)}]
        text = json.dumps(doc, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 4)
        out = b"glTF" + struct.pack("<II", 2, 12 + 8 + len(text) + 8 + len(body))
        out += struct.pack("<I", len(text)) + b"JSON" + text + struct.pack("<I", len(body)) + b"BIN\0" + body
        open(os.path.join(folder, name + ".glb"), "wb").write(out)
    else:
        open(os.path.join(folder, name + ".bin"), "wb").write(body)
        open(os.path.join(folder, name + ".png"), "wb").write(texture_png)
        doc["images"] = [{"uri": name + ".png"}]
        doc["buffers"] = [{"uri": name + ".bin", "byteLength": len(body)}]
        open(os.path.join(folder, name + ".gltf"), "w").write(json.dumps(doc, indent=1) + "\n")

def cone(folder):
    # A 0.7 m traffic cone on a square-ish base: orange with two white reflective bands.
    profile = [(0.0, 0.0), (0.2, 0.0), (0.2, 0.03), (0.17, 0.05), (0.035, 0.7), (0.0, 0.71)]
    pos, nrm, uv, idx = lathe(profile, 32)
    def stripes(x, y):
        v = y / 128
        white = 0.35 < v < 0.45 or 0.6 < v < 0.68
        dirt = 0.85 + 0.15 * smooth(x, y, 12)
        c = (235, 235, 228) if white else (240, 92, 24)
        return tuple(int(ch * dirt) for ch in c)
    texture = png(None, 64, 128, stripes)
    material = {"name": "cone", "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "metallicFactor": 0.0, "roughnessFactor": 0.55}}
    gltf(folder, "cone", pos, nrm, uv, idx, material, texture, binary=False)

def ball(folder):
    rings = 24
    profile = [(0.12 * math.sin(math.pi * i / rings), 0.12 - 0.12 * math.cos(math.pi * i / rings)) for i in range(rings + 1)]
    pos, nrm, uv, idx = lathe(profile, 32)
    def panels(x, y):
        return (30, 60, 200) if (x // 16 + y // 16) % 2 else (245, 240, 230)
    texture = png(None, 128, 64, panels)
    material = {"name": "ball", "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "metallicFactor": 0.0, "roughnessFactor": 0.3}}
    gltf(folder, "ball", pos, nrm, uv, idx, material, texture, binary=True)

def glass(folder, name, profile, color, roughness, volume=None):
    # One surface of revolution (the renderer's glass is a thin sheet: no inner wall), a plain
    # texture of white, tinted by the base colour factor.
    pos, nrm, uv, idx = lathe(profile, 40)
    texture = png(None, 4, 4, lambda x, y: (255, 255, 255))
    material = {
        "name": name,
        "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "baseColorFactor": color + [1.0], "metallicFactor": 0.0, "roughnessFactor": roughness},
        "extensions": {"KHR_materials_transmission": {"transmissionFactor": 1.0}, "KHR_materials_ior": {"ior": 1.5}},
    }
    extensions = ["KHR_materials_transmission", "KHR_materials_ior"]
    if volume:
        material["extensions"]["KHR_materials_volume"] = volume
        extensions.append("KHR_materials_volume")
    gltf(folder, name, pos, nrm, uv, idx, material, texture, binary=True, extensions=extensions)

def bottle(folder):
    # A 0.3 m wine bottle: body, shoulder, neck, lip; clear green glass.
    profile = [(0.0, 0.0), (0.036, 0.002), (0.038, 0.01), (0.038, 0.19), (0.034, 0.215), (0.022, 0.235), (0.015, 0.25), (0.014, 0.29), (0.016, 0.292), (0.016, 0.3), (0.0, 0.3)]
    glass(folder, "bottle", profile, [0.55, 0.8, 0.5], 0.0)

def vase(folder):
    # A 0.4 m vase of frosted white glass.
    rings = 16
    profile = [(0.0, 0.0), (0.06, 0.0)] + [(0.06 + 0.05 * math.sin(math.pi * i / rings) - 0.02 * i / rings, 0.01 + 0.39 * i / rings) for i in range(rings + 1)]
    glass(folder, "vase", profile, [0.95, 0.95, 0.95], 0.45)

def paperweight(folder):
    # A solid glass dome 9 cm across (KHR_materials_volume: it bends what is seen through it),
    # tinted blue by absorption inside.
    rings = 16
    profile = [(0.0, 0.0), (0.045, 0.0)] + [(0.045 * math.cos(math.pi / 2 * i / rings), 0.045 * math.sin(math.pi / 2 * i / rings)) for i in range(1, rings + 1)]
    glass(folder, "paperweight", profile, [1.0, 1.0, 1.0], 0.0,
          volume={"thicknessFactor": 0.09, "attenuationDistance": 0.1, "attenuationColor": [0.55, 0.75, 0.95]})

def pictures(folder):
    # Pictures a recipe's `textures:` puts on objects in place of their colour (domain
    # randomization): stripes, checks, a marbled noise and dots, 128 px, in colours of their own.
    os.makedirs(folder, exist_ok=True)
    def stripes(x, y):
        return (200, 40, 40) if (x + y) // 12 % 2 else (240, 220, 60)
    def checks(x, y):
        return (30, 30, 30) if (x // 16 + y // 16) % 2 else (230, 230, 230)
    def marble(x, y):
        t = 0.5 + 0.5 * math.sin(x * 0.05 + smooth(x, y, 24) * 8)
        return (int(90 + 140 * t), int(110 + 120 * t), int(150 + 100 * t))
    def dots(x, y):
        dx, dy = x % 24 - 12, y % 24 - 12
        return (20, 90, 200) if dx * dx + dy * dy < 40 else (250, 160, 40)
    for name, pixel in [("stripes", stripes), ("checks", checks), ("marble", marble), ("dots", dots)]:
        png(os.path.join(folder, name + ".png"), 128, 128, pixel)

if __name__ == "__main__":
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    crate(folder); cone(folder); ball(folder); bottle(folder); vase(folder); paperweight(folder)
    pictures(os.path.join(folder, "..", "textures"))
