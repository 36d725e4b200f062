"""@adaptnet/detection's detector in PyTorch, slimmable as ours is, for bench/detect-step.bench.ts's
same-run images/s ratios.

Usage: python torch_detect.py JOB_JSON_FILE
The job (written by the TypeScript side): the architecture (MobileNetV1 stem + depthwise-separable
blocks with BN and ReLU6, FPN over the last `stages` stages + `extraLevels` stride-2 convs, FCOS
head with `headConvs` x (3x3 conv, GroupNorm, ReLU) per tower shared by the levels), `variant`
("full" or "sandwich"), and `configs`: for every configuration a step runs, its width, the active
output channels of every backbone conv (stem, then dw / pw of each block; the TypeScript side's
slimming rule, @adaptnet/slimmable's), its input batch and FCOS targets per point. `iterations`
lists the configurations of each step by index (full: [[0]]; sandwich: the MutualNet sampler's
iterations, cycled). Slimming: a conv reads the first `cin` input channels and writes the first
`cout` outputs; the FPN laterals slim on the input side only; the FPN and head never slim. BN uses
batch statistics and keeps no running ones (ours under the 'config' policy while training).

One step: for each configuration of the iteration, forward, FCOS loss (focal / GIoU weighted by the
centre-ness targets / centre-ness BCE), backward (gradients accumulate), then one SGD step
(Nesterov momentum 0.9, lr 0.01, no weight decay).

Prints one JSON line {"params", "macs": [per configuration, conv multiply-adds of one forward at
its input, torch.utils.flop_counter / 2], "torch", "threads", "imagesPerSec": 0}, then times one
round per "run SECONDS" line on stdin (at least one step), answering {"imagesPerSec", ...}, until "quit".
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

job = json.load(open(sys.argv[1]))
THREADS = job.get("threads", 2)
torch.set_num_threads(THREADS)
torch.manual_seed(0)


class SlimBackbone(nn.Module):
    """MobileNetV1: 3x3 stem (stride stemStride), then (3x3 depthwise, 1x1 pointwise) blocks."""

    def __init__(self, cin, stem, blocks, stem_stride):
        super().__init__()
        self.convs = nn.ParameterList()
        self.bns = nn.ParameterList()
        self.layout = []  # (kind, stride) per conv
        self.convs.append(nn.Parameter(torch.randn(stem, cin, 3, 3) * 0.1))
        self.layout.append(("conv", stem_stride))
        ch = stem
        for c, s in blocks:
            self.convs.append(nn.Parameter(torch.randn(ch, 1, 3, 3) * 0.1))
            self.layout.append(("dw", s))
            self.convs.append(nn.Parameter(torch.randn(c, ch, 1, 1) * 0.1))
            self.layout.append(("pw", 1))
            ch = c
        for w in self.convs:
            self.bns.append(nn.Parameter(torch.ones(w.shape[0])))
            self.bns.append(nn.Parameter(torch.zeros(w.shape[0])))
        # Stage outputs: before every downsampling conv after the stem, and at the end.
        self.stage_end = [i - 1 for i, (k, s) in enumerate(self.layout) if i > 0 and k != "pw" and s > 1]
        self.stage_end.append(len(self.layout) - 1)

    def forward(self, x, channels):
        outs = []
        for i, ((kind, stride), w) in enumerate(zip(self.layout, self.convs)):
            cout = channels[i]
            cin = x.shape[1]
            if kind == "dw":
                x = F.conv2d(x, w[:cout], None, stride, 1, 1, cout)
            else:
                x = F.conv2d(x, w[:cout, :cin], None, stride, w.shape[-1] // 2)
            x = F.batch_norm(x, None, None, self.bns[2 * i][:cout], self.bns[2 * i + 1][:cout], True, 0.0, 1e-5)
            x = F.relu6(x)
            if i in self.stage_end:
                outs.append(x)
        return outs


class Detector(nn.Module):
    def __init__(self, j):
        super().__init__()
        c, k = j["channels"], j["numClasses"]
        self.backbone = SlimBackbone(j["inChannels"], j["stemChannels"], j["blocks"], j["stemStride"])
        self.stages = j["stages"]
        self.lat = nn.ModuleList([nn.Conv2d(i, c, 1) for i in j["stageChannels"]])
        self.out = nn.ModuleList([nn.Conv2d(c, c, 3, 1, 1) for _ in j["stageChannels"]])
        self.extra = nn.ModuleList([nn.Conv2d(c, c, 3, 2, 1) for _ in range(j["extraLevels"])])
        tower = lambda: nn.Sequential(*[m for _ in range(j["headConvs"]) for m in (nn.Conv2d(c, c, 3, 1, 1), nn.GroupNorm(j["groups"], c), nn.ReLU())])
        self.cls_tower, self.reg_tower = tower(), tower()
        self.cls = nn.Conv2d(c, k, 3, 1, 1)
        self.reg = nn.Conv2d(c, 4, 3, 1, 1)
        self.ctr = nn.Conv2d(c, 1, 3, 1, 1)
        nn.init.constant_(self.cls.bias, -math.log(99))
        self.scales = nn.Parameter(torch.ones(len(j["stageChannels"]) + j["extraLevels"]))
        self.k = k

    def forward(self, x, channels):
        feats = self.backbone(x, channels)[-self.stages:]
        lat = [F.conv2d(f, l.weight[:, : f.shape[1]], l.bias) for l, f in zip(self.lat, feats)]
        merged = [None] * len(lat)
        top = lat[-1]
        merged[-1] = top
        for i in range(len(lat) - 2, -1, -1):
            top = lat[i] + F.interpolate(top, size=lat[i].shape[-2:], mode="nearest")
            merged[i] = top
        ps = [o(m) for o, m in zip(self.out, merged)]
        last = ps[-1]
        for i, e in enumerate(self.extra):
            last = e(last if i == 0 else F.relu(last))
            ps.append(last)
        rows = []
        for i, p in enumerate(ps):
            c = self.cls_tower(p)
            r = self.reg_tower(p)
            ltrb = torch.exp(torch.clamp(self.reg(r) * self.scales[i], -10, 10))
            y = torch.cat([self.cls(c), ltrb, self.ctr(r)], 1)
            rows.append(y.permute(0, 2, 3, 1).reshape(y.shape[0], -1, self.k + 5))
        return torch.cat(rows, 1)


def loss_fn(out, t, k):
    n, p, d = out.shape
    flat = out.reshape(n * p, d)
    labels = t["labels"]
    onehot = torch.zeros(n * p, k)
    pos = (labels >= 0).nonzero().squeeze(1)
    onehot[pos, labels[pos]] = 1
    x = flat[:, :k]
    prob = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, onehot, reduction="none")
    pt = prob * onehot + (1 - prob) * (1 - onehot)
    at = 0.25 * onehot + 0.75 * (1 - onehot)
    m = max(1, pos.numel())
    cls = (at * (1 - pt) ** 2 * ce).sum() / m
    if pos.numel() == 0:
        return cls
    rows = flat[pos]
    pl, ptp, pr, pb = rows[:, k : k + 4].unbind(1)
    tl, tt, tr, tb = t["ltrb"][pos].unbind(1)
    inter = (torch.min(pl, tl) + torch.min(pr, tr)).clamp(min=0) * (torch.min(ptp, tt) + torch.min(pb, tb)).clamp(min=0)
    union = (pl + pr) * (ptp + pb) + (tl + tr) * (tt + tb) - inter
    enc = (torch.max(pl, tl) + torch.max(pr, tr)) * (torch.max(ptp, tt) + torch.max(pb, tb)) + 1e-7
    giou = inter / (union + 1e-7) - (enc - union) / enc
    ctr_t = t["ctr"][pos]
    reg = ((1 - giou) * ctr_t).sum() / max(1e-6, ctr_t.sum().item())
    ctr = F.binary_cross_entropy_with_logits(rows[:, k + 4], ctr_t)
    return cls + reg + ctr


model = Detector(job)
params = sum(p.numel() for p in model.parameters())
configs = []
for c in job["configs"]:
    n, h, w, ch = c["input"]
    configs.append(
        {
            "channels": c["channels"],
            "x": torch.tensor(c["pixels"], dtype=torch.float32).reshape(n, h, w, ch).permute(0, 3, 1, 2).contiguous(),
            "t": {
                "labels": torch.tensor(c["labels"], dtype=torch.long),
                "ltrb": torch.tensor(c["ltrb"], dtype=torch.float32).reshape(-1, 4),
                "ctr": torch.tensor(c["ctr"], dtype=torch.float32),
            },
        }
    )
iterations = job["iterations"]
batch = configs[0]["x"].shape[0]


def conv_macs(cfg):
    try:
        from torch.utils.flop_counter import FlopCounterMode
    except ImportError:
        return None
    one = cfg["x"][:1]
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(one, cfg["channels"])
    return counter.get_total_flops() // 2


opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
model.train()
state = {"step": 0}


def step():
    opt.zero_grad(set_to_none=True)
    for i in iterations[state["step"] % len(iterations)]:
        cfg = configs[i]
        loss = loss_fn(model(cfg["x"], cfg["channels"]), cfg["t"], job["numClasses"])
        loss.backward()
        loss.item()
    opt.step()
    state["step"] += 1


def line(rate):
    return json.dumps({"imagesPerSec": rate, "params": params, "macs": macs, "torch": torch.__version__, "threads": THREADS})


macs = [conv_macs(c) for c in configs]
step()  # warm-up
print(line(0), flush=True)
for cmd in sys.stdin:
    cmd = cmd.strip()
    if cmd == "quit":
        break
    seconds = float(cmd.split()[1])
    n = 0
    t0 = time.perf_counter()
    while n < 1 or time.perf_counter() - t0 < seconds:
        step()
        n += 1
    print(line(batch * n / (time.perf_counter() - t0)), flush=True)
