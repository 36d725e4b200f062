"""@adaptnet/backbones' small video nets (slow-small, slowfast-small, x3d-small) in PyTorch, slimmable
as ours are: the models of torch_video_nets.py (bench/video-step.bench.ts) and of
apps/video/bench/torch_app_train.py (the app's default training loop).

The nets follow packages/backbones/src/video (Slow, SlowFast with MutualNet's adaptive fusion, X3D)
at their small options (small-variants.ts); slimming follows @adaptnet/slimmable: a layer's
active channels are make_divisible(full * width, 4) (full at width 1), the last fixed_tail input
channels (SlowFast's fused Fast features) never slim, the stem's input and the classifier's
output never slim. Convs pad k // 2 symmetrically with no bias; BN uses batch statistics and
keeps no running ones (as ours under the 'config' policy during training).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

DIVISOR = 4


def make_divisible(v, divisor=DIVISOR, minimum=1):
    r = max(minimum, int(math.floor((v + divisor / 2) / divisor)) * divisor)
    return r + divisor if r < 0.9 * v else r


def active(full, width, slim=True, tail=0):
    if not slim or width >= 1 - 1e-9:
        return full
    return min(full - tail, max(1, int(math.floor(make_divisible((full - tail) * width) + 1e-9)))) + tail


def slice_in(w, cin, tail, full, dim):
    if cin == full:
        return w
    head = w.narrow(dim, 0, cin - tail)
    return head if tail == 0 else torch.cat([head, w.narrow(dim, full - tail, tail)], dim)


class SlimConv(nn.Module):
    def __init__(self, cin, cout, k, stride=(1, 1, 1), in_slim=True, tail=0, out_slim=True, depthwise=False, bias=False, pad=None):
        super().__init__()
        self.cin, self.cout, self.k, self.stride = cin, cout, k, stride
        self.pad = pad if pad is not None else tuple(v // 2 for v in k)
        self.in_slim, self.tail, self.out_slim, self.depthwise = in_slim, tail, out_slim, depthwise
        self.weight = nn.Parameter(torch.randn(cout, 1 if depthwise else cin, *k) * (1.0 / math.sqrt(cin * k[0] * k[1] * k[2])))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None

    def forward(self, x, width):
        cin = x.shape[1]
        if self.depthwise:
            assert cin == active(self.cout, width, self.out_slim), (cin, self.cout, width)
            w = self.weight[:cin] if cin < self.cout else self.weight
            b = None if self.bias is None else self.bias[:cin]
            return F.conv3d(x, w, b, self.stride, self.pad, 1, cin)
        assert cin == active(self.cin, width, self.in_slim, self.tail), (cin, self.cin, width)
        cout = active(self.cout, width, self.out_slim)
        w = slice_in(self.weight, cin, self.tail, self.cin, 1)
        if cout < self.cout:
            w = w[:cout]
        b = None if self.bias is None else self.bias[:cout]
        return F.conv3d(x, w, b, self.stride, self.pad)


class SlimBN(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        c = x.shape[1]
        return F.batch_norm(x, None, None, self.weight[:c], self.bias[:c], True, 0.1, 1e-5)


class SlimDense(nn.Module):
    def __init__(self, cin, cout, in_slim=True, tail=0, bias=True):
        super().__init__()
        self.cin, self.in_slim, self.tail = cin, in_slim, tail
        self.weight = nn.Parameter(torch.randn(cout, cin) / math.sqrt(cin))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None

    def forward(self, x, width):
        cin = x.shape[1]
        assert cin == active(self.cin, width, self.in_slim, self.tail), (cin, self.cin, width)
        return F.linear(x, slice_in(self.weight, cin, self.tail, self.cin, 1), self.bias)


def act(x, kind):
    if kind == "relu":
        return F.relu(x)
    if kind == "swish":
        return F.silu(x)
    return x


class ConvBnAct(nn.Module):
    def __init__(self, cin, cout, k, stride=(1, 1, 1), activation="relu", **slim):
        super().__init__()
        self.conv = SlimConv(cin, cout, k, stride, **slim)
        self.bn = SlimBN(cout)
        self.activation = activation

    def forward(self, x, width):
        return act(self.bn(self.conv(x, width)), self.activation)


def side(fixed, tail=0):
    """Slim-side keywords of a bottleneck conv: a fixed-width one never slims."""
    return {"in_slim": not fixed, "tail": 0 if fixed else tail, "out_slim": not fixed}


class Bottleneck(nn.Module):
    def __init__(self, cin, inner, cout, kt, s, tail=0, fixed=False):
        super().__init__()
        inside = side(fixed)
        self.a = ConvBnAct(cin, inner, (kt, 1, 1), **side(fixed, tail))
        self.b = ConvBnAct(inner, inner, (1, 3, 3), (1, s, s), **inside)
        self.c = ConvBnAct(inner, cout, (1, 1, 1), activation="none", **inside)
        self.short = ConvBnAct(cin, cout, (1, 1, 1), (1, s, s), activation="none", **side(fixed, tail)) if s != 1 or cin != cout else None

    def forward(self, x, width):
        y = self.c(self.b(self.a(x, width), width), width)
        return F.relu(y + (self.short(x, width) if self.short is not None else x))


def pool(x):
    return x.mean(dim=(2, 3, 4))


class Slow(nn.Module):
    """Slow(SLOW_SMALL): 1x3x3 stride-2 stem, no max pool, one bottleneck per stage, base width 8."""

    def __init__(self, base=8, classes=10, in_channels=3):
        super().__init__()
        self.stem = ConvBnAct(in_channels, base, (1, 3, 3), (1, 2, 2), in_slim=False)
        blocks, ch = [], base
        for stage in range(4):
            inner = base * 2**stage
            blocks.append(Bottleneck(ch, inner, inner * 4, 1 if stage < 2 else 3, 1 if stage == 0 else 2))
            ch = inner * 4
        self.blocks = nn.ModuleList(blocks)
        self.fc = SlimDense(ch, classes)

    def forward(self, x, cfg):
        w = cfg["width"]
        x = self.stem(x, w)
        for b in self.blocks:
            x = b(x, w)
        return self.fc(pool(x), w)


def nearest_frames(t, out):
    return [min(t - 1, (i * t) // out) for i in range(out)]


def resample(x, t, h, w):
    """backbones' resampleClip: nearest frames in time, bilinear (half-pixel centres) in space."""
    n, c, T, H, W = x.shape
    if T != t:
        x = x[:, :, nearest_frames(T, t)]
    if H != h or W != w:
        y = F.interpolate(x.transpose(1, 2).reshape(n * t, c, H, W), size=(h, w), mode="bilinear", align_corners=False)
        x = y.reshape(n, t, c, h, w).transpose(1, 2)
    return x


