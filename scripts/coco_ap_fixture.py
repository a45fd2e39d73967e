#!/usr/bin/env python3
"""Records what pycocotools' COCOeval says about a set of detections, for EvaluationTests.

Writes ground truth (COCO instances), detections (COCO results) and COCOeval's figures into
Tests/EvaluationTests/Fixtures/coco-ap/. Our AP code is ours; this only checks it.
Usage: pip install pycocotools numpy; python3 scripts/coco_ap_fixture.py
"""
import json, os, random, sys
import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/EvaluationTests/Fixtures/coco-ap"
rng = random.Random(16)
W, H = 640, 480
categories = [{"id": 1, "name": "pedestrian"}, {"id": 2, "name": "car"}, {"id": 3, "name": "cyclist"},
              {"id": 7, "name": "traffic_light"}]   # 7: detections only, no ground truth
images, annotations, results = [], [], []
aid = 1
for image_id in range(1, 41):
    images.append({"id": image_id * 3, "file_name": f"{image_id:04d}.png", "width": W, "height": H})
    if image_id == 5:
        continue  # an image without objects
    for _ in range(rng.randint(0, 9)):
        cat = rng.choice([1, 1, 2, 3])
        side = rng.choice([6, 12, 20, 30, 40, 60, 90, 120, 200])
        w = side * rng.uniform(0.5, 1.2); h = side * rng.uniform(0.6, 2.2)
        x = rng.uniform(-10, W - w + 10); y = rng.uniform(0, H - h)
        crowd = 1 if rng.random() < 0.08 else 0
        area = w * h * rng.uniform(0.55, 0.95)   # a mask's area, smaller than its box
        annotations.append({"id": aid, "image_id": image_id * 3, "category_id": cat,
                            "bbox": [round(x, 2), round(y, 2), round(w, 2), round(h, 2)],
                            "area": round(area, 2), "iscrowd": crowd})
        aid += 1
        # detections: found with some jitter, sometimes twice, sometimes as another class
        for copy in range(rng.choice([0, 1, 1, 1, 2, 3] if not crowd else [0, 2, 4])):
            j = rng.uniform(0.0, 0.35)
            dx, dy = rng.uniform(-j, j) * w, rng.uniform(-j, j) * h
            sw, sh = rng.uniform(1 - j, 1 + j), rng.uniform(1 - j, 1 + j)
            dc = cat if rng.random() < 0.85 else rng.choice([1, 2, 3, 7])
            results.append({"image_id": image_id * 3, "category_id": dc,
                            "bbox": [round(x + dx, 2), round(y + dy, 2), round(w * sw, 2), round(h * sh, 2)],
                            "score": round(rng.choice([0.05, 0.1, 0.5, 0.9]) if rng.random() < 0.3 else rng.uniform(0.01, 1), 3)})
    # false positives; image 9 gets more than 100 detections of one class
    for _ in range(150 if image_id == 9 else rng.randint(0, 6)):
        w, h = rng.uniform(4, 150), rng.uniform(4, 200)
        results.append({"image_id": image_id * 3, "category_id": rng.choice([1, 2, 3, 7]),
                        "bbox": [round(rng.uniform(0, W - w), 2), round(rng.uniform(0, H - h), 2), round(w, 2), round(h, 2)],
                        "score": round(rng.uniform(0, 0.8), 3) if rng.random() > 0.2 else 0.5})
os.makedirs(out, exist_ok=True)
gt = {"images": images, "annotations": annotations, "categories": categories}
with open(f"{out}/gt.json", "w") as f: json.dump(gt, f)
with open(f"{out}/dt.json", "w") as f: json.dump(results, f)

def evaluate(img_ids=None):
    cg = COCO(f"{out}/gt.json"); cd = cg.loadRes(f"{out}/dt.json")
    e = COCOeval(cg, cd, "bbox")
    if img_ids is not None: e.params.imgIds = img_ids
    e.evaluate(); e.accumulate(); e.summarize()
    p = e.eval["precision"]
    def cat_ap(k, t=None):
        s = p[:, :, k, 0, 2] if t is None else p[t, :, k, 0, 2]
        s = s[s > -1]
        return float(np.mean(s)) if s.size else -1.0
    return {"stats": [float(x) for x in e.stats],
            "per_category_ap": [cat_ap(k) for k in range(len(categories))],
            "per_category_ap50": [cat_ap(k, 0) for k in range(len(categories))]}
expected = {"all": evaluate(), "subset": {"images": [i["id"] for i in images[10:25]], **evaluate([i["id"] for i in images[10:25]])}}
with open(f"{out}/expected.json", "w") as f: json.dump(expected, f, indent=1)
print(f"{len(annotations)} objects, {len(results)} detections")
