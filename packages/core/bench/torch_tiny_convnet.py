"""The same TinyConvNet train step in PyTorch (2 threads, channels-last) for ratio reporting.

Usage: python3 torch_tiny_convnet.py BATCH SIZE SECONDS  -> prints {"imgPerSec": ...}
"""
import json
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(2)
batch, size, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])


def block(cin, cout, k, stride, groups):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


net = nn.Sequential(
    *block(3, 16, 3, 1, 1), *block(16, 16, 3, 2, 16), *block(16, 32, 1, 1, 1),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
).to(memory_format=torch.channels_last)
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
x = torch.randn(batch, 3, size, size).to(memory_format=torch.channels_last)
y = torch.arange(batch) % 10


def step():
    opt.zero_grad(set_to_none=True)
    loss = nn.functional.cross_entropy(net(x), y)
    loss.backward()
    opt.step()


for _ in range(3):
    step()
steps, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < seconds or steps < 3:
    step()
    steps += 1
print(json.dumps({"imgPerSec": batch * steps / (time.perf_counter() - t0)}))
