import { ConfigRangeError, type ForwardContext, ShapeError } from '@adaptnet/core';
import { expectClose, expectNoLeak, fixture, type Nested, pick, range, testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  activeChannels,
  SlimConv2d,
  SlimConv3d,
  SlimDense,
  SlimDepthwiseConv2d,
  SlimDepthwiseConv3d,
  type SlimLayer,
} from '../src/index.js';

const ctxAt = (width: number, training = true): ForwardContext => ({ config: { width, resolution: 8 }, training });

type SlimWithWeights = SlimLayer & { readonly kernel: tf.Variable; readonly bias: tf.Variable | undefined };

interface Case {
  readonly name: string;
  readonly build: () => SlimWithWeights;
  readonly inShape: (width: number) => number[];
  /** Kept kernel indices per axis (undefined: all). */
  readonly keep: (width: number) => (number[] | undefined)[];
  readonly biasKeep?: (width: number) => number[];
  /** The plain tfjs op on hand-sliced weights. */
  readonly plain: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | undefined) => tf.Tensor;
}

const a = (full: number, w: number, ratio = 1) => activeChannels(full, w, { ratio });
const addBias = (y: tf.Tensor, b: tf.Tensor | undefined) => (b ? tf.add(y, b) : y);

const CASES: Case[] = [
  {
    name: 'SlimConv2d 3×3 same, both sides slim',
    build: () => new SlimConv2d('conv', { inChannels: 16, outChannels: 24, kernelSize: 3 }),
    inShape: (w) => [2, 7, 7, a(16, w)],
    keep: (w) => [undefined, undefined, range(a(16, w)), range(a(24, w))],
    plain: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
  },
  {
    name: 'SlimConv2d stem: image input never slims, stride 2, explicit padding 1, bias',
    build: () =>
      new SlimConv2d('stem', {
        inChannels: 3,
        outChannels: 16,
        kernelSize: 3,
        strides: 2,
        padding: 1,
        useBias: true,
        input: { slim: false },
      }),
    inShape: () => [2, 9, 8, 3],
    keep: (w) => [undefined, undefined, undefined, range(a(16, w))],
    biasKeep: (w) => range(a(16, w)),
    plain: (x, w, b) => addBias(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 1), b),
  },
  {
    name: 'SlimConv2d after adaptive fusion: the last 4 input channels always present',
    build: () => new SlimConv2d('fused', { inChannels: 16 + 4, outChannels: 8, kernelSize: 1, input: { fixedTail: 4 } }),
    inShape: (w) => [2, 5, 5, a(16, w) + 4],
    keep: (w) => [undefined, undefined, [...range(a(16, w)), 16, 17, 18, 19], range(a(8, w))],
    plain: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'),
  },
  {
    name: 'SlimDepthwiseConv2d 3×3 stride 2 (MBv2 expansion ratio 6)',
    build: () => new SlimDepthwiseConv2d('dw', { channels: 48, kernelSize: 3, strides: 2, useBias: true, channelsSide: { ratio: 6 } }),
    inShape: (w) => [2, 8, 7, a(48, w, 6)],
    keep: (w) => [undefined, undefined, range(a(48, w, 6)), undefined],
    biasKeep: (w) => range(a(48, w, 6)),
    plain: (x, w, b) => addBias(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), b),
  },
  {
    name: 'SlimDense, classifier outputs never slim',
    build: () => new SlimDense('fc', { inUnits: 32, outUnits: 10, output: { slim: false } }),
    inShape: (w) => [3, a(32, w)],
    keep: (w) => [range(a(32, w)), undefined],
    biasKeep: () => range(10),
    plain: (x, w, b) => addBias(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
  },
  {
    name: 'SlimDense both sides slim, ratio 0.25 on the output',
    build: () => new SlimDense('fc2', { inUnits: 16, outUnits: 16, output: { ratio: 0.25 } }),
    inShape: (w) => [2, a(16, w)],
    keep: (w) => [range(a(16, w)), range(a(16, w, 0.25))],
    biasKeep: (w) => range(a(16, w, 0.25)),
    plain: (x, w, b) => addBias(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
  },
  {
    name: 'SlimConv3d 3×3×3 same, strides [1, 2, 2]',
    build: () => new SlimConv3d('c3', { inChannels: 8, outChannels: 16, kernelSize: 3, strides: [1, 2, 2] }),
    inShape: (w) => [1, 4, 6, 5, a(8, w)],
    keep: (w) => [undefined, undefined, undefined, range(a(8, w)), range(a(16, w))],
    plain: (x, w) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, [1, 2, 2], 'same'),
  },
  {
    name: 'SlimConv3d 5×1×1 explicit padding [2, 0, 0] with bias and a fixed tail',
    build: () =>
      new SlimConv3d('lat', {
        inChannels: 8 + 2,
        outChannels: 8,
        kernelSize: [5, 1, 1],
        padding: [2, 0, 0],
        useBias: true,
        input: { fixedTail: 2 },
      }),
    inShape: (w) => [2, 6, 3, 3, a(8, w) + 2],
    keep: (w) => [undefined, undefined, undefined, [...range(a(8, w)), 8, 9], range(a(8, w))],
    biasKeep: (w) => range(a(8, w)),
    plain: (x, w, b) =>
      addBias(
        tf.conv3d(
          tf.pad(x, [
            [0, 0],
            [2, 2],
            [0, 0],
            [0, 0],
            [0, 0],
          ]) as tf.Tensor5D,
          w as tf.Tensor5D,
          1,
          'valid',
        ),
        b,
      ),
  },
  ...(
    [
      ['same', [1, 1, 1]],
      ['same', [2, 2, 2]],
      ['valid', [2, 1, 1]],
    ] as const
  ).map(
    ([padding, strides]): Case => ({
      name: `SlimDepthwiseConv3d 3×3×3 ${padding} strides ${strides} (vs dense conv3d with a block-diagonal kernel)`,
      build: () => new SlimDepthwiseConv3d('cw', { channels: 16, kernelSize: 3, strides: [...strides], padding, useBias: true }),
      inShape: (w) => [2, 5, 6, 5, a(16, w)],
      keep: (w) => [undefined, undefined, undefined, range(a(16, w)), undefined],
      biasKeep: (w) => range(a(16, w)),
      plain: (x, w, b) => {
        const c = w.shape[3] as number;
        const dense = tf.mul(w, tf.eye(c)); // [kd, kh, kw, c, 1] · I → [kd, kh, kw, c, c]
        return addBias(tf.conv3d(x as tf.Tensor5D, dense as tf.Tensor5D, [...strides], padding), b);
      },
    }),
  ),
];

