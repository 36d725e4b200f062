import { Rng } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Detector } from '../src/index.js';
import { tinyDetector, tinySpec } from './helpers/tiny.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

describe('shapes per level and cost() for random configurations', () => {
  it('forwardLevels matches levelShapes; forward is [N, ΣHW, K+5]; cost() = backbone + hand-counted FPN and head MACs', () => {
    const det = tinyDetector();
    const rng = new Rng(7);
    const C = 16;
    const K = 10;
    try {
      for (let trial = 0; trial < 5; trial++) {
        const width = rng.uniform(0.25, 1);
        const h = 20 + rng.int(60);
        const w = 20 + rng.int(60);
        const ctx = { config: { width, resolution: Math.min(h, w) }, training: false };
        const inShape = [2, h, w, 1];
        const levels = det.levelShapes(inShape, ctx);
        expect(levels.map((l) => l.stride)).toEqual([4, 8, 16, 32]);
        const x = tf.randomNormal(inShape, 0, 1, 'float32', trial);
        const outs = det.forwardLevels(x, { ...ctx, training: true });
        outs.forEach((o, i) => {
          const l = levels[i] as { height: number; width: number };
          expect(o.cls.shape).toEqual([2, l.height, l.width, K]);
          expect(o.ltrb.shape).toEqual([2, l.height, l.width, 4]);
          expect(o.centerness.shape).toEqual([2, l.height, l.width, 1]);
          expect(Math.min(...o.ltrb.dataSync())).toBeGreaterThan(0);
        });
        const y = det.forward(x, { ...ctx, training: true });
        const points = levels.reduce((a, l) => a + l.height * l.width, 0);
        expect(y.shape).toEqual([2, points, K + 5]);
        const cost = det.cost(inShape, ctx);
        expect(cost.outShape).toEqual(y.shape);
        // Independent count: stage shapes from the backbone, then convolutions by hand.
        const stages = det.backbone.stageShapes(inShape, ctx).slice(-3);
        let fpn = 0;
        stages.forEach((s, i) => {
          const [n, hh, ww, cin] = s as [number, number, number, number];
          expect(hh).toBe(levels[i]?.height);
          fpn += n * hh * ww * cin * C + n * hh * ww * 9 * C * C;
        });
        const p6 = levels[3] as { height: number; width: number };
        fpn += 2 * p6.height * p6.width * 9 * C * C;
        const head = levels.reduce((a, l) => a + 2 * l.height * l.width * 9 * C * (2 * C + K + 4 + 1), 0);
        expect(cost.macs).toBe(det.backbone.cost(inShape, ctx).macs + fpn + head);
        // Rows sum to the totals; parameters equal the variables the active subnet uses (the head once).
        expect(cost.layers.reduce((a, l) => a + l.macs, 0)).toBe(cost.macs);
        expect(cost.layers.reduce((a, l) => a + l.params, 0)).toBe(cost.params);
        tf.dispose([x, y, ...outs.flatMap((o) => [o.cls, o.ltrb, o.centerness])]);
      }
    } finally {
      det.dispose();
    }
  });

  it('the full-width backbone costs more than the narrowest; the FPN and head cost the same at both', () => {
    const det = tinyDetector();
    const shape = [1, 48, 64, 1];
    const at = (width: number) => det.cost(shape, { config: { width, resolution: 48 }, training: false });
    const full = at(1);
    const slim = at(0.25);
    expect(full.macs).toBeGreaterThan(slim.macs);
    // At full width the parameters are every trainable variable (the shared head counted once).
    expect(full.params).toBe(det.parameterCount());
    const neckHead = (c: typeof full) => c.layers.filter((l) => !l.name.startsWith('mobilenet')).reduce((a, l) => a + l.macs, 0);
    const lateral = (c: typeof full) => c.layers.filter((l) => l.name.includes('lateral')).reduce((a, l) => a + l.macs, 0);
    expect(neckHead(full) - lateral(full)).toBe(neckHead(slim) - lateral(slim));
    det.dispose();
  });

  it('bad input: a 3-channel image for a grey detector, a width outside the range', () => {
    const det = tinyDetector();
    const x = tf.zeros([1, 32, 32, 3]);
    expect(() => det.forward(x, { config: { width: 1, resolution: 32 }, training: false })).toThrow(
      'detector: input must be [N, H, W, 1] (NHWC, 1 channel(s)), got [1, 32, 32, 3]',
    );
    expect(() => det.levelShapes([1, 32, 32, 1], { config: { width: 0.1, resolution: 32 }, training: false })).toThrow(
      /width 0.1 is outside the allowed range/,
    );
    expect(() => new Detector({ ...tinySpec(), stages: 9 })).toThrow('stages must be an integer in 1..4');
    x.dispose();
    det.dispose();
  });
});
