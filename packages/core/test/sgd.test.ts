import '../src/node.js';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../src/errors.js';
import { SGD_STEP_KERNEL, type SgdStepOptions, sgdStep } from '../src/ops/sgd.js';
import { testBackends } from './helpers/backends.js';
import { backendDataIds } from './helpers/grad-check.js';

/**
 * torch.optim.SGD for one parameter, in float64, written from PyTorch's documented algorithm
 * (independent of sgd.ts): the momentum buffer starts as g' on the first step (no dampening),
 * then b = m·b + (1 − d)·g'.
 */
class TorchSgdRef {
  private buf: Float64Array | null = null;

  constructor(
    readonly w: Float64Array,
    private readonly o: { lr: number; momentum: number; nesterov: boolean; weightDecay: number; dampening: number },
  ) {}

  step(g: ArrayLike<number>): void {
    const { lr, momentum: m, nesterov, weightDecay: wd, dampening: d } = this.o;
    const gp = Float64Array.from(g, (gi, i) => gi + wd * this.w[i]!);
    let step: Float64Array = gp;
    if (m !== 0) {
      if (this.buf === null) this.buf = Float64Array.from(gp);
      else for (let i = 0; i < gp.length; i++) this.buf[i] = m * this.buf[i]! + (1 - d) * gp[i]!;
      const b = this.buf;
      step = nesterov ? gp.map((x, i) => x + m * b[i]!) : b;
    }
    for (let i = 0; i < this.w.length; i++) this.w[i] = this.w[i]! - lr * step[i]!;
  }
}

/** Values in [-1, 1) on a 1/256 grid: exact in float32. */
function grid(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (Math.floor((s / 2 ** 32) * 512) - 256) / 256;
  });
}

/** Runs `steps` sgdSteps from velocity 0 with gradients grads[k]; returns the final w and v. */
function run(
  w0: Float32Array,
  grads: Float32Array[],
  optionsAt: (k: number) => SgdStepOptions,
  shape: number[] = [w0.length],
): { w: Float32Array; v: Float32Array } {
  const w = tf.variable(tf.tensor(w0, shape));
  const v = tf.variable(tf.zeros(shape));
  grads.forEach((gv, k) => {
    const g = tf.tensor(gv, shape);
    const r = sgdStep(w, g, v, optionsAt(k));
    w.assign(r.param);
    v.assign(r.velocity);
    tf.dispose([g, r.param, r.velocity]);
  });
  const out = { w: w.dataSync() as Float32Array, v: v.dataSync() as Float32Array };
  tf.dispose([w, v]);
  return out;
}

const maxRelErr = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  expect(got.length).toBe(want.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return Number.isNaN(err) ? Infinity : err / (1 + scale);
};

const base = { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 } as const;

/** Configurations checked against PyTorch's algorithm; `first` overrides the first step's options. */
const CONFIGS: { name: string; o: Required<SgdStepOptions>; first?: Partial<SgdStepOptions> }[] = [
  { name: 'momentum 0.9', o: { ...base, dampening: 0 } },
  { name: 'nesterov', o: { ...base, nesterov: true, dampening: 0 } },
  { name: 'weight decay 0.05', o: { ...base, weightDecay: 0.05, dampening: 0 } },
  { name: 'nesterov + weight decay', o: { ...base, nesterov: true, weightDecay: 0.01, dampening: 0 } },
  // PyTorch's first step skips dampening: dampening 0 on the first call reproduces it.
  { name: 'dampening 0.3 (first step undamped)', o: { ...base, weightDecay: 0.02, dampening: 0.3 }, first: { dampening: 0 } },
  { name: 'plain SGD (momentum 0) + weight decay', o: { ...base, momentum: 0, weightDecay: 0.1, dampening: 0 } },
  { name: 'momentum 0 with dampening (ignored)', o: { ...base, momentum: 0, dampening: 0.5 } },
];

const BACKENDS = await testBackends();

