import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

// The fused inference kernels (one oneDNN primitive with bias and activation post-ops, weights
// reordered once per weight tensor) against the cpu backend's kernels.
const native = await import('../src/index.js').catch((e: unknown) => {
  if (process.env.CI) throw e;
  console.warn(`@adaptnet/backend-native fused inference tests skipped: ${(e as Error).message}`);
  return null;
});
const { loadAddon } = await import('../src/addon.js');
await import('@tensorflow/tfjs-backend-cpu');
const describeNative = native ? describe : describe.skip;

/** max |a − b| ≤ 1e-4 · (1 + max |b|), as the other kernel tests. */
function expectClose(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  expect(err / (1 + scale)).toBeLessThanOrEqual(1e-4);
}

let seed = 7;
function rand(shape: number[], scale = 1): Float32Array {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    v[i] = ((seed / 4294967296) * 2 - 1) * scale;
  }
  return v;
}

async function on(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => f().dataSync() as Float32Array);
}

type Act = 'linear' | 'relu' | 'relu6';
const ACTS: Act[] = ['linear', 'relu', 'relu6'];

interface ConvCase {
  x: number[];
  w: number[];
  strides: number;
  pad: 'same' | 'valid' | number;
  depthwise: boolean;
  bias: boolean;
}

const CONV_CASES: ConvCase[] = [
  { x: [1, 9, 9, 8], w: [3, 3, 8, 16], strides: 1, pad: 'same', depthwise: false, bias: true },
  { x: [3, 10, 7, 5], w: [3, 3, 5, 12], strides: 2, pad: 1, depthwise: false, bias: true },
  { x: [2, 8, 8, 16], w: [1, 1, 16, 24], strides: 1, pad: 'valid', depthwise: false, bias: false },
  { x: [1, 7, 7, 32], w: [3, 3, 32, 1], strides: 1, pad: 1, depthwise: true, bias: true },
  { x: [2, 12, 11, 16], w: [3, 3, 16, 1], strides: 2, pad: 'same', depthwise: true, bias: true },
  { x: [1, 6, 6, 4], w: [3, 3, 4, 2], strides: 1, pad: 'valid', depthwise: true, bias: false },
  // Above the per-thread grain (ADAPTNET_NATIVE_GRAIN, 4M multiply-adds): these run on every thread.
  { x: [2, 32, 32, 64], w: [3, 3, 64, 64], strides: 1, pad: 1, depthwise: false, bias: true },
  { x: [4, 64, 64, 64], w: [3, 3, 64, 1], strides: 1, pad: 'same', depthwise: true, bias: true },
];

describeNative('fused inference kernels on native equal cpu', () => {
  for (const c of CONV_CASES) {
    for (const activation of ACTS) {
      it(`${c.depthwise ? 'depthwise' : 'conv2d'} x=${c.x} w=${c.w} s=${c.strides} pad=${c.pad} bias=${c.bias} ${activation}`, async () => {
        // Scaled so relu6's upper bound clips some outputs.
        const xv = rand(c.x, 4);
        const wv = rand(c.w);
        const co = c.depthwise ? c.w[2]! * c.w[3]! : c.w[3]!;
        const bv = rand([co]);
        const f = () => {
          const args = {
            x: tf.tensor4d(xv, c.x as [number, number, number, number]),
            filter: tf.tensor4d(wv, c.w as [number, number, number, number]),
            strides: c.strides,
            pad: c.pad,
            activation,
            ...(c.bias ? { bias: tf.tensor1d(bv) } : {}),
          };
          return c.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
        };
        const want = await on('cpu', f);
        // Twice: the second call runs with the cached reordered weights of a persistent tensor.
        expectClose(await on('native', f), want);
        expectClose(await on('native', f), want);
      });
    }
  }

  for (const [m, k, n, transposeB, bias, activation] of [
    [1, 64, 10, false, true, 'linear'],
    [8, 33, 7, true, true, 'relu'],
    [5, 16, 9, false, false, 'relu6'],
  ] as const) {
    it(`matMul ${m}×${k}·${k}×${n} transposeB=${transposeB} bias=${bias} ${activation}`, async () => {
      const av = rand([m, k], 3);
      const bv = rand(transposeB ? [n, k] : [k, n]);
      const cv = rand([n]);
      const f = () =>
        tf.fused.matMul({
          a: tf.tensor2d(av, [m, k]),
          b: tf.tensor2d(bv, transposeB ? [n, k] : [k, n]),
          transposeB,
          activation,
          ...(bias ? { bias: tf.tensor1d(cv) } : {}),
        });
      expectClose(await on('native', f), await on('cpu', f));
    });
  }

  it('a broadcast bias or another activation takes the composed path, still equal to cpu', async () => {
    const xv = rand([2, 5, 5, 3]);
    const wv = rand([3, 3, 3, 4]);
    const bv = rand([5, 5, 4]);
    const f = () =>
      tf.fused.conv2d({
        x: tf.tensor4d(xv, [2, 5, 5, 3]),
        filter: tf.tensor4d(wv, [3, 3, 3, 4]),
        strides: 1,
        pad: 'same',
        bias: tf.tensor3d(bv, [5, 5, 4]),
        activation: 'elu',
      });
    expectClose(await on('native', f), await on('cpu', f));
  });
});

