#!/usr/bin/env python3
"""Judge rendered pedestrians with a detector trained on real photos.

OpenCV's HOG people detector (Dalal & Triggs, trained on real pedestrians; its linear SVM
ships inside OpenCV) scores crops of every visible pedestrian. Real pedestrian crops score as
people about 79 % of the time; the goal for ours is at least 75 %.

    scripts/hog_judge.py DATASET [--montage crops.png] [--scenes scenes.png] [--json]
    scripts/hog_judge.py --render 100 [--binary .build/release/synthstudio] ...

DATASET is a rendered COCO dataset (annotations.json + images/). With --render N the script
renders N images at 640x480, 4 spp with the sample street recipe into a temporary folder
first. Needs `pip install "opencv-contrib-python-headless<5" pillow numpy`. A check to steer
by, not a test: it is never run by `make test`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
from PIL import Image, ImageDraw


def crops(dataset, min_height, min_visibility, max_truncation=0.1):
    """(crop 64x128 BGR, annotation, image name) for every pedestrian visible, inside the
    picture and tall enough (a person cut by the image border is not a person crop)."""
    with open(os.path.join(dataset, "annotations.json")) as f:
        coco = json.load(f)
    pedestrian = {c["id"] for c in coco["categories"] if c["name"] == "pedestrian"}
    images = {i["id"]: i for i in coco["images"]}
    by_image = {}
    for a in coco["annotations"]:
        if a["category_id"] not in pedestrian:
            continue
        attributes = a.get("attributes", {})
        if float(attributes.get("visibility", 1)) < min_visibility or a["bbox"][3] < min_height:
            continue
        if float(attributes.get("truncation", 0)) > max_truncation:
            continue
        if a.get("iscrowd", 0) or attributes.get("ignore") == "true":
            continue
        by_image.setdefault(a["image_id"], []).append(a)
    for image_id, annotations in sorted(by_image.items()):
        name = images[image_id]["file_name"]
        picture = cv2.imread(os.path.join(dataset, "images", name))
        # Pad by replication so crops near the border keep their context.
        pad = 200
        padded = cv2.copyMakeBorder(picture, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        for a in annotations:
            x, y, w, h = a["bbox"]
            # The HOG window holds a 96-px person in 64x128: the same share of context.
            window_h = h * 128 / 96
            window_w = window_h / 2
            cx, cy = x + w / 2 + pad, y + h / 2 + pad
            x0, y0 = int(round(cx - window_w / 2)), int(round(cy - window_h / 2))
            x1, y1 = int(round(cx + window_w / 2)), int(round(cy + window_h / 2))
            crop = padded[max(0, y0) : y1, max(0, x0) : x1]
            if crop.size == 0:
                continue
            yield cv2.resize(crop, (64, 128), interpolation=cv2.INTER_AREA), a, name


def scores(dataset, min_height, min_visibility, max_truncation=0.1):
    hog = cv2.HOGDescriptor()
    weights = cv2.HOGDescriptor_getDefaultPeopleDetector().ravel()
    results = []
    for crop, annotation, name in crops(dataset, min_height, min_visibility, max_truncation):
        features = hog.compute(crop).ravel()
        score = float(np.dot(weights[:-1], features) + weights[-1])
        results.append((score, crop, annotation, name))
    return results


def iou(a, b):
    ax0, ay0, aw, ah = a
    bx0, by0, bw, bh = b
    ix = max(0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    iy = max(0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    inter = ix * iy
    return inter / (aw * ah + bw * bh - inter) if inter > 0 else 0


def detection_rate(dataset, results):
    """Share of the judged pedestrians the full detector finds in their whole image at 2x."""
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    by_name = {}
    for _, _, a, name in results:
        by_name.setdefault(name, []).append(a["bbox"])
    found = total = detections = 0
    for name, boxes in by_name.items():
        picture = cv2.imread(os.path.join(dataset, "images", name))
        big = cv2.resize(picture, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
        rects, _ = hog.detectMultiScale(big, winStride=(8, 8), padding=(16, 16), scale=1.05)
        rects = [tuple(v / 2 for v in r) for r in rects]
        detections += len(rects)
        for box in boxes:
            total += 1
            # HOG boxes carry context around the person: match generously.
            if any(iou(box, r) >= 0.3 for r in rects):
                found += 1
    return found, total, detections, len(by_name)


def montage(results, path, columns=16):
    """Crops sorted by score, each captioned with it; red captions below zero."""
    ordered = sorted(results, key=lambda r: r[0])
    rows = (len(ordered) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * 68, rows * 146), (30, 30, 30))
    draw = ImageDraw.Draw(sheet)
    for k, (score, crop, _, _) in enumerate(ordered):
        x, y = (k % columns) * 68 + 2, (k // columns) * 146 + 2
        sheet.paste(Image.fromarray(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)), (x, y))
        draw.text((x + 2, y + 129), f"{score:+.2f}", fill=(120, 230, 120) if score > 0 else (240, 90, 90))
    sheet.save(path)


def scenes(dataset, path, count=8):
    """The first images with every annotation's box drawn, two per row at half size."""
    with open(os.path.join(dataset, "annotations.json")) as f:
        coco = json.load(f)
    names = {c["id"]: c["name"] for c in coco["categories"]}
    colours = {
        "pedestrian": (230, 159, 0), "cyclist": (0, 158, 115), "car": (86, 180, 233), "pedestrian_reflection": (204, 121, 167),
        "street_lamp": (240, 228, 66), "traffic_sign": (213, 94, 0), "traffic_light": (0, 114, 178),
    }
    tiles = []
    for image in coco["images"][:count]:
        picture = Image.open(os.path.join(dataset, "images", image["file_name"])).convert("RGB")
        draw = ImageDraw.Draw(picture)
        for a in coco["annotations"]:
            if a["image_id"] != image["id"]:
                continue
            x, y, w, h = a["bbox"]
            name = names[a["category_id"]]
            ignored = a.get("iscrowd", 0) or a.get("attributes", {}).get("ignore") == "true"
            draw.rectangle([x, y, x + w, y + h], outline=(128, 128, 128) if ignored else colours.get(name, (255, 255, 255)))
        tiles.append(picture)
    if not tiles:
        return
    w, h = tiles[0].size
    sheet = Image.new("RGB", (2 * w, ((len(tiles) + 1) // 2) * h))
    for k, tile in enumerate(tiles):
        sheet.paste(tile, ((k % 2) * w, (k // 2) * h))
    sheet.save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?")
    parser.add_argument("--render", type=int, default=0, help="render this many images first")
    parser.add_argument("--binary", default=".build/release/synthstudio")
    parser.add_argument("--recipe", default="sample-data/scenes/street.yaml")
    parser.add_argument("--seed", default="7")
    parser.add_argument("--min-height", type=float, default=48)
    parser.add_argument("--min-visibility", type=float, default=0.7)
    parser.add_argument("--max-truncation", type=float, default=0.1)
    parser.add_argument("--montage")
    parser.add_argument("--scenes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    dataset = args.dataset
    if args.render:
        dataset = dataset or tempfile.mkdtemp(prefix="hog-judge-")
        subprocess.run(
            [args.binary, "render", "--recipe", args.recipe, "--count", str(args.render), "--seed", args.seed, "--size", "640x480",
             "--spp", "4", "--out", dataset],
            check=True, stdout=subprocess.DEVNULL)
    if not dataset:
        parser.error("give a DATASET or --render N")
    results = scores(dataset, args.min_height, args.min_visibility, args.max_truncation)
    if not results:
        print(f"no pedestrian at least {args.min_height:g} px tall and {args.min_visibility:g} visible in {dataset}")
        return 1
    positive = sum(1 for r in results if r[0] > 0)
    found, total, detections, pictures = detection_rate(dataset, results)
    summary = {
        "dataset": dataset, "crops": len(results), "scored_as_person": positive, "crop_rate": positive / len(results),
        "median_score": float(np.median([r[0] for r in results])), "detected": found, "judged": total,
        "detection_rate": found / total if total else 0.0, "detections_per_image": detections / pictures if pictures else 0.0,
    }
    # The rate per condition the images carry, and per pose and carried object.
    breakdown = {}
    for score, _, annotation, _ in results:
        attributes = annotation.get("attributes", {})
        for key in ("weather", "time_of_day", "pose", "view", "age", "carrying"):
            value = attributes.get(key, "none" if key == "carrying" else None)
            if value is None:
                continue
            cell = breakdown.setdefault(key, {}).setdefault(value, [0, 0])
            cell[0] += score > 0
            cell[1] += 1
    summary["by"] = {key: {value: {"person": c[0], "crops": c[1]} for value, c in sorted(cells.items())} for key, cells in breakdown.items()}
    if args.montage:
        montage(results, args.montage)
        summary["montage"] = args.montage
    if args.scenes:
        scenes(dataset, args.scenes)
        summary["scenes"] = args.scenes
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"HOG people classifier on {len(results)} pedestrian crops (>= {args.min_height:g} px, visibility >= {args.min_visibility:g}, truncation <= {args.max_truncation:g}):")
        print(f"  scored as a person: {positive}/{len(results)} = {100 * summary['crop_rate']:.1f} %   (real pedestrians: about 79 %; goal >= 75 %)")
        print(f"  median score: {summary['median_score']:+.2f}")
        print(f"  whole-image detector at 2x: {found}/{total} = {100 * summary['detection_rate']:.1f} % found, {summary['detections_per_image']:.1f} detections per image")
        for key, cells in summary["by"].items():
            text = ", ".join(f"{value} {c['person']}/{c['crops']}" for value, c in cells.items())
            print(f"  by {key}: {text}")
        for key in ("montage", "scenes"):
            if key in summary:
                print(f"  {key}: {summary[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
