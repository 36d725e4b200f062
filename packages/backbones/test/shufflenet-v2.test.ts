import type { ForwardContext } from '@adaptnet/core';
import { expectClose, fixture, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackbone, ShuffleNetV2, ShuffleUnit } from '../src/index.js';

const at = (width: number, resolution: number): ForwardContext => ({ config: { width, resolution }, training: true });

beforeAll(() => useBackend('wasm'));
afterAll(() => useBackend('cpu'));

describe('ShuffleNetV2', () => {
  it('1.0×-224 = 144,958,168 MACs (paper: 146M), params = trainable elements at width 1', () => {
    const net = createBackbone('shufflenet-v2');
    const c = net.cost([1, 224, 224, 3], at(1, 224));
    expect(c.macs).toBe(144_958_168);
    expect(c.macs / 146e6).toBeGreaterThan(0.99);
    expect(c.params).toBe(net.parameterCount());
    expect(net.stageStrides).toEqual([4, 8, 16, 32]);
    expect(net.stageShapes([1, 224, 224, 3], at(0.5, 224))).toEqual([
      [1, 56, 56, 12],
      [1, 28, 28, 60],
      [1, 14, 14, 116],
      [1, 7, 7, 232],
    ]);
    net.dispose();
  });

  it('a stride-1 unit is split → branch(right) → concat → 2-group shuffle on the active channels', () => {
    const net = new ShuffleNetV2({ input: 'small', numClasses: 3 });
    const unit = [...net.namedModules().values()].find((m): m is ShuffleUnit => m instanceof ShuffleUnit && m.stride === 1)!;
    const ctx = at(0.5, 4);
    const k = 30; // activeChannels(58, 0.5, { divisor: 2 })
    const x = fixture([1, 4, 4, 2 * k], 9);
    const y = unit.forward(x, ctx);
    const left = tf.slice(x, [0, 0, 0, 0], [1, 4, 4, k]);
    let right = tf.slice(x, [0, 0, 0, k], [1, 4, 4, k]);
    for (const m of unit.branch2) right = m.forward(right, ctx);
    const l = left.arraySync() as number[][][][];
    const r = right.arraySync() as number[][][][];
    const want = l.map((a, n) => a.map((row, i) => row.map((px, j) => px.flatMap((v, c) => [v, r[n]![i]![j]![c]!]))));
    expectClose(y, tf.tensor(want));
    expect(unit.cost(x.shape, ctx).outShape).toEqual(y.shape);
    tf.dispose([x, y, left, right]);
    net.dispose();
  });

  it('MACs are monotone in width and resolution', () => {
    const net = createBackbone('shufflenet-v2');
    const widths = [0.25, 0.4, 0.5, 0.75, 1];
    for (const r of [96, 160, 224]) {
      const m = widths.map((w) => net.cost([1, r, r, 3], at(w, r)).macs);
      m.slice(1).forEach((v, i) => expect(v).toBeGreaterThanOrEqual(m[i]!));
    }
    const m = [96, 128, 160, 224].map((r) => net.cost([1, r, r, 3], at(0.5, r)).macs);
    m.slice(1).forEach((v, i) => expect(v).toBeGreaterThan(m[i]!));
    net.dispose();
  });
});