describeNative('AdaptNetFusedConv2DAdd (conv + bias + residual + activation, one primitive) equals cpu composed', () => {
  const cases: [number[], number[], number, Act][] = [
    [[1, 8, 8, 16], [1, 1, 16, 32], 1, 'relu'],
    [[2, 9, 9, 8], [3, 3, 8, 8], 2, 'linear'],
    [[1, 7, 5, 4], [1, 1, 4, 12], 1, 'relu6'],
    [[2, 28, 28, 64], [1, 1, 64, 128], 1, 'relu'], // above the per-thread grain
  ];
  for (const [xs, ws, strides, activation] of cases) {
    it(`x=${xs} w=${ws} s=${strides} ${activation}`, async () => {
      const pad =
        ws[0] === 1
          ? 'valid'
          : ([
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ] as const);
      const oh = Math.floor((xs[1]! + (ws[0] === 1 ? 0 : 2) - ws[0]!) / strides) + 1;
      const ow = Math.floor((xs[2]! + (ws[0] === 1 ? 0 : 2) - ws[1]!) / strides) + 1;
      const outShape = [xs[0]!, oh, ow, ws[3]!];
      const [xv, wv, bv, av] = [rand(xs, 3), rand(ws), rand([ws[3]!]), rand(outShape, 3)];
      const tensors = () => ({
        x: tf.tensor(xv, xs),
        filter: tf.tensor(wv, ws),
        bias: tf.tensor1d(bv),
        add: tf.tensor(av, outShape),
      });
      const attrs = { strides: [strides, strides], pad, dataFormat: 'NHWC', dilations: [1, 1], activation };
      const got = await on('native', () => tf.engine().runKernel('AdaptNetFusedConv2DAdd', tensors(), attrs as never) as tf.Tensor);
      const want = await on('cpu', () => {
        const t = tensors();
        const conv = tf.add(tf.conv2d(t.x as tf.Tensor4D, t.filter as tf.Tensor4D, strides, pad as 'valid'), t.bias);
        const sum = tf.add(conv, t.add);
        return activation === 'relu' ? tf.relu(sum) : activation === 'relu6' ? tf.relu6(sum) : sum;
      });
      expectClose(got, want);
    });
  }

  it('rejects a residual of the wrong shape, naming both shapes', async () => {
    await tf.setBackend('native');
    const run = () =>
      tf.tidy(() =>
        tf
          .engine()
          .runKernel('AdaptNetFusedConv2DAdd', { x: tf.zeros([1, 4, 4, 2]), filter: tf.zeros([1, 1, 2, 3]), add: tf.zeros([1, 4, 4, 2]) }, {
            strides: [1, 1],
            pad: 'valid',
            dataFormat: 'NHWC',
            dilations: [1, 1],
            activation: 'relu',
          } as never),
      );
    expect(run).toThrow(/add has shape \[1,4,4,2\], the convolution's output \[1,4,4,3\]/);
  });
});

describeNative('cached reordered weights', () => {
  it('follow the weight tensor: new weights in a recycled buffer give new results; dispose frees the copy', async () => {
    const addon = loadAddon();
    await tf.setBackend('native');
    const x = tf.tensor4d(rand([1, 6, 6, 64]), [1, 6, 6, 64]);
    const conv = (w: tf.Tensor4D) =>
      tf.tidy(() => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'valid', activation: 'relu' }).dataSync() as Float32Array);
    const before = addon.inferenceCacheStats().weightTensors;
    const results: Float32Array[] = [];
    const sources = [rand([1, 1, 64, 128]), rand([1, 1, 64, 128])];
    for (const source of sources) {
      // A kernel output (multiply by 1): its buffer comes from the native output pool, so the
      // second weight tensor reuses the first one's memory once that is disposed.
      const w = tf.tidy(() => tf.mul(tf.tensor4d(source, [1, 1, 64, 128]), 1)) as tf.Tensor4D;
      conv(w);
      results.push(conv(w)); // second use: cached under the tensor's id
      expect(addon.inferenceCacheStats().weightTensors).toBe(before + 1);
      w.dispose();
      expect(addon.inferenceCacheStats().weightTensors).toBe(before);
    }
    await tf.setBackend('cpu');
    const xc = tf.tensor4d(x.dataSync(), x.shape);
    for (const [i, source] of sources.entries()) {
      const want = tf.tidy(
        () =>
          tf.fused
            .conv2d({ x: xc, filter: tf.tensor4d(source, [1, 1, 64, 128]), strides: 1, pad: 'valid', activation: 'relu' })
            .dataSync() as Float32Array,
      );
      expectClose(results[i]!, want);
    }
    tf.dispose([x, xc]);
  });

  it('a forward through persistent weights makes no tensors and no new cache entries after the first two', async () => {
    const addon = loadAddon();
    await tf.setBackend('native');
    const w = tf.tidy(() => tf.variable(tf.tensor4d(rand([3, 3, 16, 32]), [3, 3, 16, 32])));
    const b = tf.tensor1d(rand([32]));
    const x = tf.tensor4d(rand([1, 8, 8, 16]), [1, 8, 8, 16]);
    const step = () =>
      tf.tidy(() => tf.fused.conv2d({ x, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu6' }).dataSync());
    step();
    step();
    const tensors = tf.memory().numTensors;
    const stats = addon.inferenceCacheStats();
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(addon.inferenceCacheStats()).toEqual(stats);
    // Assigning new values gives the variable new storage: the old copy is dropped.
    tf.tidy(() => w.assign(tf.tensor4d(rand([3, 3, 16, 32]), [3, 3, 16, 32])));
    expect(addon.inferenceCacheStats().weightTensors).toBe(stats.weightTensors - 1);
    tf.dispose([w, b, x]);
  });
});
