import type { AdaptNetPlan } from '@adaptnet/kernel-names';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

// AdaptNetRunPlan (a whole network as one oneDNN plan, one kernel call) against the same network
// written with tfjs ops on the cpu backend.
const native = await import('../src/index.js').catch((e: unknown) => {
  if (process.env.CI) throw e;
  console.warn(`@adaptnet/backend-native plan tests skipped: ${(e as Error).message}`);
  return null;
});
await import('@tensorflow/tfjs-backend-cpu');
const describeNative = native ? describe : describe.skip;

let seed = 11;
function rand(shape: number[], scale = 1): tf.Tensor {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    v[i] = ((seed / 4294967296) * 2 - 1) * scale;
  }
  return tf.tensor(v, shape);
}

// stem 3×3/2 conv (relu6) → max pool 3/2 pad 1 → residual block: 1×1 (relu) → depthwise 3×3 (relu)
// → 1×1 linear + shortcut (the pool's output), relu → global average pool → dense.
const PLAN: AdaptNetPlan = {
  ops: [
    { op: 'conv', src: 0, weight: 0, bias: 1, kernelSize: 3, strides: 2, padding: 1, depthwise: false, activation: 'relu6' },
    { op: 'maxpool', src: 1, k: 3, s: 2, p: 1 },
    { op: 'conv', src: 2, weight: 2, bias: 3, kernelSize: 1, strides: 1, padding: 0, depthwise: false, activation: 'relu' },
    { op: 'conv', src: 3, weight: 4, bias: 5, kernelSize: 3, strides: 1, padding: 1, depthwise: true, activation: 'relu' },
    { op: 'conv', src: 4, add: 2, weight: 6, bias: 7, kernelSize: 1, strides: 1, padding: 0, depthwise: false, activation: 'relu' },
    { op: 'global-avg-pool', src: 5 },
    { op: 'dense', src: 6, weight: 8, bias: 9 },
  ],
};

function weights(): tf.Tensor[] {
  return [
    rand([3, 3, 3, 8], 0.5),
    rand([8], 0.2),
    rand([1, 1, 8, 16], 0.5),
    rand([16], 0.2),
    rand([3, 3, 16, 1], 0.5),
    rand([16], 0.2),
    rand([1, 1, 16, 8], 0.5),
    rand([8], 0.2),
    rand([1, 8, 5], 0.5),
    rand([5], 0.2),
  ];
}

/** The same network from tfjs ops, explicit padding as PyTorch's. */
function reference(x: tf.Tensor4D, w: tf.Tensor[]): tf.Tensor {
  const [w0, b0, w1, b1, w2, b2, w3, b3, w4, b4] = w as [
    tf.Tensor4D,
    tf.Tensor1D,
    tf.Tensor4D,
    tf.Tensor1D,
    tf.Tensor4D,
    tf.Tensor1D,
    tf.Tensor4D,
    tf.Tensor1D,
    tf.Tensor3D,
    tf.Tensor1D,
  ];
  const pad1: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ];
  const stem = tf.clipByValue(tf.add(tf.conv2d(x, w0, 2, pad1), b0), 0, 6);
  const pooled = tf.maxPool(tf.pad(stem, pad1, -1e30) as tf.Tensor4D, 3, 2, 'valid');
  const a = tf.relu(tf.add(tf.conv2d(pooled, w1, 1, 'valid'), b1)) as tf.Tensor4D;
  const d = tf.relu(tf.add(tf.depthwiseConv2d(a, w2, 1, pad1), b2)) as tf.Tensor4D;
  const block = tf.relu(tf.add(tf.add(tf.conv2d(d, w3, 1, 'valid'), b3), pooled));
  const gap = tf.mean(block, [1, 2]) as tf.Tensor2D;
  return tf.add(tf.matMul(gap, tf.reshape(w4, [8, 5]) as tf.Tensor2D), b4);
}

