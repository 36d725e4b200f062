"""One training iteration per strategy of the reference recipe (docs/reference-recipe.md) Fashion-MNIST MobileNetV1 in PyTorch
(2 threads, channels-last), so strategies.bench.ts can report its ratio to PyTorch on this machine.

Usage: python torch_sandwich.py STRATEGY BATCH SECONDS  -> prints {"imgPerSec": ..., "torch": torch.__version__}
STRATEGY: individual (full net at 28 on labels) | usnet (sandwich 1.0, 0.25, two U(0.25, 1) at 28)
          | mutualnet (the same widths; the three smaller subnets at a resolution drawn from
          {28, 24, 20, 16}, bilinear align_corners resize, KL to the detached full-net softmax)
Slimming as MutualNet's code does it: every layer uses the first make_divisible(c * w) channels of
its weights; the stem input and the classifier output never slim; BN affine is shared and uses
batch statistics. Each subnet's loss is backpropagated on its own (gradients accumulate), then one
SGD step (momentum 0.9, Nesterov, weight decay 5e-5).
"""
import json
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
strategy, batch, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
RESOLUTIONS = [28, 24, 20, 16]


def make_divisible(v, divisor=8):
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


class SlimConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride, depthwise=False):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, groups=cin if depthwise else 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.cout, self.depthwise = cout, depthwise

    def forward(self, x, width, slim_out=True):
        cin = x.shape[1]
        cout = cin if self.depthwise else (make_divisible(self.cout * width) if slim_out else self.cout)
        weight = self.conv.weight[:cout] if self.depthwise else self.conv.weight[:cout, :cin]
        c = self.conv
        y = F.conv2d(x, weight, None, c.stride, c.padding, 1, cin if self.depthwise else 1)
        y = F.batch_norm(y, None, None, self.bn.weight[:cout], self.bn.bias[:cout], training=True)
        return F.relu6(y)


class SlimMobileNetV1(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = SlimConvBN(1, 32, 3, 1)
        layers, c = [], 32
        for o, s in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)]:
            layers += [SlimConvBN(c, c, 3, s, depthwise=True), SlimConvBN(c, o, 1, 1)]
            c = o
        self.layers = nn.ModuleList(layers)
        self.fc = nn.Linear(c, 10)

    def forward(self, x, width):
        x = self.stem(x, width)
        for layer in self.layers:
            x = layer(x, width)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return F.linear(x, self.fc.weight[:, : x.shape[1]], self.fc.bias)


net = SlimMobileNetV1().to(memory_format=torch.channels_last)
conv_weights = [p for n, p in net.named_parameters() if n.endswith("conv.weight")]
others = [p for n, p in net.named_parameters() if not n.endswith("conv.weight")]
opt = torch.optim.SGD(
    [{"params": conv_weights, "weight_decay": 5e-5}, {"params": others, "weight_decay": 0}],
    lr=0.1, momentum=0.9, nesterov=True,
)
x = torch.randn(batch, 1, 28, 28).to(memory_format=torch.channels_last)
y = torch.arange(batch) % 10


def step():
    opt.zero_grad(set_to_none=True)
    logits = net(x, 1.0)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    if strategy != "individual":
        target = F.softmax(logits.detach(), dim=1)
        for width in [0.25, random.uniform(0.25, 1), random.uniform(0.25, 1)]:
            r = random.choice(RESOLUTIONS) if strategy == "mutualnet" else 28
            xr = x if r == 28 else F.interpolate(x, size=(r, r), mode="bilinear", align_corners=True)
            out = F.log_softmax(net(xr, width), dim=1)
            F.kl_div(out, target, reduction="batchmean").backward()
    opt.step()
    loss.item()


for _ in range(3):
    step()
steps, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < seconds or steps < 3:
    step()
    steps += 1
print(json.dumps({"imgPerSec": batch * steps / (time.perf_counter() - t0), "torch": torch.__version__}))
