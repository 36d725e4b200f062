import type { AdaptNetPlan, AdaptNetPlanOp } from '@adaptnet/kernel-names';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

// The plan's direct kernels (native/direct.h: depthwise, few-input-channel and 1×1 convolutions,
// global average pooling, small dense layers) against the same layer written with tfjs ops on the
// cpu backend, at shapes that reach every path: odd sizes (border pixels), strides 1 and 2,
// kernels 1, 3 and 5, channel counts off the 8-float vector (scalar tails), a residual sum,
// batches above 1, small stride-1 layers (run on a zero-bordered copy of their input), larger
// stems and depthwise layers off a multiple of 8 channels (border pixels handled in the kernel),
// and 3×3 depthwise layers run on a channel-blocked copy (blocks of 16, or of 8 with two pixels per
// AVX-512 vector; every depthwise case states at which levels it takes that path, and its tiles'
// remainders of 4, 2 and 1 pixels are reached). Each plan is also built with planDirect(false), all oneDNN, and the test
// checks which of the two ran the direct kernels. Every instruction set this CPU runs is checked:
// an AVX-512 machine runs both the x86-64-v4 kernels and the AVX2 (x86-64-v3) ones.
const native = await import('../src/index.js').catch((e: unknown) => {
  if (process.env.CI) throw e;
  console.warn(`@adaptnet/backend-native direct-kernel tests skipped: ${(e as Error).message}`);
  return null;
});
await import('@tensorflow/tfjs-backend-cpu');
const describeNative = native ? describe : describe.skip;

let seed = 5;
function rand(shape: number[], scale = 1): { v: Float32Array; s: number[] } {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    v[i] = ((seed / 4294967296) * 2 - 1) * scale;
  }
  return { v, s: shape };
}

/**
 * A tensor of `a` on the current backend, as T. Asserted after the call: a contextual rank
 * would make tf.tensor demand a tuple shape.
 */
function tensorOf<T extends tf.Tensor>(a: { v: Float32Array; s: number[] }): T {
  const t: tf.Tensor = tf.tensor(a.v, a.s);
  return t as T;
}

type Act = 'linear' | 'relu' | 'relu6';
interface ConvCase {
  name: string;
  kind: 'depthwise' | 'conv';
  n: number;
  size: [number, number];
  ci: number;
  co: number;
  k: number;
  stride: number;
  act: Act;
  residual?: boolean;
  /** The instruction sets at which the layer runs on a channel-blocked copy (DirectBlockLanes). */
  blockedAt?: string[];
  /** The instruction sets at which the layer runs direct at all (default: every one). */
  directAt?: string[];
}

