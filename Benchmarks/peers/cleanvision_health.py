#!/usr/bin/env python3
"""The peer for `synthstudio-bench health`: cleanvision's default checks on a folder of images.

Usage: python3 cleanvision_health.py IMAGE_FOLDER OUT.json
Writes {"seconds": wall, "issues": {issue_type: [file names]}} (issue types as cleanvision names them).
"""
import json, os, sys, time
from cleanvision import Imagelab

folder, out = sys.argv[1], sys.argv[2]
start = time.time()
lab = Imagelab(data_path=folder)
lab.find_issues(verbose=False)
seconds = time.time() - start
issues = {}
for column in lab.issues.columns:
    if column.startswith("is_") and column.endswith("_issue"):
        kind = column[3:-6]
        issues[kind] = sorted(os.path.basename(p) for p in lab.issues.index[lab.issues[column]])
with open(out, "w") as f:
    json.dump({"seconds": seconds, "issues": issues}, f)