describeNative('AdaptNetRunPlan', () => {
  it('equals the network written with tfjs ops on cpu (batch 1 and 4, odd sizes), one kernel call, plans freed with the weights', async () => {
    const stats = native!.nativePlanStats;
    for (const [n, size] of [
      [1, 17],
      [4, 20],
    ] as const) {
      await tf.setBackend('cpu');
      const x = rand([n, size, size, 3]) as tf.Tensor4D;
      const w = weights();
      const want = tf.tidy(() => reference(x, w).dataSync() as Float32Array);
      const xs = x.dataSync() as Float32Array;
      const ws = w.map((t) => ({ v: t.dataSync() as Float32Array, s: t.shape }));
      tf.dispose([x, ...w]);

      await tf.setBackend('native');
      const before = stats().plans;
      const xn = tf.tensor(xs, [n, size, size, 3]);
      const wn = ws.map(({ v, s }) => tf.tensor(v, s));
      const inputs: tf.NamedTensorMap = { x: xn };
      wn.forEach((t, i) => {
        inputs[`w${i}`] = t;
      });
      const profile = await tf.profile(() => {
        const y = tf.engine().runKernel('AdaptNetRunPlan', inputs, { plan: PLAN } as unknown as tf.NamedAttrMap) as tf.Tensor;
        const got = y.dataSync() as Float32Array;
        expect(y.shape).toEqual([n, 5]);
        let err = 0;
        let scale = 0;
        for (let i = 0; i < want.length; i++) {
          err = Math.max(err, Math.abs(got[i]! - want[i]!));
          scale = Math.max(scale, Math.abs(want[i]!));
        }
        expect(scale).toBeGreaterThan(0.01);
        expect(err / (1 + scale)).toBeLessThanOrEqual(1e-5);
        y.dispose();
      });
      expect(profile.kernels.map((k) => k.name)).toEqual(['AdaptNetRunPlan']);
      expect(stats().plans).toBe(before + 1);
      wn[0]!.dispose();
      expect(stats().plans).toBe(before);
      tf.dispose([xn, ...wn]);
    }
  });

  it('one set of weights at alternating input shapes: each shape its own plan, four kept (least recently used goes), every output right', async () => {
    // Shapes in an order that reuses the last plan, switches back to an older one, and builds a
    // fifth (evicting the least recently used, [4, 9]), then needs the evicted one again.
    const shapes: [number, number][] = [
      [1, 17],
      [1, 17],
      [4, 9],
      [1, 17],
      [2, 13],
      [3, 11],
      [3, 11],
      [1, 15],
      [4, 9],
      [2, 13],
      [1, 17],
    ];
    const w = weights();
    const ws = w.map((t) => ({ v: t.dataSync() as Float32Array, s: t.shape }));
    const xs = shapes.map(([n, size]) => rand([n, size, size, 3]));
    const want = tf.tidy(() => xs.map((x) => reference(x as tf.Tensor4D, w).dataSync() as Float32Array));
    const xv = xs.map((x) => ({ v: x.dataSync() as Float32Array, s: x.shape }));
    tf.dispose([...w, ...xs]);

    await tf.setBackend('native');
    const before = native!.nativePlanStats().plans;
    const wn = ws.map(({ v, s }) => tf.tensor(v, s));
    const alive: number[] = [];
    xv.forEach(({ v, s }, k) => {
      const inputs: tf.NamedTensorMap = { x: tf.tensor(v, s) };
      wn.forEach((t, i) => {
        inputs[`w${i}`] = t;
      });
      const y = tf.engine().runKernel('AdaptNetRunPlan', inputs, { plan: PLAN } as unknown as tf.NamedAttrMap) as tf.Tensor;
      expect(y.shape).toEqual([s[0], 5]);
      const got = y.dataSync() as Float32Array;
      const ref = want[k]!;
      let err = 0;
      for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(got[i]! - ref[i]!));
      expect(err).toBeLessThanOrEqual(1e-5 * (1 + Math.max(...Array.from(ref, Math.abs))));
      alive.push(native!.nativePlanStats().plans - before);
      tf.dispose([inputs.x!, y]);
    });
    expect(alive).toEqual([1, 1, 2, 2, 3, 4, 4, 4, 4, 4, 4]);
    tf.dispose(wn);
    expect(native!.nativePlanStats().plans).toBe(before);
  });

  it('a classifier big enough to be split over the threads (512×300 weights) equals matMul on cpu, batch 1 and 8', async () => {
    const head: AdaptNetPlan = {
      ops: [
        { op: 'global-avg-pool', src: 0 },
        { op: 'dense', src: 1, weight: 0, bias: 1 },
      ],
    };
    for (const n of [1, 8]) {
      await tf.setBackend('cpu');
      const x = rand([n, 2, 3, 512]);
      const w = [rand([512, 300], 0.1), rand([300], 0.2)];
      const want = tf.tidy(
        () => tf.add(tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, w[0] as tf.Tensor2D), w[1]!).dataSync() as Float32Array,
      );
      const xs = { v: x.dataSync() as Float32Array, s: x.shape };
      const ws = w.map((t) => ({ v: t.dataSync() as Float32Array, s: t.shape }));
      tf.dispose([x, ...w]);

      await tf.setBackend('native');
      const threads = native!.nativeAddon()!.threads();
      const xn = tf.tensor(xs.v, xs.s);
      const [w0, b0] = ws.map(({ v, s }) => tf.tensor(v, s));
      const y = tf
        .engine()
        .runKernel('AdaptNetRunPlan', { x: xn, w0: w0!, w1: b0! }, { plan: head } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const got = y.dataSync() as Float32Array;
      expect(y.shape).toEqual([n, 300]);
      let err = 0;
      for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
      expect(err).toBeLessThan(1e-5);
      // The layer's own thread count is restored after it.
      expect(native!.nativeAddon()!.threads()).toBe(threads);
      tf.dispose([xn, w0!, b0!, y]);
    }
  });

  it('refuses a plan that reads a value not computed yet, a filter that does not take its input channels or kernel size, a bias of the wrong length', async () => {
    await tf.setBackend('native');
    const x = rand([1, 8, 8, 3]);
    const w = weights();
    const inputs: tf.NamedTensorMap = { x };
    w.forEach((t, i) => {
      inputs[`w${i}`] = t;
    });
    const ahead = { ops: [{ ...PLAN.ops[0]!, src: 1 }] } as AdaptNetPlan;
    expect(() => tf.engine().runKernel('AdaptNetRunPlan', inputs, { plan: ahead } as unknown as tf.NamedAttrMap)).toThrow(/reads value 1/);
    const wrong = { ops: [{ ...PLAN.ops[0]!, weight: 2, kernelSize: 1, padding: 0 }] } as AdaptNetPlan;
    expect(() => tf.engine().runKernel('AdaptNetRunPlan', inputs, { plan: wrong } as unknown as tf.NamedAttrMap)).toThrow(
      /does not take 3 channels/,
    );
    // Shapes the native side would read past the end of: a 3×3 filter run as 5×5, a bias of 16
    // values for 8 outputs.
    const bigger = { ops: [{ ...PLAN.ops[0]!, kernelSize: 5, padding: 2 }] } as AdaptNetPlan;
    expect(() => tf.engine().runKernel('AdaptNetRunPlan', inputs, { plan: bigger } as unknown as tf.NamedAttrMap)).toThrow(
      /op 0 filter \[3,3,3,8\] is not \[5, 5, in, out\]/,
    );
    const shortBias = { ops: [{ ...PLAN.ops[0]!, bias: 3 }] } as AdaptNetPlan;
    expect(() => tf.engine().runKernel('AdaptNetRunPlan', inputs, { plan: shortBias } as unknown as tf.NamedAttrMap)).toThrow(
      /op 0 bias \[16\] has 16 values, the layer 8 outputs/,
    );
    tf.dispose([x, ...w]);
  });

  it('follows the weights it is given: the same plan with new weights recomputes, and a weight shared by two plans frees both', async () => {
    await tf.setBackend('native');
    const stats = native!.nativePlanStats;
    const x = rand([1, 12, 12, 3]);
    const run = (plan: AdaptNetPlan, w: tf.Tensor[]) => {
      const inputs: tf.NamedTensorMap = { x };
      w.forEach((t, i) => {
        inputs[`w${i}`] = t;
      });
      return tf.tidy(() =>
        (tf.engine().runKernel('AdaptNetRunPlan', inputs, { plan } as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync(),
      );
    };
    const before = stats().plans;
    const plan: AdaptNetPlan = { ops: PLAN.ops };
    const a = weights();
    const b = weights();
    const ya = run(plan, a);
    const yb = run(plan, b); // a is still alive: the plan must not answer from its copy of a
    expect(Array.from(yb)).not.toEqual(Array.from(ya));
    expect(Array.from(run(plan, a))).toEqual(Array.from(ya));
    expect(stats().plans).toBe(before + 1); // the copies of the other set went each time
    // The same weights under a second plan object: disposing them frees both plans.
    run({ ops: PLAN.ops }, a);
    expect(stats().plans).toBe(before + 2);
    tf.dispose(a);
    expect(stats().plans).toBe(before);
    tf.dispose([x, ...b]);
  });
});