const WIDTHS = [0.25, 0.6, 1];
const BACKENDS = await testBackends();

/** Every index tuple of a nested array whose entry is outside `keep`. */
function inactiveValues(g: Nested, keep: (number[] | undefined)[], axis = 0, outside = false): number[] {
  if (!Array.isArray(g)) return outside ? [g] : [];
  const k = keep[axis];
  return g.flatMap((row, i) => inactiveValues(row, keep, axis + 1, outside || (k !== undefined && !k.includes(i))));
}

describe.each(BACKENDS)('slim layers on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each(CASES)('$name', (c) => {
    it.each(WIDTHS)('width %s: output equals the plain op on hand-sliced weights; cost matches', (width) => {
      const layer = c.build();
      try {
        const ctx = ctxAt(width);
        const x = fixture(c.inShape(width), 7);
        const w = tf.tensor(pick(layer.kernel.arraySync() as Nested, c.keep(width)) as number[]);
        const b = c.biasKeep && layer.bias ? tf.tensor(pick(layer.bias.arraySync() as Nested, [c.biasKeep(width)]) as number[]) : undefined;
        const y = layer.forward(x, ctx);
        const ref = c.plain(x, w, b);
        expectClose(y, ref, 1e-5);
        const cost = layer.cost(x.shape, ctx);
        expect(cost.outShape).toEqual(y.shape);
        const weightCount = w.size + (b ? b.size : 0);
        expect(cost.params).toBe(weightCount);
        tf.dispose([x, w, b, y, ref].filter((t): t is tf.Tensor => t !== undefined));
      } finally {
        layer.dispose();
      }
    });

    it.each(WIDTHS)('width %s: inactive weight slices get exactly zero gradient; active ones the plain op’s', (width) => {
      const layer = c.build();
      try {
        const ctx = ctxAt(width);
        const x = fixture(c.inShape(width), 11);
        const keep = c.keep(width);
        const probe = tf.tidy(() => fixture(layer.forward(x, ctx).shape, 5));
        const vars = [layer.kernel, ...(layer.bias ? [layer.bias] : [])];
        const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(layer.forward(x, ctx), probe)) as tf.Scalar, vars);
        const gk = grads[layer.kernel.name]!.arraySync() as Nested;
        const inactive = inactiveValues(gk, keep);
        if (keep.some((k, i) => k !== undefined && k.length < (layer.kernel.shape[i] as number))) {
          expect(inactive.length).toBeGreaterThan(0);
        }
        expect(inactive.every((v) => v === 0)).toBe(true);
        const w = tf.tensor(pick(layer.kernel.arraySync() as Nested, keep) as number[]);
        const refGrad = tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(c.plain(x, wt, undefined), probe)))(w);
        const active = tf.tensor(pick(gk, keep) as number[]);
        expect(Math.max(...Array.from(tf.abs(active).dataSync()))).toBeGreaterThan(0);
        expectClose(active, refGrad, 1e-4);
        if (layer.bias && c.biasKeep) {
          const gb = Array.from(grads[layer.bias.name]!.dataSync());
          const kept = c.biasKeep(width);
          expect(gb.filter((_, i) => !kept.includes(i)).every((v) => v === 0)).toBe(true);
        }
        tf.dispose([x, probe, value, w, refGrad, active, ...Object.values(grads)]);
      } finally {
        layer.dispose();
      }
    });

    it('repeated forward and backward passes leak no tensors', () => {
      const layer = c.build();
      try {
        const x = fixture(c.inShape(0.6), 3);
        expectNoLeak(() => layer.forward(x, ctxAt(0.6)));
        expectNoLeak(() => {
          const { grads, value } = tf.variableGrads(() => tf.sum(layer.forward(x, ctxAt(0.6))) as tf.Scalar, [layer.kernel]);
          return [value, ...Object.values(grads)];
        });
        x.dispose();
      } finally {
        layer.dispose();
      }
    });
  });
});