const CONV_CASES: ConvCase[] = [
  {
    name: 'depthwise 3×3/1, 8 channels, 9×7 (an odd pixel after the pairs)',
    kind: 'depthwise',
    n: 1,
    size: [9, 7],
    ci: 8,
    co: 8,
    k: 3,
    stride: 1,
    act: 'relu6',
    blockedAt: ['x86-64-v4', 'x86-64-v3'],
  },
  {
    name: 'depthwise 3×3/2, 20 channels (tail of 4), 10×11',
    kind: 'depthwise',
    n: 2,
    size: [10, 11],
    ci: 20,
    co: 20,
    k: 3,
    stride: 2,
    act: 'relu',
    blockedAt: [],
  },
  {
    name: 'depthwise 5×5/1, 24 channels, 6×6',
    kind: 'depthwise',
    n: 1,
    size: [6, 6],
    ci: 24,
    co: 24,
    k: 5,
    stride: 1,
    act: 'linear',
    blockedAt: [],
  },
  {
    name: 'depthwise 3×3/1, 16 channels, 40×40 (above 64K MACs, ≤ 16 channels)',
    kind: 'depthwise',
    n: 1,
    size: [40, 40],
    ci: 16,
    co: 16,
    k: 3,
    stride: 1,
    act: 'relu6',
    blockedAt: ['x86-64-v4', 'x86-64-v3'],
  },
  {
    name: 'depthwise 3×3/1, 20 channels (tail of 4), 7×9: the channels-last kernel',
    kind: 'depthwise',
    n: 1,
    size: [7, 9],
    ci: 20,
    co: 20,
    k: 3,
    stride: 1,
    act: 'relu',
    blockedAt: [],
  },
  {
    name: 'depthwise 3×3/1, 32 channels, 6×15, batch 2 (channel-blocked copy; tiles of 8, 4, 2, 1)',
    kind: 'depthwise',
    n: 2,
    size: [6, 15],
    ci: 32,
    co: 32,
    k: 3,
    stride: 1,
    act: 'relu6',
    blockedAt: ['x86-64-v4', 'x86-64-v3'],
  },
  {
    name: 'depthwise 3×3/2, 48 channels, 9×13 (channel-blocked on AVX-512; 7 outputs a row: tiles of 4, 2, 1)',
    kind: 'depthwise',
    n: 1,
    size: [9, 13],
    ci: 48,
    co: 48,
    k: 3,
    stride: 2,
    act: 'relu',
    blockedAt: ['x86-64-v4'],
  },
  {
    name: 'depthwise 3×3/1, 24 channels, 5×13 (blocks of 8: pixel pairs on AVX-512)',
    kind: 'depthwise',
    n: 1,
    size: [5, 13],
    ci: 24,
    co: 24,
    k: 3,
    stride: 1,
    act: 'linear',
    blockedAt: ['x86-64-v4', 'x86-64-v3'],
  },
  {
    name: 'depthwise 3×3/1, 64 channels, 16×16 (147K MACs: channel-blocked on AVX-512 above 64K MACs; oneDNN at AVX2)',
    kind: 'depthwise',
    n: 1,
    size: [16, 16],
    ci: 64,
    co: 64,
    k: 3,
    stride: 1,
    act: 'relu6',
    blockedAt: ['x86-64-v4'],
    directAt: ['x86-64-v4'],
  },
  {
    name: 'depthwise 3×3/1, 32 channels, 8×8, batch 8 (the main job at batch 8: a 26K-float copy)',
    kind: 'depthwise',
    n: 8,
    size: [8, 8],
    ci: 32,
    co: 32,
    k: 3,
    stride: 1,
    act: 'relu',
    blockedAt: ['x86-64-v4'],
    directAt: ['x86-64-v4'],
  },
  {
    name: 'depthwise 3×3/1, 96 channels, 8×8, batch 8 (a 77K-float copy would evict its neighbours: oneDNN)',
    kind: 'depthwise',
    n: 8,
    size: [8, 8],
    ci: 96,
    co: 96,
    k: 3,
    stride: 1,
    act: 'relu6',
    blockedAt: [],
    directAt: [],
  },
  {
    name: 'depthwise 3×3/2, 64 channels, 32×32 (147K MACs at stride 2: oneDNN)',
    kind: 'depthwise',
    n: 1,
    size: [32, 32],
    ci: 64,
    co: 64,
    k: 3,
    stride: 2,
    act: 'relu',
    blockedAt: [],
    directAt: [],
  },
  { name: 'stem 3×3/1, 1 → 8, 16×16', kind: 'conv', n: 1, size: [16, 16], ci: 1, co: 8, k: 3, stride: 1, act: 'relu6' },
  {
    name: 'stem 3×3/1, 1 → 8, 28×28, batch 8 (451K MACs: one input channel and 8 outputs run direct up to the grain)',
    kind: 'conv',
    n: 8,
    size: [28, 28],
    ci: 1,
    co: 8,
    k: 3,
    stride: 1,
    act: 'relu6',
  },
  { name: 'stem 3×3/2, 3 → 12 (tail of 4), 11×11', kind: 'conv', n: 2, size: [11, 11], ci: 3, co: 12, k: 3, stride: 2, act: 'relu' },
  { name: 'stem 5×5/1, 2 → 16, 5×6, batch 2', kind: 'conv', n: 2, size: [5, 6], ci: 2, co: 16, k: 5, stride: 1, act: 'linear' },
  {
    name: '1×1, 13 → 45 (32 + 8 + 5), residual, 5×5',
    kind: 'conv',
    n: 1,
    size: [5, 5],
    ci: 13,
    co: 45,
    k: 1,
    stride: 1,
    act: 'relu',
    residual: true,
  },
  { name: '1×1, 8 → 16, batch 3, 4×3', kind: 'conv', n: 3, size: [4, 3], ci: 8, co: 16, k: 1, stride: 1, act: 'relu6' },
];

const pad = (p: number): [[number, number], [number, number], [number, number], [number, number]] => [
  [0, 0],
  [p, p],
  [p, p],
  [0, 0],
];

function activate(y: tf.Tensor, act: Act): tf.Tensor {
  return act === 'relu' ? tf.relu(y) : act === 'relu6' ? tf.clipByValue(y, 0, 6) : y;
}

interface Built {
  plan: AdaptNetPlan;
  inputs: { v: Float32Array; s: number[] }[]; // x, then w0, w1, ...
  reference: () => tf.Tensor;
}

