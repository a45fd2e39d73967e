"""Writes the OpenEXR fixtures of Tests/ImageIOTests/Fixtures (see its README.md)."""
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
def save(name, w, h, pixels, codec, depth):
    img = bpy.data.images.new(name, width=w, height=h, float_buffer=True, alpha=True)
    img.pixels = pixels
    s = bpy.context.scene.render.image_settings
    s.file_format = "OPEN_EXR"; s.color_depth = depth; s.exr_codec = codec; s.color_mode = "RGB"
    img.save_render(filepath=f"{out}/{name}.exr", scene=bpy.context.scene)
# 8×4: a gradient, one "sun" pixel of 100000 (above half's 65504) at (x 5, y 1 from the top).
w, h = 8, 4
px = []
for y in range(h):          # Blender rows go bottom-up
    top = h - 1 - y
    for x in range(w):
        v = [0.1 * x, 0.2 * top, 0.5, 1.0]
        if (x, top) == (5, 1): v = [100000.0, 90000.0, 70000.0, 1.0]
        px += v
for codec in ["ZIP", "PIZ", "NONE", "DWAB"]:
    save(f"sun-float-{codec.lower()}", w, h, px, codec, "32")
save("sun-half-zip", w, h, px, "ZIP", "16")
