#!/usr/bin/env python3
"""Export Fashion-MNIST (Debian's dataset-fashion-mnist, MIT) as the GAN route's second dataset.

Writes two ImageFolder datasets of 28x28 grayscale PNGs, made like the sample digits:
  OUT/fashion          the first 300 images of each class from the training file, with one class
                       (sandal) cut to its first 15: the rare class;
  OUT/fashion-holdout  the first 100 images of each class from the test file (t10k), untouched.

File names are the image's index in its IDX file, so every PNG can be traced back. Deterministic:
no randomness, and PNGs are written without timestamps. No dependency beyond the standard library.

Usage: python3 scripts/export_fashion.py OUT_DIR [--source /usr/share/datasets/fashion-mnist]
"""
import argparse
import gzip
import os
import struct
import zlib

CLASSES = ["t-shirt_top", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle_boot"]
RARE_CLASS = 5
RARE_KEEP = 15
TRAIN_PER_CLASS = 300
HOLDOUT_PER_CLASS = 100


def read_idx(path, magic, item_size):
    """The items of an IDX file (images: 28*28 bytes each; labels: 1 byte each), checked."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise SystemExit(f"{path}: too short for an IDX header")
    found, count = struct.unpack(">II", data[:8])
    if found != magic:
        raise SystemExit(f"{path}: magic {found:#x}, expected {magic:#x}")
    header = 16 if magic == 2051 else 8
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        if (rows, cols) != (28, 28):
            raise SystemExit(f"{path}: images are {rows}x{cols}, expected 28x28")
    if len(data) != header + count * item_size:
        raise SystemExit(f"{path}: {len(data)} bytes for {count} items of {item_size}")
    return [data[header + i * item_size: header + (i + 1) * item_size] for i in range(count)]


def png_gray8(width, height, pixels):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def export(images, labels, folder, per_class, rare_keep=None):
    taken = [0] * len(CLASSES)
    for index, (image, label) in enumerate(zip(images, labels)):
        c = label[0]
        limit = rare_keep if (rare_keep is not None and c == RARE_CLASS) else per_class
        if taken[c] >= limit:
            continue
        taken[c] += 1
        class_dir = os.path.join(folder, CLASSES[c])
        os.makedirs(class_dir, exist_ok=True)
        tmp = os.path.join(class_dir, f".{index:05d}.png.tmp")
        with open(tmp, "wb") as f:
            f.write(png_gray8(28, 28, image))
        os.replace(tmp, os.path.join(class_dir, f"{index:05d}.png"))
    return taken


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    src = args.source
    train = export(read_idx(f"{src}/train-images-idx3-ubyte.gz", 2051, 784),
                   read_idx(f"{src}/train-labels-idx1-ubyte.gz", 2049, 1),
                   os.path.join(args.out, "fashion"), TRAIN_PER_CLASS, RARE_KEEP)
    test = export(read_idx(f"{src}/t10k-images-idx3-ubyte.gz", 2051, 784),
                  read_idx(f"{src}/t10k-labels-idx1-ubyte.gz", 2049, 1),
                  os.path.join(args.out, "fashion-holdout"), HOLDOUT_PER_CLASS)
    print(f"fashion: {sum(train)} images ({CLASSES[RARE_CLASS]} cut to {train[RARE_CLASS]}); "
          f"fashion-holdout: {sum(test)} images")


if __name__ == "__main__":
    main()