function convCase(c: ConvCase): Built {
  const x = rand([c.n, ...c.size, c.ci]);
  const w = rand(c.kind === 'depthwise' ? [c.k, c.k, c.ci, 1] : [c.k, c.k, c.ci, c.co], 0.5);
  const b = rand([c.co], 0.2);
  const p = (c.k - 1) / 2;
  const ops: AdaptNetPlanOp[] = [];
  const inputs = [x, w, b];
  if (c.residual) {
    // value 1: the shortcut, a 1×1 conv of x to co channels, added into the case's conv output.
    inputs.push(rand([1, 1, c.ci, c.co], 0.5), rand([c.co], 0.2));
    ops.push({ op: 'conv', src: 0, weight: 2, bias: 3, kernelSize: 1, strides: 1, padding: 0, depthwise: false, activation: 'linear' });
  }
  ops.push({
    op: 'conv',
    src: 0,
    ...(c.residual ? { add: 1 } : {}),
    weight: 0,
    bias: 1,
    kernelSize: c.k,
    strides: c.stride,
    padding: p,
    depthwise: c.kind === 'depthwise',
    activation: c.act,
  });
  const reference = () => {
    const xt = tensorOf<tf.Tensor4D>(x);
    const wt = tensorOf<tf.Tensor4D>(w);
    const conv = c.kind === 'depthwise' ? tf.depthwiseConv2d(xt, wt, c.stride, pad(p)) : tf.conv2d(xt, wt, c.stride, pad(p));
    let y = tf.add(conv, tf.tensor(b.v, b.s));
    if (c.residual) {
      const [ws, bs] = [inputs[3]!, inputs[4]!];
      y = tf.add(y, tf.add(tf.conv2d(xt, tensorOf<tf.Tensor4D>(ws), 1, 'valid'), tf.tensor(bs.v, bs.s)));
    }
    return activate(y, c.act);
  };
  return { plan: { ops }, inputs, reference };
}

function headCase(n: number, hw: [number, number], c: number, classes: number): Built {
  const x = rand([n, ...hw, c]);
  const w = rand([c, classes], 0.3);
  const b = rand([classes], 0.2);
  return {
    plan: {
      ops: [
        { op: 'global-avg-pool', src: 0 },
        { op: 'dense', src: 1, weight: 0, bias: 1 },
      ],
    },
    inputs: [x, w, b],
    reference: () => tf.add(tf.matMul(tf.mean(tensorOf(x), [1, 2]) as tf.Tensor2D, tensorOf<tf.Tensor2D>(w)), tf.tensor(b.v, b.s)),
  };
}

/** The x86 levels this CPU runs: the detected one and those below it (none off x86). */
function directIsas(): string[] {
  const addon = native?.nativeAddon();
  if (!addon) return [];
  const levels = (['x86-64-v4', 'x86-64-v3'] as const).filter((isa) => {
    try {
      addon.planDirectIsa(isa);
      return true;
    } catch {
      return false;
    }
  });
  addon.planDirectIsa('best');
  return levels;
}

/** Runs `built` on native with the direct kernels on or off; the logits and the plan's direct steps. */
function runNative(
  built: Built,
  direct: boolean,
  isa = 'best',
): { y: Float32Array; shape: number[]; directSteps: number; blockedSteps: number } {
  const addon = native!.nativeAddon()!;
  const was = addon.planDirect();
  addon.planDirect(direct);
  addon.planDirectIsa(isa as 'best');
  try {
    const before = native!.nativePlanStats();
    const [x, ...ws] = built.inputs.map(({ v, s }) => tf.tensor(v, s));
    const inputs: tf.NamedTensorMap = { x: x! };
    ws.forEach((t, i) => {
      inputs[`w${i}`] = t;
    });
    const y = tf.engine().runKernel('AdaptNetRunPlan', inputs, { plan: built.plan } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const after = native!.nativePlanStats();
    const out = {
      y: y.dataSync() as Float32Array,
      shape: y.shape,
      directSteps: after.directSteps - before.directSteps,
      blockedSteps: after.blockedSteps - before.blockedSteps,
    };
    tf.dispose([x!, ...ws, y]); // disposing the weights frees the plan
    return out;
  } finally {
    addon.planDirect(was);
    addon.planDirectIsa('best');
  }
}

function maxRelativeError(got: Float32Array, want: Float32Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs((got[i] as number) - (want[i] as number)));
    scale = Math.max(scale, Math.abs(want[i] as number));
  }
  return err / Math.max(scale, 1e-6);
}

