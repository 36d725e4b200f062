"""PyTorch's Conv3D kernels (2 threads, channels-last-3d) for bench/conv3d-kernels.bench.ts.

Usage: python torch_conv3d.py SECONDS 'JSON list of {x: [n,d,h,w,c], w: [kd,kh,kw,ci,co], s: [sd,sh,sw]}'
  -> prints {"torch": ..., "rows": [{"fwd": ms, "bwdData": ms, "bwdFilter": ms}, ...]}
Padding is symmetric k // 2 (TF 'same' gives the same output size for these odd kernels). The two
gradients are aten::convolution_backward with one output each, the kernels autograd runs.
"""
import json
import sys
import time

import torch

torch.set_num_threads(2)
seconds = float(sys.argv[1])
specs = json.loads(sys.argv[2])
cl = torch.channels_last_3d


def timed(fn):
    fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or n < 3:
        fn()
        n += 1
    return 1000 * (time.perf_counter() - t0) / n


rows = []
with torch.no_grad():
    for sp in specs:
        n, d, h, w, ci = sp["x"]
        kd, kh, kw, _, co = sp["w"]
        stride = sp["s"]
        pad = [kd // 2, kh // 2, kw // 2]
        x = torch.randn(n, ci, d, h, w).contiguous(memory_format=cl)
        wt = torch.randn(co, ci, kd, kh, kw).contiguous(memory_format=cl)
        y = torch.nn.functional.conv3d(x, wt, None, stride, pad)
        dy = torch.randn_like(y).contiguous(memory_format=cl)

        def bwd(mask):
            return lambda: torch.ops.aten.convolution_backward(dy, x, wt, None, stride, pad, [1, 1, 1], False, [0, 0, 0], 1, mask)

        rows.append({
            "fwd": timed(lambda: torch.nn.functional.conv3d(x, wt, None, stride, pad)),
            "bwdData": timed(bwd([True, False, False])),
            "bwdFilter": timed(bwd([False, True, False])),
        })
print(json.dumps({"torch": torch.__version__, "rows": rows}))
