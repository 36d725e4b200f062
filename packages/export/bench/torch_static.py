"""The latency benchmark's PyTorch side: each exported static subnet (model.json + weights.bin, a
tfjs Layers model of Conv2D / DepthwiseConv2D with folded BN, ZeroPadding2D, MaxPooling2D, Add,
ReLU, GlobalAveragePooling2D, Dense) rebuilt as a plain PyTorch network with the same weights,
checked to have the same MACs, parameters and logits, and timed in inference mode, channels-last.

Usage: python torch_static.py JOB.json
JOB: {"threads": 2, "cells": [{"key", "dir", "batches": [1, 8],
       "input"?: raw float32 NHWC file, "inputShape"?: [n, h, w, c], "expected"?: raw float32 logits}]}
Prints one JSON line (torch version; per cell MACs, parameters, logit differences), then answers
timing requests read from stdin, one JSON line each.
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn

job = json.load(open(sys.argv[1]))
torch.set_num_threads(int(job.get("threads", 2)))

ACT = {"relu": nn.ReLU, "relu6": nn.ReLU6, "linear": None}


class StaticNet(nn.Module):
    """The layers of a Keras functional config, in its (topological) order."""

    def __init__(self, model_json, weights):
        super().__init__()
        topo = model_json["modelTopology"]
        cfg = topo["model_config"]["config"] if "model_config" in topo else topo["config"]
        specs = model_json["weightsManifest"][0]["weights"]
        offset, arrays = 0, {}
        for s in specs:
            n = int(np.prod(s["shape"])) if s["shape"] else 1
            arrays[s["name"]] = weights[offset:offset + n].reshape(s["shape"])
            offset += n
        assert offset == weights.size, f"weights.bin has {weights.size} floats, the manifest {offset}"
        self.steps = []  # (name, kind, module or None, input names)
        self.mods = nn.ModuleDict()
        pending_pad = {}
        in_channels = {}
        for layer in cfg["layers"]:
            cls, name, c = layer["class_name"], layer["config"]["name"], layer["config"]
            inputs = [n[0] for n in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else []
            if cls == "InputLayer":
                in_channels[name] = c["batch_input_shape"][-1]
                self.steps.append((name, "input", None, []))
                continue
            # Zero padding is symmetric here; it becomes the next conv's or pool's own padding.
            if cls == "ZeroPadding2D":
                p = c["padding"]
                p = p[0][0] if isinstance(p[0], list) else p[0]
                pending_pad[name] = (inputs[0], p)
                in_channels[name] = in_channels[inputs[0]]
                continue
            pad = 0
            if inputs and inputs[0] in pending_pad:
                src, pad = pending_pad[inputs[0]]
                inputs = [src]
            if cls in ("Conv2D", "DepthwiseConv2D"):
                k = c["kernel_size"][0]
                s = c["strides"][0]
                if c["padding"] == "same":
                    assert s == 1 and k % 2 == 1, f"{name}: 'same' padding only at stride 1, odd kernel"
                    pad = k // 2
                cin = in_channels[inputs[0]]
                if cls == "Conv2D":
                    w = arrays[f"{name}/kernel"]  # [kh, kw, ci, co]
                    cout, groups, tw = w.shape[3], 1, w.transpose(3, 2, 0, 1)
                else:
                    w = arrays[f"{name}/depthwise_kernel"]  # [kh, kw, ci, 1]
                    cout, groups, tw = cin, cin, w.transpose(2, 3, 0, 1)
                conv = nn.Conv2d(cin, cout, k, s, pad, groups=groups, bias=c["use_bias"])
                conv.weight.data = torch.from_numpy(np.ascontiguousarray(tw))
                if c["use_bias"]:
                    conv.bias.data = torch.from_numpy(arrays[f"{name}/bias"].copy())
                act = ACT[c["activation"]]
                mod = nn.Sequential(conv, act()) if act else conv
                in_channels[name] = cout
                self._add(name, "mod", mod, inputs)
            elif cls == "MaxPooling2D":
                # Every max pool follows a ReLU, so PyTorch's -inf padding equals the zero padding.
                self._add(name, "mod", nn.MaxPool2d(c["pool_size"][0], c["strides"][0], pad), inputs)
                in_channels[name] = in_channels[inputs[0]]
            elif cls == "Add":
                self.steps.append((name, "add", None, inputs))
                in_channels[name] = in_channels[inputs[0]]
            elif cls == "ReLU":
                self._add(name, "mod", nn.ReLU(), inputs)
                in_channels[name] = in_channels[inputs[0]]
            elif cls == "GlobalAveragePooling2D":
                self._add(name, "mod", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), inputs)
                in_channels[name] = in_channels[inputs[0]]
            elif cls == "Dense":
                w = arrays[f"{name}/kernel"]
                lin = nn.Linear(w.shape[0], w.shape[1], bias=c["use_bias"])
                lin.weight.data = torch.from_numpy(np.ascontiguousarray(w.T))
                if c["use_bias"]:
                    lin.bias.data = torch.from_numpy(arrays[f"{name}/bias"].copy())
                act = ACT[c["activation"]]
                self._add(name, "mod", nn.Sequential(lin, act()) if act else lin, inputs)
                in_channels[name] = w.shape[1]
            else:
                raise SystemExit(f"torch_static.py: layer class {cls} ({name}) is not supported")
        self.output = cfg["output_layers"][0][0]

    def _add(self, name, kind, mod, inputs):
        self.mods[name.replace(".", "_")] = mod
        self.steps.append((name, kind, mod, inputs))

    def forward(self, x):
        values = {}
        for name, kind, mod, inputs in self.steps:
            if kind == "input":
                values[name] = x
            elif kind == "add":
                values[name] = values[inputs[0]] + values[inputs[1]]
            else:
                values[name] = mod(values[inputs[0]])
        return values[self.output]


def macs_of(net, x):
    """Multiply-adds as AdaptNet's cost() counts them: conv and dense, global average pool C·H·W."""
    total = [0]

    def conv_hook(m, i, o):
        total[0] += o.numel() // o.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def lin_hook(m, i, o):
        total[0] += m.in_features * m.out_features

    def pool_hook(m, i, o):
        total[0] += i[0].numel() // i[0].shape[0]

    hooks = []
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(lin_hook))
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            hooks.append(m.register_forward_hook(pool_hook))
    with torch.inference_mode():
        net(x[:1])
    for h in hooks:
        h.remove()
    return total[0]