describe('slim layer errors', () => {
  it('a width outside the layer range is a ConfigRangeError naming the width and the range', () => {
    const conv = new SlimConv2d('block3.conv', { inChannels: 16, outChannels: 16, kernelSize: 1 });
    const x = tf.zeros([1, 2, 2, 16]);
    for (const width of [1.2, 0.1, Number.NaN]) {
      expect(() => conv.forward(x, ctxAt(width))).toThrow(ConfigRangeError);
      expect(() => conv.cost(x.shape, ctxAt(width))).toThrow(ConfigRangeError);
    }
    expect(() => conv.forward(x, ctxAt(1.2))).toThrow("block3.conv: width 1.2 is outside the layer's range: [0.25, 1]");
    const wide = new SlimDense('fc', { inUnits: 8, outUnits: 8, widthRange: { min: 0.5, max: 2 } });
    expect(() => wide.forward(tf.zeros([1, 2]), ctxAt(0.25))).toThrow("fc: width 0.25 is outside the layer's range: [0.5, 2]");
    x.dispose();
    conv.dispose();
    wide.dispose();
  });

  it('an input whose channel count does not match the width is a ShapeError saying what was expected', () => {
    const conv = new SlimConv2d('c', { inChannels: 32, outChannels: 8, kernelSize: 1 });
    const x = tf.zeros([1, 2, 2, 24]);
    expect(() => conv.forward(x, ctxAt(0.5))).toThrow(ShapeError);
    expect(() => conv.forward(x, ctxAt(0.5))).toThrow('c: input has 24 channels, but width 0.5 gives 16 (32 at full width, ratio 1)');
    const stem = new SlimConv2d('stem', { inChannels: 3, outChannels: 8, kernelSize: 1, input: { slim: false } });
    expect(() => stem.forward(tf.zeros([1, 2, 2, 2]), ctxAt(0.5))).toThrow(
      'stem: input has 2 channels, but this side does not slim: always 3',
    );
    expect(() => stem.forward(tf.zeros([2, 2, 3]), ctxAt(0.5))).toThrow('stem: input must be rank 4 (NHWC), got shape [2, 2, 3]');
    x.dispose();
    conv.dispose();
    stem.dispose();
  });

  it('bad construction options are named', () => {
    expect(() => new SlimConv2d('c', { inChannels: 0, outChannels: 8, kernelSize: 1 })).toThrow(
      'c: input channels must be a positive integer, got 0',
    );
    expect(() => new SlimConv2d('c', { inChannels: 8, outChannels: 8, kernelSize: 1, input: { fixedTail: 8 } })).toThrow(
      'c: input.fixedTail must be an integer in [0, 7], got 8',
    );
    expect(() => new SlimConv2d('c', { inChannels: 8, outChannels: 8, kernelSize: [3, 0] })).toThrow(
      'c: kernelSize must be an integer >= 1 or 2 of them, got [3,0]',
    );
    expect(() => new SlimDense('d', { inUnits: 8, outUnits: 8, widthRange: { min: 1, max: 0.5 } })).toThrow(/widthRange must satisfy/);
  });

  it('the channel count follows the width at every step of a sweep and the active parameter count shrinks', () => {
    const conv = new SlimConv2d('c', { inChannels: 64, outChannels: 64, kernelSize: 3 });
    let last = Number.POSITIVE_INFINITY;
    for (let w = 1; w >= 0.25 - 1e-9; w -= 0.05) {
      const cin = activeChannels(64, w);
      const cost = conv.cost([1, 8, 8, cin], ctxAt(w));
      expect(cost.outShape[3]).toBe(cin);
      expect(cost.params).toBe(9 * cin * cin);
      expect(cost.macs).toBe(64 * 9 * cin * cin);
      expect(cost.params).toBeLessThanOrEqual(last);
      last = cost.params;
    }
    conv.dispose();
  });
});
