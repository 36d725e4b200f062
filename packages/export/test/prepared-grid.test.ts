import { createBackbone } from '@adaptnet/backbones';
import { Rng } from '@adaptnet/core';
import { type EvalBatch, evaluateGrid } from '@adaptnet/query-table';
import { useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { PreparedCache, preparedForward } from '../src/index.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** Seeded 12×12 one-channel images with labels in [0, 4); `inputs({ resolution: r })` resizes bilinearly, cached per batch. */
function source(seed: number, batches: number, size: number): { source: () => EvalBatch[]; dispose: () => void } {
  const rng = new Rng(seed);
  const made: tf.Tensor[] = [];
  const list = Array.from({ length: batches }, (): EvalBatch => {
    const base = tf.tensor4d(
      Float32Array.from({ length: size * 144 }, () => rng.normal()),
      [size, 12, 12, 1],
    );
    const labels = tf.tensor1d(
      Int32Array.from({ length: size }, () => rng.int(4)),
      'int32',
    );
    made.push(base, labels);
    const cache = new Map<number, tf.Tensor4D>();
    return {
      labels,
      inputs: ({ resolution: r }) => {
        if (r === 12) return base;
        let x = cache.get(r);
        if (!x) {
          x = tf.image.resizeBilinear(base, [r, r]);
          cache.set(r, x);
          made.push(x);
        }
        return x;
      },
      dispose: () => {},
    };
  });
  return { source: () => list, dispose: () => tf.dispose(made) };
}

it('a query table measured on the prepared path has the plain forward’s accuracies, every configuration prepared once', async () => {
  const options = {
    input: 'small',
    inChannels: 1,
    numClasses: 4,
    stemChannels: 8,
    blocks: [
      [16, 2],
      [24, 2],
    ],
  } as const;
  const val = source(1, 2, 16);
  const calib = source(2, 1, 16);
  const grid = { widths: [0.25, 0.5, 1], resolutions: [12, 8] };
  const common = { calibrationSamples: 16, log: false as const };
  const plainModel = createBackbone('mobilenet-v1', options);
  const plain = await evaluateGrid(plainModel, grid, val.source, calib.source, common);
  const model = createBackbone('mobilenet-v1', options);
  const cache = new PreparedCache(model, { maxEntries: 2 });
  const prepared = await evaluateGrid(model, grid, val.source, calib.source, { ...common, forward: preparedForward(cache) });
  expect(cache.stats.misses).toBe(6);
  expect(prepared.rows.map((r) => [r.key, r.top1, r.top5, r.macs])).toEqual(plain.rows.map((r) => [r.key, r.top1, r.top5, r.macs]));
  // Not all rows alike: the comparison above is not trivially true.
  expect(new Set(plain.rows.map((r) => r.top1)).size).toBeGreaterThan(1);
  cache.dispose();
  plainModel.dispose();
  model.dispose();
  val.dispose();
  calib.dispose();
});
