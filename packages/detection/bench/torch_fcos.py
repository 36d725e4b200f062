"""The @adaptnet/detection detector in PyTorch, for a same-run training-speed comparison.

Reads a JSON job (architecture, input shape, steps, FCOS targets per point computed by the
TypeScript side) on argv[1], builds the same network (MobileNetV1 blocks with BN and ReLU6, FPN
with a P6, FCOS head with GroupNorm shared by the levels), trains `steps` SGD steps on the same
batch with the same loss (focal / GIoU weighted by centre-ness / centre-ness BCE), and prints JSON:
parameter count, loss of the first step, median milliseconds per step.
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

job = json.load(open(sys.argv[1]))
torch.set_num_threads(job.get("threads", 2))
torch.manual_seed(0)


def cbr(cin, cout, k, s, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.ReLU6())


class Backbone(nn.Module):
    def __init__(self, cin, stem, blocks, stem_stride):
        super().__init__()
        layers = [(cbr(cin, stem, 3, stem_stride), stem_stride)]
        ch = stem
        for c, s in blocks:
            layers.append((nn.Sequential(cbr(ch, ch, 3, s, groups=ch), cbr(ch, c, 1, 1)), s))
            ch = c
        self.mods = nn.ModuleList([m for m, _ in layers])
        # A new stage at every downsampling module, as the TypeScript backbone groups them.
        self.stage_end = []
        for i, (_, s) in enumerate(layers):
            if i > 0 and s > 1:
                self.stage_end.append(i - 1)
        self.stage_end.append(len(layers) - 1)

    def forward(self, x):
        outs = []
        for i, m in enumerate(self.mods):
            x = m(x)
            if i in self.stage_end:
                outs.append(x)
        return outs


class Detector(nn.Module):
    def __init__(self, j):
        super().__init__()
        c, k = j["channels"], j["numClasses"]
        self.backbone = Backbone(j["inChannels"], j["stemChannels"], j["blocks"], j["stemStride"])
        self.stages = j["stages"]
        ins = j["stageChannels"]
        self.lat = nn.ModuleList([nn.Conv2d(i, c, 1) for i in ins])
        self.out = nn.ModuleList([nn.Conv2d(c, c, 3, 1, 1) for _ in ins])
        self.extra = nn.ModuleList([nn.Conv2d(c, c, 3, 2, 1) for _ in range(j["extraLevels"])])
        tower = lambda: nn.Sequential(*[m for _ in range(j["headConvs"]) for m in (nn.Conv2d(c, c, 3, 1, 1), nn.GroupNorm(j["groups"], c), nn.ReLU())])
        self.cls_tower, self.reg_tower = tower(), tower()
        self.cls = nn.Conv2d(c, k, 3, 1, 1)
        self.reg = nn.Conv2d(c, 4, 3, 1, 1)
        self.ctr = nn.Conv2d(c, 1, 3, 1, 1)
        nn.init.constant_(self.cls.bias, -math.log(99))
        self.scales = nn.Parameter(torch.ones(len(ins) + j["extraLevels"]))
        self.k = k

    def forward(self, x):
        feats = self.backbone(x)[-self.stages:]
        lat = [l(f) for l, f in zip(self.lat, feats)]
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
n, h, w, c = job["input"]
x = torch.randn(n, c, h, w)
targets = {
    "labels": torch.tensor(job["labels"], dtype=torch.long),
    "ltrb": torch.tensor(job["ltrb"], dtype=torch.float32).reshape(-1, 4),
    "ctr": torch.tensor(job["ctr"], dtype=torch.float32),
}
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
model.train()
times = []
first = None
for step in range(job["warmup"] + job["steps"]):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), targets, job["numClasses"])
    loss.backward()
    opt.step()
    dt = (time.perf_counter() - t0) * 1000
    if first is None:
        first = loss.item()
    if step >= job["warmup"]:
        times.append(dt)
print(json.dumps({"params": params, "firstLoss": first, "msPerStep": statistics.median(times), "torch": torch.__version__}))