describe.each(BACKENDS)('sgdStep on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it('hand-computed steps: momentum, nesterov, weight decay, dampening', () => {
    // w = 1, g = 0.5 twice, lr 0.1, m 0.9:
    //   v1 = 0.5, w1 = 1 − 0.05 = 0.95; v2 = 0.45 + 0.5 = 0.95, w2 = 0.95 − 0.095 = 0.855
    const g = [Float32Array.of(0.5), Float32Array.of(0.5)];
    let r = run(Float32Array.of(1), g, () => ({ ...base }));
    expect(r.w[0]).toBeCloseTo(0.855, 6);
    expect(r.v[0]).toBeCloseTo(0.95, 6);
    // nesterov: step1 = 0.5 + 0.9·0.5 = 0.95 → w1 = 0.905; v2 = 0.95, step2 = 0.5 + 0.855 = 1.355 → w2 = 0.7695
    r = run(Float32Array.of(1), g, () => ({ ...base, nesterov: true }));
    expect(r.w[0]).toBeCloseTo(0.7695, 6);
    expect(r.v[0]).toBeCloseTo(0.95, 6);
    // wd 0.1 (w = 2, g = 0): g'1 = 0.2, v1 = 0.2, w1 = 1.98; g'2 = 0.198, v2 = 0.18 + 0.198 = 0.378, w2 = 1.9422
    r = run(Float32Array.of(2), [Float32Array.of(0), Float32Array.of(0)], () => ({ ...base, weightDecay: 0.1 }));
    expect(r.w[0]).toBeCloseTo(1.9422, 6);
    expect(r.v[0]).toBeCloseTo(0.378, 6);
    // dampening 0.5 from the first step (differs from PyTorch): v1 = 0.25, w1 = 0.975; v2 = 0.225 + 0.25 = 0.475, w2 = 0.9275
    r = run(Float32Array.of(1), g, () => ({ ...base, dampening: 0.5 }));
    expect(r.w[0]).toBeCloseTo(0.9275, 6);
    expect(r.v[0]).toBeCloseTo(0.475, 6);
    // momentum 0: w − lr·g, velocity unchanged (zeros)
    r = run(Float32Array.of(1, -1), [Float32Array.of(0.5, 0.25)], () => ({ ...base, momentum: 0 }));
    expect(Array.from(r.w)).toEqual([Math.fround(1 - Math.fround(0.1 * 0.5)), Math.fround(-1 - Math.fround(0.1 * 0.25))]);
    expect(Array.from(r.v)).toEqual([0, 0]);
  });

  it.each(CONFIGS.map((c) => [c.name, c] as const))('%s: 4 steps equal PyTorch SGD in float64 (1e-6)', (_, c) => {
    const n = 257;
    const w0 = grid(n, 7);
    const grads = [1, 2, 3, 4].map((k) => grid(n, 100 + k));
    const ref = new TorchSgdRef(Float64Array.from(w0), c.o);
    for (const g of grads) ref.step(g);
    const got = run(w0, grads, (k) => (k === 0 ? { ...c.o, ...c.first } : c.o), [257]);
    expect(maxRelErr(got.w, ref.w)).toBeLessThanOrEqual(1e-6);
  });

  it('a step is one AdaptNetSgdStep kernel where the backend has it, composed ops otherwise', async () => {
    const w = tf.ones([4, 3]);
    const g = tf.ones([4, 3]);
    const v = tf.zeros([4, 3]);
    const info = await tf.profile(() => {
      const r = sgdStep(w, g, v, { ...base, weightDecay: 0.1, nesterov: true });
      return [r.param, r.velocity];
    });
    const names = info.kernelNames;
    if (tf.getKernel(SGD_STEP_KERNEL, backend)) expect(names).toEqual([SGD_STEP_KERNEL]);
    else expect(names).not.toContain(SGD_STEP_KERNEL);
    tf.dispose([w, g, v, ...(info.result as tf.Tensor[])]);
  });

  it('leaks no tensors or backend allocations over repeated steps (every option path)', () => {
    const shape = [3, 5, 7];
    const w = tf.variable(tf.tensor(grid(105, 1), shape));
    const v = tf.variable(tf.zeros(shape));
    const g = tf.tensor(grid(105, 2), shape);
    const options: SgdStepOptions[] = [
      base,
      { ...base, nesterov: true, weightDecay: 0.01 },
      { ...base, dampening: 0.1 },
      { ...base, momentum: 0 },
    ];
    const step = (o: SgdStepOptions) => {
      const r = sgdStep(w, g, v, o);
      w.assign(r.param);
      v.assign(r.velocity);
      tf.dispose([r.param, r.velocity]);
    };
    for (const o of options) step(o);
    const tensors = tf.memory().numTensors;
    const ids = backendDataIds();
    for (let i = 0; i < 10; i++) for (const o of options) step(o);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backendDataIds()).toBe(ids);
    tf.dispose([w, v, g]);
  });

  it('returns new tensors and leaves its inputs unchanged', () => {
    tf.tidy(() => {
      const w = tf.tensor1d([1, 2]);
      const g = tf.tensor1d([0.5, 0.5]);
      const v = tf.tensor1d([0.25, -0.25]);
      for (const o of [base, { ...base, momentum: 0 }]) {
        const r = sgdStep(w, g, v, o);
        expect(r.param).not.toBe(w);
        expect(r.velocity).not.toBe(v);
        r.velocity.dispose(); // disposing the result never disposes the input
        expect(Array.from(w.dataSync())).toEqual([1, 2]);
        expect(Array.from(v.dataSync())).toEqual([0.25, -0.25]);
        expect(Array.from(g.dataSync())).toEqual([0.5, 0.5]);
      }
    });
  });
});