class Fusion(nn.Module):
    def __init__(self, fast_ch, alpha, k):
        super().__init__()
        self.lateral = ConvBnAct(fast_ch, 2 * fast_ch, (k, 1, 1), (alpha, 1, 1), in_slim=False, out_slim=False)
        self.out = 2 * fast_ch

    def forward(self, s, f, width):
        lat = self.lateral(f, width)
        return torch.cat([s, resample(lat, *s.shape[2:])], 1)


class SlowFast(nn.Module):
    """SlowFast(SLOWFAST_SMALL): alpha 4, 1/beta 4, fusion kernel 5, base width 8; only the Slow pathway slims."""

    def __init__(self, base=8, alpha=4, beta_inv=4, fk=5, classes=10):
        super().__init__()
        fb = base // beta_inv
        self.slow_stem = ConvBnAct(3, base, (1, 3, 3), (1, 2, 2), in_slim=False)
        self.fast_stem = ConvBnAct(3, fb, (3, 3, 3), (1, 2, 2), in_slim=False, out_slim=False)
        fusions, slow, fast = [Fusion(fb, alpha, fk)], [], []
        tail, sc, fc = fusions[0].out, base, fb
        for stage in range(4):
            inner, s = base * 2**stage, 1 if stage == 0 else 2
            slow.append(Bottleneck(sc + tail, inner, inner * 4, 1 if stage < 2 else 3, s, tail=tail))
            fast.append(Bottleneck(fc, inner // beta_inv, inner * 4 // beta_inv, 3, s, fixed=True))
            sc, fc = inner * 4, inner * 4 // beta_inv
            if stage < 3:
                fusions.append(Fusion(fc, alpha, fk))
                tail = fusions[-1].out
        self.fusions, self.slow, self.fast = nn.ModuleList(fusions), nn.ModuleList(slow), nn.ModuleList(fast)
        self.fc = SlimDense(sc + fc, classes, tail=fc)

    def forward(self, x, cfg):
        w, t, r = cfg["width"], cfg["frames"], cfg["resolution"]
        T = x.shape[2]
        idx = [0] if t == 1 else [int(math.floor(i * (T - 1) / (t - 1) + 1e-9)) for i in range(t)]
        s = self.slow_stem(resample(x[:, :, idx], t, r, r), w)
        f = self.fast_stem(x, w)
        for fuse, sb, fb in zip(self.fusions, self.slow, self.fast):
            s = sb(fuse(s, f, w), w)
            f = fb(f, w)
        return self.fc(torch.cat([pool(s), pool(f)], 1), w)


def se_channels(c, ratio=1 / 16):
    w = c * ratio
    out = max(8, int(math.floor(w + 4)) // 8 * 8)
    return out + 8 if out < 0.9 * w else out


class SE(nn.Module):
    def __init__(self, c, hidden):
        super().__init__()
        self.fc1 = SlimConv(c, hidden, (1, 1, 1), bias=True)
        self.fc2 = SlimConv(hidden, c, (1, 1, 1), bias=True)

    def forward(self, x, width):
        s = x.mean(dim=(2, 3, 4), keepdim=True)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(s, width)), width))


