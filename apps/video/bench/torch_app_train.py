"""The app's default training loop (adaptnet-video train: MutualNet on the small Slow) in PyTorch, for
bench/app-train.bench.ts (2 threads).

Usage: python torch_app_train.py SPEC_JSON_FILE INPUTS_F32_FILE
SPEC: {"batch", "inChannels", "numClasses", "momentum", "nesterov", "weightDecay", "decayConvWeights",
  "steps": [{"configs": [{width, resolution, frames, macs}, ...], "lr"}, ...]}
INPUTS: per step, the batch's int32 labels, then each configuration's clips [batch, frames, r, r, c]
  float32 (NDHWC, as the TypeScript stream made them), in the order of "configs".
One step, as @adaptnet/train's MutualNet strategy: configs[0] (the full network) on the labels by
cross-entropy, every other configuration by KL divergence to the full network's detached softmax,
each backward on its own (gradients accumulate), then SGD (nesterov, momentum; weight decay on conv
weights only) at the step's learning rate. BN uses batch statistics (training).
Prints one JSON line {"torch", "threads", "params", "macs"} (macs: the conv + linear multiply-adds per
clip of every configuration of every step, flop counter), then for each "run K" line on stdin times
the next K steps and prints {"seconds", "steps", "lastLoss"}, until "quit".
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "packages", "backend-native", "bench")
)
from torch_video_models import Slow, SlimConv  # noqa: E402

torch.set_num_threads(2)
with open(sys.argv[1]) as f:
    spec = json.load(f)
raw = np.fromfile(sys.argv[2], dtype=np.uint8)
batch, cin = spec["batch"], spec["inChannels"]
torch.manual_seed(0)
net = Slow(in_channels=cin, classes=spec["numClasses"])

# Every step's inputs in memory before timing, as NCDHW tensors.
steps, off = [], 0
for s in spec["steps"]:
    labels = torch.from_numpy(raw[off : off + 4 * batch].view(np.int32).astype(np.int64))
    off += 4 * batch
    clips = []
    for c in s["configs"]:
        t, r = c["frames"], c["resolution"]
        n = batch * t * r * r * cin
        x = raw[off : off + 4 * n].view(np.float32).reshape(batch, t, r, r, cin)
        off += 4 * n
        clips.append(torch.from_numpy(np.ascontiguousarray(x.transpose(0, 4, 1, 2, 3))))
    steps.append((labels, clips, s["configs"], s["lr"]))
if off != raw.size:
    raise SystemExit(f"inputs file holds {raw.size} bytes, the spec describes {off}")


def macs_of(x, cfg):
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(x[:1], cfg)
    return counter.get_total_flops() // 2


macs = [macs_of(x, cfg) for _, clips, cfgs, _ in steps for x, cfg in zip(clips, cfgs)]
params = sum(p.numel() for p in net.parameters())

conv_weights = [m.weight for m in net.modules() if isinstance(m, SlimConv)]
conv_ids = {id(p) for p in conv_weights}
others = [p for p in net.parameters() if id(p) not in conv_ids]
opt = torch.optim.SGD(
    [
        {"params": conv_weights, "weight_decay": spec["weightDecay"] if spec["decayConvWeights"] else 0.0},
        {"params": others, "weight_decay": 0.0},
    ],
    lr=0.1,
    momentum=spec["momentum"],
    nesterov=spec["nesterov"],
)


def step(labels, clips, cfgs, lr):
    for g in opt.param_groups:
        g["lr"] = lr
    opt.zero_grad(set_to_none=True)
    logits = net(clips[0], cfgs[0])
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    target = F.softmax(logits.detach(), dim=1)
    for x, cfg in zip(clips[1:], cfgs[1:]):
        F.kl_div(F.log_softmax(net(x, cfg), dim=1), target, reduction="batchmean").backward()
    opt.step()
    return loss.item()


print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "params": params, "macs": macs}), flush=True)
done = 0
for line in sys.stdin:
    cmd = line.split()
    if not cmd or cmd[0] == "quit":
        break
    k = min(int(cmd[1]), len(steps) - done)
    t0 = time.perf_counter()
    for labels, clips, cfgs, lr in steps[done : done + k]:
        last = step(labels, clips, cfgs, lr)
    print(json.dumps({"seconds": time.perf_counter() - t0, "steps": k, "lastLoss": last}), flush=True)
    done += k