describe.skipIf(!BACKENDS.includes('native'))('native AdaptNetSgdStep', () => {
  const composedOnCpu = async (w: Float32Array, g: Float32Array, v: Float32Array, o: SgdStepOptions) => {
    await tf.setBackend('cpu');
    return tf.tidy(() => {
      const r = sgdStep(tf.tensor(w), tf.tensor(g), tf.tensor(v), o);
      return [r.param.dataSync() as Float32Array, r.velocity.dataSync() as Float32Array];
    });
  };
  const onNative = async (w: Float32Array, g: Float32Array, v: Float32Array, o: SgdStepOptions) => {
    await tf.setBackend('native');
    return tf.tidy(() => {
      const r = sgdStep(tf.tensor(w), tf.tensor(g), tf.tensor(v), o);
      return [r.param.dataSync() as Float32Array, r.velocity.dataSync() as Float32Array];
    });
  };

  // 100_003 elements: above the kernel's threading threshold, not a multiple of the block size.
  it.each([5, 100_003])('equals the composed cpu path bit for bit (%i elements, every option path)', async (n) => {
    const w = grid(n, 11);
    const g = grid(n, 12);
    const v = grid(n, 13);
    for (const o of [
      ...CONFIGS.map((c) => c.o),
      { lr: 0.037, momentum: 0.99, nesterov: true, weightDecay: 5e-4 },
      { lr: 0, momentum: 0.5, nesterov: false, weightDecay: 0, dampening: 1 },
    ]) {
      const want = await composedOnCpu(w, g, v, o);
      const got = await onNative(w, g, v, o);
      for (const i of [0, 1]) {
        expect(got[i]!.length).toBe(n);
        // Same bits (as Uint32, so NaN payloads and −0 count too); the index of the first difference otherwise.
        const a = new Uint32Array(got[i]!.buffer, got[i]!.byteOffset, n);
        const b = new Uint32Array(want[i]!.buffer, want[i]!.byteOffset, n);
        expect(
          a.findIndex((x, k) => x !== b[k]),
          `${i === 0 ? 'param' : 'velocity'} ${JSON.stringify(o)}`,
        ).toBe(-1);
      }
    }
  });
});

describe('sgdStep rejects bad options and shapes with named errors', () => {
  const w = tf.zeros([2, 3]);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ lr: -0.1 }, /lr must be a finite number ≥ 0, got -0.1/],
    [{ lr: Number.NaN }, /lr must be a finite number ≥ 0, got NaN/],
    [{ lr: Number.POSITIVE_INFINITY }, /lr must be a finite number ≥ 0, got Infinity/],
    [{ momentum: 1 }, /momentum must be a number in \[0, 1\), got 1/],
    [{ momentum: -0.5 }, /momentum must be a number in \[0, 1\), got -0.5/],
    [{ dampening: 1.5 }, /dampening must be a number in \[0, 1\], got 1.5/],
    [{ dampening: -1 }, /dampening must be a number in \[0, 1\], got -1/],
    [{ weightDecay: -1e-4 }, /weightDecay must be a finite number ≥ 0, got -0.0001/],
    [{ weightDecay: Number.NaN }, /weightDecay must be a finite number ≥ 0, got NaN/],
    [{ nesterov: 'yes' }, /nesterov must be true or false, got yes/],
    [{ nesterov: true, momentum: 0 }, /nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0/],
    [{ nesterov: true, dampening: 0.1 }, /nesterov needs momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1/],
  ];

  it.each(bad.map(([o, re]) => [JSON.stringify(o), o, re] as const))('%s → ConfigError', (_, o, re) => {
    const call = () => sgdStep(w, w, w, { ...base, ...o } as unknown as SgdStepOptions);
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(re);
    try {
      call();
    } catch (e) {
      expect((e as ConfigError).code).toBe('E_CONFIG');
    }
  });

  it('grad or velocity of another shape → ShapeError naming both shapes', () => {
    tf.tidy(() => {
      const other = tf.zeros([3, 2]);
      expect(() => sgdStep(w, other, w, base)).toThrow(ShapeError);
      expect(() => sgdStep(w, other, w, base)).toThrow(/grad shape \[3,2\] must equal the param shape \[2,3\]/);
      expect(() => sgdStep(w, w, tf.zeros([6]), base)).toThrow(/velocity shape \[6\] must equal the param shape \[2,3\]/);
    });
  });
});