def timed(net, x, iters, budget_s, warmup_s):
    """`iters` forwards or `budget_s` (at least 3), after at least 2 forwards and `warmup_s` of them."""
    times = []
    with torch.inference_mode():
        warm_end = time.perf_counter() + warmup_s
        warmed = 0
        while warmed < 2 or time.perf_counter() < warm_end:
            net(x)
            warmed += 1
        start = time.perf_counter()
        while len(times) < iters and (len(times) < 3 or time.perf_counter() - start < budget_s):
            t0 = time.perf_counter()
            net(x)
            times.append((time.perf_counter() - t0) * 1000)
    return times


nets, inputs = {}, {}
ready = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cells": []}
for cell in job["cells"]:
    model_json = json.load(open(f"{cell['dir']}/model.json"))
    weights = np.fromfile(f"{cell['dir']}/weights.bin", dtype=np.float32)
    meta = model_json["userDefinedMetadata"]["adaptnet"]
    net = StaticNet(model_json, weights).eval().to(memory_format=torch.channels_last)
    r, _, c = meta["inputShape"]
    nets[cell["key"]] = net
    for b in cell["batches"]:
        inputs[(cell["key"], b)] = torch.randn(b, c, r, r).contiguous(memory_format=torch.channels_last)
    row = {"key": cell["key"], "params": sum(p.numel() for p in net.parameters())}
    row["macs"] = macs_of(net, torch.zeros(1, c, r, r).to(memory_format=torch.channels_last))
    if "input" in cell:
        n, h, w, ch = cell["inputShape"]
        x = torch.from_numpy(np.fromfile(cell["input"], dtype=np.float32).reshape(n, h, w, ch)).permute(0, 3, 1, 2)
        with torch.inference_mode():
            y = net(x.contiguous(memory_format=torch.channels_last)).numpy().ravel()
        want = np.fromfile(cell["expected"], dtype=np.float32)
        row["maxAbsDiff"] = float(np.max(np.abs(y - want)))
        row["maxAbsLogit"] = float(np.max(np.abs(want)))
    ready["cells"].append(row)
print(json.dumps(ready), flush=True)

# Then one timing request per line: {"key", "batch", "iters", "budget_s", "warmup_s"} -> {"times": [ms, ...]},
# so the caller can alternate its own timings with these cell by cell.
for line in sys.stdin:
    if not line.strip():
        continue
    req = json.loads(line)
    times = timed(nets[req["key"]], inputs[(req["key"], req["batch"])], req["iters"], req["budget_s"], req.get("warmup_s", 0))
    print(json.dumps({"times": times}), flush=True)
