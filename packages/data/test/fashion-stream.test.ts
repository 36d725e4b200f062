import { initBackend } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BatchStream, FASHION_MNIST_NORMALIZE } from '../src/index.js';
import { loadFashionMnist } from '../src/node.js';

await initBackend({ backend: 'cpu', log: false });
const test = await loadFashionMnist({ split: 'test' });
const normalize = FASHION_MNIST_NORMALIZE;

describe('Fashion-MNIST through the reference recipe', () => {
  it('evaluation at 28 (crop fraction 1) is the normalised test image itself, in order', async () => {
    const stream = new BatchStream(test, { batchSize: 1000, normalize });
    expect([stream.batchesPerEpoch, stream.evalTransform.cropFraction, stream.shuffle]).toEqual([10, 1, false]);
    let seen = 0;
    let maxErr = 0;
    for await (const batch of stream.epoch(0)) {
      const x = batch.images(28).dataSync();
      const labels = batch.labels.dataSync();
      for (let k = 0; k < batch.size; k++) {
        const i = batch.indices[k] as number;
        expect(i).toBe(seen + k);
        expect(labels[k]).toBe(test.labels[i]);
        for (let p = 0; p < 784; p += 13) {
          const expected = ((test.pixels[i * 784 + p] as number) / 255 - 0.286) / 0.353;
          maxErr = Math.max(maxErr, Math.abs((x[k * 784 + p] as number) - expected));
        }
      }
      seen += batch.size;
      batch.dispose();
    }
    expect(seen).toBe(10000);
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('training batches at 28/24/20/16: normalised statistics near 0 / 1, flat tensor count', async () => {
    const stream = new BatchStream(test, { batchSize: 128, augment: { kind: 'pad-crop', padding: 2, flip: true }, normalize, seed: 0 });
    expect(stream.batchesPerEpoch).toBe(78);
    const before = tf.memory().numTensors;
    let sum = 0;
    let sq = 0;
    let n = 0;
    let b = 0;
    for await (const batch of stream.epoch(0)) {
      for (const r of [28, 24, 20, 16]) expect(batch.images(r).shape).toEqual([128, r, r, 1]);
      if (b++ < 20) {
        for (const v of batch.images(28).dataSync()) {
          sum += v;
          sq += v * v;
          n++;
        }
      }
      batch.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    // padding adds black pixels (−0.81), so the mean drops a little below 0 and the std below 1
    const mean = sum / n;
    const std = Math.sqrt(sq / n - mean * mean);
    expect(mean).toBeGreaterThan(-0.2);
    expect(mean).toBeLessThan(0.05);
    expect(std).toBeGreaterThan(0.85);
    expect(std).toBeLessThan(1.05);
  });
});
