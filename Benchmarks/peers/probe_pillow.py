#!/usr/bin/env python3
"""Peer for the probing benchmark: read width and height of every PNG in a folder with Pillow.

Image.open() parses only the header (pixels load lazily), so this is Pillow's header-only path,
the way most Python data loaders learn image sizes. Prints one JSON line with the timing.
"""
import json
import os
import sys
import time

from PIL import Image

folder = sys.argv[1]
names = sorted(n for n in os.listdir(folder) if n.endswith(".png"))
start = time.perf_counter()
total = 0
for name in names:
    with Image.open(os.path.join(folder, name)) as im:
        w, h = im.size
        total += w * h
elapsed = time.perf_counter() - start
print(json.dumps({"images": len(names), "seconds": elapsed, "pixels": total}))
