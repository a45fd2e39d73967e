#!/usr/bin/env python3
"""Check a dataset SynthStudio wrote with the field's own tool: pycocotools must load it, every
box must be the bounding box of its mask, and every mask's area must match.

Usage: pip install pycocotools && python3 scripts/check_coco.py DATASET_DIR
"""
import sys

from pycocotools import mask as maskUtils
from pycocotools.coco import COCO

root = sys.argv[1]
coco = COCO(f"{root}/annotations.json")
bad = 0
for ann in coco.loadAnns(coco.getAnnIds()):
    seg = ann.get("segmentation")
    if not isinstance(seg, dict):
        continue
    box = maskUtils.toBbox(seg).tolist()
    area = float(maskUtils.area(seg))
    if any(abs(a - b) > 1e-6 for a, b in zip(box, ann["bbox"])) or abs(area - ann["area"]) > 1e-6:
        bad += 1
        print("mismatch:", ann["id"], box, ann["bbox"], area, ann["area"])
cats = {c["id"]: c["name"] for c in coco.loadCats(coco.getCatIds())}
weathers = sorted({img.get("attributes", {}).get("weather") for img in coco.loadImgs(coco.getImgIds())})
print(f"{len(coco.getImgIds())} images, {len(coco.getAnnIds())} annotations, classes {sorted(cats.values())}, weathers {weathers}")
print("OK" if bad == 0 else f"{bad} annotations disagree with their masks")
sys.exit(1 if bad else 0)
