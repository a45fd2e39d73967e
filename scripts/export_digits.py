#!/usr/bin/env python3
"""Export the UCI optical handwritten digits (as scikit-learn ships them) to sample-data/.

Writes two ImageFolder datasets of 8x8 grayscale PNGs:
  real/digits          about 70 % of the images, stratified, with class 7 cut to 15 images
                       (the rare class the studio should show as a gap);
  real/digits-holdout  the other 30 %, stratified, untouched (held-out evaluation data).

File names are the image's index in load_digits() so every PNG can be traced back.
Deterministic: the split uses a fixed seed, and PNGs are written without timestamps.

Usage: pip install scikit-learn && python3 scripts/export_digits.py [OUT_DIR]
"""
import os
import struct
import sys
import zlib

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

RARE_CLASS = 7
RARE_KEEP = 15
HOLDOUT = 0.30
SEED = 0


def png_gray8(width, height, pixels):
    """A minimal 8-bit grayscale PNG (signature, IHDR, IDAT, IEND)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def write(folder, index, image, label):
    class_dir = os.path.join(folder, str(label))
    os.makedirs(class_dir, exist_ok=True)
    # load_digits holds 0..16 ink counts; scale to 0..255 (ink is bright, as in MNIST).
    pixels = [round(v * 255 / 16) for v in image.reshape(-1)]
    with open(os.path.join(class_dir, f"{index:04d}.png"), "wb") as f:
        f.write(png_gray8(8, 8, pixels))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "sample-data")
    digits = load_digits()
    indices = list(range(len(digits.target)))
    train, holdout = train_test_split(indices, test_size=HOLDOUT, stratify=digits.target, random_state=SEED)
    kept_rare = 0
    for i in sorted(train):
        label = int(digits.target[i])
        if label == RARE_CLASS:
            if kept_rare == RARE_KEEP:
                continue
            kept_rare += 1
        write(os.path.join(out, "real", "digits"), i, digits.images[i], label)
    for i in sorted(holdout):
        write(os.path.join(out, "real", "digits-holdout"), i, digits.images[i], int(digits.target[i]))


if __name__ == "__main__":
    main()