class X3dBlock(nn.Module):
    def __init__(self, cin, inner, cout, s, se):
        super().__init__()
        self.a = ConvBnAct(cin, inner, (1, 1, 1))
        self.b = ConvBnAct(inner, inner, (3, 3, 3), (1, s, s), activation="none", depthwise=True)
        self.se = SE(inner, se) if se else None
        self.c = ConvBnAct(inner, cout, (1, 1, 1), activation="none")
        self.short = ConvBnAct(cin, cout, (1, 1, 1), (1, s, s), activation="none") if s != 1 or cin != cout else None

    def forward(self, x, width):
        y = self.b(self.a(x, width), width)
        if self.se is not None:
            y = self.se(y, width)
        y = self.c(F.silu(y), width)
        return F.relu(y + (self.short(x, width) if self.short is not None else x))


class X3d(nn.Module):
    """X3d(X3D_SMALL): widths [12, 12, 24, 48, 96], repeats [1, 2, 2, 1], expansion 2.25, 256-unit head."""

    def __init__(self, widths=(12, 12, 24, 48, 96), repeats=(1, 2, 2, 1), expansion=2.25, head=256, classes=10):
        super().__init__()
        self.stem_xy = SlimConv(3, widths[0], (1, 3, 3), (1, 2, 2), in_slim=False)
        self.stem_t = ConvBnAct(widths[0], widths[0], (5, 1, 1), depthwise=True)
        blocks, ch = [], widths[0]
        for stage, count in enumerate(repeats):
            out = widths[stage + 1]
            inner = int(math.floor(expansion * out))
            for i in range(count):
                blocks.append(X3dBlock(ch, inner, out, 2 if i == 0 else 1, se_channels(inner) if i % 2 == 0 else 0))
                ch = out
        self.blocks = nn.ModuleList(blocks)
        self.conv5 = ConvBnAct(ch, inner, (1, 1, 1))
        self.lin5 = SlimDense(inner, head, bias=False)
        self.fc = SlimDense(head, classes, in_slim=False)

    def forward(self, x, cfg):
        w = cfg["width"]
        x = self.stem_t(self.stem_xy(x, w), w)
        for b in self.blocks:
            x = b(x, w)
        return self.fc(F.relu(self.lin5(pool(self.conv5(x, w)), w)), w)


NETS = {"slow-small": Slow, "slowfast-small": SlowFast, "x3d-small": X3d}
