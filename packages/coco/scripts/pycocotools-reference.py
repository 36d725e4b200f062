#!/usr/bin/env python3
"""Reference numbers from the real pycocotools for @adaptnet/coco's tests.

Usage: pycocotools-reference.py CASES.json OUT.json

CASES.json: {"cases": [{"name": ..., "gt": "gt.json", "results": "results.json"}, ...]}
(paths relative to CASES.json). For each case it runs COCOeval(iouType='bbox') exactly as a user
would (COCO(gt), loadRes(results), evaluate, accumulate, summarize) and writes
{"pycocotools": version, "numpy": version, "iouThrs": [...], "recThrs": [...],
 "cases": [{"name", "stats", "summary", "recall", "perCategoryAP", "precisionSha256", "scoresSha256",
 "seconds": {"load", "evaluateAccumulate"}}]}.
Floats are written with repr precision (17 significant digits), so they round-trip exactly.
"""
import contextlib
import hashlib
import io
import json
import os
import sys
import time
from importlib.metadata import version

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def evaluate(gt_path, results_path):
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        t0 = time.perf_counter()
        gt = COCO(gt_path)
        dt = gt.loadRes(results_path)
        t1 = time.perf_counter()
        ev = COCOeval(gt, dt, iouType='bbox')
        ev.evaluate()
        ev.accumulate()
        t2 = time.perf_counter()
    summary = io.StringIO()
    with contextlib.redirect_stdout(summary):
        ev.summarize()
    precision = ev.eval['precision']
    per_category = []
    for k, cat_id in enumerate(ev.params.catIds):
        p = precision[:, :, k, 0, -1]
        per_category.append({'categoryId': int(cat_id), 'ap': float(np.mean(p[p > -1])) if (p > -1).any() else -1.0})
    return {
        'stats': [float(s) for s in ev.stats],
        'summary': summary.getvalue().rstrip('\n'),
        'recall': [float(v) for v in ev.eval['recall'].ravel()],
        'perCategoryAP': per_category,
        'counts': [int(c) for c in ev.eval['counts']],
        'precisionSha256': hashlib.sha256(np.ascontiguousarray(precision, dtype='<f8').tobytes()).hexdigest(),
        'scoresSha256': hashlib.sha256(np.ascontiguousarray(ev.eval['scores'], dtype='<f8').tobytes()).hexdigest(),
        'seconds': {'load': t1 - t0, 'evaluateAccumulate': t2 - t1},
    }


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: pycocotools-reference.py CASES.json OUT.json')
    cases_path, out_path = sys.argv[1], sys.argv[2]
    with open(cases_path) as f:
        spec = json.load(f)
    base = os.path.dirname(os.path.abspath(cases_path))
    params = COCOeval(iouType='bbox').params
    out = {
        'pycocotools': version('pycocotools'),
        'numpy': np.__version__,
        'iouThrs': [float(v) for v in params.iouThrs],
        'recThrs': [float(v) for v in params.recThrs],
        'cases': [],
    }
    for case in spec['cases']:
        result = evaluate(os.path.join(base, case['gt']), os.path.join(base, case['results']))
        out['cases'].append({'name': case['name'], **result})
    with open(out_path, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