describeNative('direct kernels of AdaptNetRunPlan', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  type Case = [string, () => Built, number, string[] | undefined, string[] | undefined];
  const cases: Case[] = [
    ...CONV_CASES.map((c): Case => [c.name, () => convCase(c), c.residual ? 2 : 1, c.blockedAt, c.directAt]),
    ['global average pool + dense, 21 channels → 10 classes (tails), batch 2', () => headCase(2, [3, 5], 21, 10), 2, undefined, undefined],
  ];
  const isas = directIsas();
  it('finds the instruction set of this CPU (x86: at least AVX2 + FMA on any machine CI runs; none elsewhere)', () => {
    if (process.arch === 'x64') {
      expect(isas).toContain('x86-64-v3');
      expect(native!.nativeAddon()!.planDirectIsa()).toBe(isas[0]);
    } else expect(native!.nativeAddon()!.planDirectIsa()).toBe('none');
  });
  for (const isa of isas) {
    for (const [name, make, directInCase, blockedAt, directAt] of cases) {
      it(`${isa}: ${name}: equals tfjs ops on cpu; the same plan all-oneDNN agrees`, async () => {
        const built = make();
        await tf.setBackend('cpu');
        const want = tf.tidy(() => built.reference().dataSync() as Float32Array);
        await tf.setBackend('native');
        const direct = runNative(built, true, isa);
        const onednn = runNative(built, false);
        if (directAt === undefined || directAt.includes(isa)) expect(direct.directSteps).toBeGreaterThanOrEqual(directInCase);
        else expect(direct.directSteps).toBe(0);
        expect(onednn.directSteps).toBe(0);
        if (blockedAt !== undefined) expect(direct.blockedSteps).toBe(blockedAt.includes(isa) ? 1 : 0);
        expect(direct.y.length).toBe(want.length);
        expect(Math.max(...Array.from(want, Math.abs))).toBeGreaterThan(0.05);
        expect(maxRelativeError(direct.y, want)).toBeLessThan(1e-5);
        expect(maxRelativeError(onednn.y, want)).toBeLessThan(1e-5);
      });
    }
  }

  it('refuses an instruction set the CPU does not run, naming what it runs', () => {
    const addon = native!.nativeAddon()!;
    expect(() => addon.planDirectIsa('avx-1024' as 'best')).toThrow(/'avx-1024' is not available on this CPU \(it runs /);
  });

  it('leaves large layers to oneDNN: a 1×1 convolution of 80 → 1280 channels at 4×4 (1.6M MACs)', async () => {
    await tf.setBackend('native');
    const built = convCase({ name: 'big', kind: 'conv', n: 1, size: [4, 4], ci: 80, co: 1280, k: 1, stride: 1, act: 'relu6' });
    expect(runNative(built, true).directSteps).toBe(0);
  });

  for (const stride of [1, 2]) {
    it.skipIf(!isas.includes('x86-64-v4'))(
      `runs a plan built at AVX-512 at AVX2 (16-channel blocks as two 8-float halves), stride ${stride}`,
      async () => {
        const addon = native!.nativeAddon()!;
        const built = convCase({ name: 'switch', kind: 'depthwise', n: 1, size: [6, 13], ci: 32, co: 32, k: 3, stride, act: 'relu' });
        await tf.setBackend('cpu');
        const want = tf.tidy(() => built.reference().dataSync() as Float32Array);
        await tf.setBackend('native');
        const [x, ...ws] = built.inputs.map(({ v, s }) => tf.tensor(v, s));
        const inputs: tf.NamedTensorMap = { x: x! };
        ws.forEach((t, i) => {
          inputs[`w${i}`] = t;
        });
        const run = () => {
          const y = tf.engine().runKernel('AdaptNetRunPlan', inputs, { plan: built.plan } as unknown as tf.NamedAttrMap) as tf.Tensor;
          const v = y.dataSync() as Float32Array;
          y.dispose();
          return v;
        };
        try {
          addon.planDirectIsa('x86-64-v4');
          const before = native!.nativePlanStats();
          const wide = run();
          expect(native!.nativePlanStats().blockedSteps).toBe(before.blockedSteps + 1);
          addon.planDirectIsa('x86-64-v3');
          const narrow = run();
          // The same plan, run at the lower level: a plan rebuilt at AVX2 would not take the
          // blocked path at stride 2 (blockedSteps would drop) and would be a new plan.
          expect(native!.nativePlanStats().plans).toBe(before.plans + 1);
          expect(native!.nativePlanStats().blockedSteps).toBe(before.blockedSteps + 1);
          expect(maxRelativeError(wide, want)).toBeLessThan(1e-5);
          expect(maxRelativeError(narrow, want)).toBeLessThan(1e-5);
        } finally {
          addon.planDirectIsa('best');
          tf.dispose([x!, ...ws]);
        }
      },
    );
  }
});
