"""The 3D benchmark nets of bench/video-nets.ts in PyTorch (2 threads), for ratio reporting.

Usage: python torch_video_nets.py NET BATCH SECONDS [FORMAT]
  -> prints {"clipsPerSec": ..., "torch": ..., "threads": 2, "memoryFormat": ...}
SECONDS = serve: after set-up prints one such line (clipsPerSec 0), then times one round per
"run SECONDS" line read from stdin and prints its line, until "quit" (so rounds can alternate
finely with the caller's without paying Python's start-up each time).
NET: slow-small. FORMAT: channels_last_3d | contiguous | auto (default: time a few steps of each
and keep the faster one, so PyTorch gets the layout that suits it).
One train step = forward, cross-entropy, backward, SGD (momentum 0.9, lr 0.05) on a fixed batch.
"""
import json
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(2)
net_name, batch = sys.argv[1], int(sys.argv[2])
serve = sys.argv[3] == "serve"
seconds = 0.0 if serve else float(sys.argv[3])
fmt_arg = sys.argv[4] if len(sys.argv) > 4 else "auto"


def conv_bn(cin, cout, k, stride):
    pad = tuple(x // 2 for x in k)
    return nn.Sequential(nn.Conv3d(cin, cout, k, stride, pad, bias=False), nn.BatchNorm3d(cout))


class Bottleneck(nn.Module):
    def __init__(self, cin, inner, cout, kt, s):
        super().__init__()
        self.a = conv_bn(cin, inner, (kt, 1, 1), 1)
        self.b = conv_bn(inner, inner, (1, 3, 3), (1, s, s))
        self.c = conv_bn(inner, cout, (1, 1, 1), 1)
        self.short = conv_bn(cin, cout, (1, 1, 1), (1, s, s)) if s != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        y = torch.relu(self.b(torch.relu(self.a(x))))
        return torch.relu(self.c(y) + self.short(x))


def slow(stem, inner, depth, classes):
    layers = [conv_bn(3, stem, (1, 7, 7), (1, 2, 2)), nn.ReLU(), nn.MaxPool3d((1, 3, 3), (1, 2, 2), (0, 1, 1))]
    cin = stem
    for stage in range(4):
        kt = 1 if stage < 2 else 3
        for i in range(depth[stage]):
            s = 2 if i == 0 and stage > 0 else 1
            layers.append(Bottleneck(cin, inner[stage], 4 * inner[stage], kt, s))
            cin = 4 * inner[stage]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(cin, classes))


NETS = {
    "slow-small": (lambda: slow(16, [16, 32, 64, 128], [1, 1, 1, 1], 10), (8, 64, 64), 10),
}
make, (t, h, w), classes = NETS[net_name]
torch.manual_seed(0)


def trainer(fmt):
    net = make()
    x = torch.randn(batch, 3, t, h, w)
    if fmt == "channels_last_3d":
        net = net.to(memory_format=torch.channels_last_3d)
        x = x.contiguous(memory_format=torch.channels_last_3d)
    y = torch.arange(batch) % classes
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        loss.item()

    return step


def timed(step, min_seconds, min_steps):
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_seconds or n < min_steps:
        step()
        n += 1
    return batch * n / (time.perf_counter() - t0)


if fmt_arg == "auto":
    trial = {}
    for _ in range(2):  # twice each, interleaved: this machine's speed drifts
        for fmt in ("channels_last_3d", "contiguous"):
            s = trainer(fmt)
            s()
            trial[fmt] = max(trial.get(fmt, 0), timed(s, 0, 3))
    fmt = max(trial, key=trial.get)
else:
    fmt = fmt_arg
step = trainer(fmt)
for _ in range(2):
    step()


def report(rate):
    print(json.dumps({"clipsPerSec": rate, "torch": torch.__version__, "threads": torch.get_num_threads(), "memoryFormat": fmt}), flush=True)


if serve:
    report(0)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        report(timed(step, float(cmd[1]), 3))
else:
    report(timed(step, seconds, 3))
