"""@adaptnet/backbones' small video nets (slow-small, slowfast-small, x3d-small) in PyTorch, slimmable
as ours are, for bench/video-step.bench.ts's side-by-side ratios (2 threads).

Usage: python torch_video_nets.py SPEC_JSON serve|SECONDS
SPEC_JSON: {"net": "slow-small", "batch": 8, "variant": "full" | "sandwich", "format": "auto" |
  "channels_last_3d" | "contiguous", "full": {width, resolution, frames}, "subnets": [[cfg, cfg], ...]}
Prints one JSON line: {"clipsPerSec", "torch", "threads", "memoryFormat", "params", "macs"} where params
is the parameter count and macs the conv + linear multiply-adds per clip of the full configuration
(torch.utils.flop_counter, FLOPs / 2; null before torch 2.1) followed by each subnet configuration's. With "serve" the
first line has clipsPerSec 0, then one round is timed per "run SECONDS [STEPS]" line on stdin (at least
SECONDS and at least STEPS steps; exactly STEPS when SECONDS is 0), until "quit".

The nets are torch_video_models.py's. One step:
  full      forward at the full configuration, cross-entropy, backward, SGD (momentum 0.9, lr 0.05)
  sandwich  the full configuration on the labels, then each of the step's two subnets (cycling
            through "subnets": the iterations of @adaptnet/train's MutualNet sampler) by KL divergence to the detached full-net softmax, each backward on
            its own (gradients accumulate), then one SGD step. A subnet of Slow / X3D gets the clip
            resampled to its frames (nearest) and resolution (bilinear, half-pixel); SlowFast gets
            the whole clip and samples its Slow input itself (only the Slow pathway varies).
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_video_models import NETS, resample  # noqa: E402

torch.set_num_threads(2)
spec = json.loads(sys.argv[1])
serve = sys.argv[2] == "serve"
seconds = 0.0 if serve else float(sys.argv[2])
batch = spec["batch"]

full_cfg = spec["full"]
subnets = spec.get("subnets") or []
sandwich = spec.get("variant", "full") == "sandwich"
torch.manual_seed(0)


def clip_shape():
    t = full_cfg["frames"] * (4 if spec["net"] == "slowfast-small" else 1)
    return (batch, 3, t, full_cfg["resolution"], full_cfg["resolution"])


def input_for(x, cfg):
    if spec["net"] == "slowfast-small":
        return x
    return resample(x, cfg["frames"], cfg["resolution"], cfg["resolution"])


def forward_macs(net, cfg):
    try:
        from torch.utils.flop_counter import FlopCounterMode
    except ImportError:  # torch < 2.1 (Debian's 1.13)
        return None

    x = torch.randn(1, *clip_shape()[1:])
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(input_for(x, cfg), cfg)
    return counter.get_total_flops() // 2


def trainer(fmt):
    net = NETS[spec["net"]]()
    x = torch.randn(*clip_shape())
    if fmt == "channels_last_3d":
        net = net.to(memory_format=torch.channels_last_3d)
        x = x.contiguous(memory_format=torch.channels_last_3d)
    y = torch.arange(batch) % 10
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    state = {"i": 0}

    def step():
        opt.zero_grad(set_to_none=True)
        logits = net(x, full_cfg)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        if sandwich:
            target = F.softmax(logits.detach(), dim=1)
            for cfg in subnets[state["i"] % len(subnets)]:
                out = F.log_softmax(net(input_for(x, cfg), cfg), dim=1)
                F.kl_div(out, target, reduction="batchmean").backward()
            state["i"] += 1
        opt.step()
        loss.item()

    return net, step


def timed(step, min_seconds, min_steps):
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_seconds or n < min_steps:
        step()
        n += 1
    return batch * n / (time.perf_counter() - t0)


fmt = spec.get("format", "auto")
if fmt == "auto":
    trial = {}
    for f in ("channels_last_3d", "contiguous"):
        _, s = trainer(f)
        s()
        trial[f] = timed(s, 0, 1)
    fmt = max(trial, key=trial.get)
net, step = trainer(fmt)
params = sum(p.numel() for p in net.parameters())
macs = [forward_macs(net, full_cfg)] + [forward_macs(net, cfg) for pair in subnets for cfg in pair]
# Warm-up: one whole cycle of the sandwich's subnets (as the TypeScript side), so rounds start at
# the cycle's first iteration and every shape has run once.
cycle = len(subnets) if sandwich and subnets else 1
for _ in range(cycle if sandwich else 2):
    step()


def report(rate):
    out = {"clipsPerSec": rate, "torch": torch.__version__, "threads": torch.get_num_threads(), "memoryFormat": fmt}
    print(json.dumps({**out, "params": params, "macs": macs}), flush=True)


if serve:
    report(0)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        report(timed(step, float(cmd[1]), int(cmd[2]) if len(cmd) > 2 else 1))
else:
    report(timed(step, seconds, 1))
