"""The native-kernels benchmark nets in PyTorch (2 threads, channels-last), for ratio reporting.

Usage: python torch_nets.py NET BATCH SECONDS [SIZE]  -> prints {"imgPerSec": ..., "torch": torch.__version__}
NET: resnet20 | mobilenetv1-0.5 | tiny (the foundation's TinyConvNet) | fashion-mobilenetv1
"""
import json
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(2)
net_name, batch, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
size = int(sys.argv[4]) if len(sys.argv) > 4 else 32


def conv_bn(cin, cout, k, stride, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout))


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.c2 = conv_bn(cin, cout, 3, stride), conv_bn(cout, cout, 3, 1)
        self.short = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return torch.relu(self.c2(torch.relu(self.c1(x))) + self.short(x))


def resnet20():
    layers, cin = [conv_bn(3, 16, 3, 1), nn.ReLU()], 16
    for cout, stride in [(16, 1), (32, 2), (64, 2)]:
        for i in range(3):
            layers.append(Basic(cin, cout, stride if i == 0 else 1))
            cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def mobilenet_v1_half():
    spec = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    layers, cin = [conv_bn(3, 16, 3, 1), nn.ReLU()], 16
    for c, s in spec:
        layers += [conv_bn(cin, cin, 3, s, groups=cin), nn.ReLU(), conv_bn(cin, c // 2, 1, 1), nn.ReLU()]
        cin = c // 2
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10))


def tiny():
    return nn.Sequential(
        conv_bn(3, 16, 3, 1), nn.ReLU(), conv_bn(16, 16, 3, 2, groups=16), nn.ReLU(), conv_bn(16, 32, 1, 1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
    )


def fashion_mobilenet_v1():
    def cb6(i, o, k, s, g=1):
        return [nn.Conv2d(i, o, k, s, k // 2, groups=g, bias=False), nn.BatchNorm2d(o), nn.ReLU6()]

    layers, c = cb6(1, 32, 3, 1), 32
    for o, s in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)]:
        layers += cb6(c, c, 3, s, c) + cb6(c, o, 1, 1)
        c = o
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10))


NETS = {"resnet20": resnet20, "mobilenetv1-0.5": mobilenet_v1_half, "tiny": tiny, "fashion-mobilenetv1": fashion_mobilenet_v1}
IN_CHANNELS = {"fashion-mobilenetv1": 1}
net = NETS[net_name]().to(memory_format=torch.channels_last)
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
x = torch.randn(batch, IN_CHANNELS.get(net_name, 3), size, size).to(memory_format=torch.channels_last)
y = torch.arange(batch) % 10


def step():
    opt.zero_grad(set_to_none=True)
    loss = nn.functional.cross_entropy(net(x), y)
    loss.backward()
    opt.step()
    loss.item()


for _ in range(3):
    step()
steps, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < seconds or steps < 3:
    step()
    steps += 1
print(json.dumps({"imgPerSec": batch * steps / (time.perf_counter() - t0), "torch": torch.__version__}))
