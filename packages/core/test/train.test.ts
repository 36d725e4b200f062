import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TinyConvNet, trainStep } from '../fixtures/tiny-convnet.js';
import { Rng } from '../src/index.js';
import { initBackend } from '../src/node.js';
import { testBackends } from './helpers/backends.js';

/**
 * A learnable task for a translation-invariant net: the class is the texture of a 6×6 patch
 * (horizontal stripes, vertical stripes, checkerboard, flat) placed at a random position, under noise.
 */
function textureBatch(rng: Rng, n: number, size: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const px = new Float32Array(n * size * size * 3);
  const labels = new Int32Array(n);
  const patterns = [(r: number, _c: number) => r % 2, (_r: number, c: number) => c % 2, (r: number, c: number) => (r + c) % 2, () => 1];
  for (let i = 0; i < n; i++) {
    const q = rng.int(4);
    labels[i] = q;
    const [oy, ox] = [rng.int(size - 6), rng.int(size - 6)];
    for (let p = 0; p < size * size * 3; p++) px[i * size * size * 3 + p] = 0.2 * rng.normal();
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 6; c++) {
        for (let ch = 0; ch < 3; ch++) px[((i * size + oy + r) * size + ox + c) * 3 + ch]! += 1.5 * patterns[q]!(r, c);
      }
    }
  }
  return { x: tf.tensor4d(px, [n, size, size, 3]), y: tf.tensor1d(labels, 'int32') };
}

function accuracy(model: TinyConvNet, x: tf.Tensor, y: tf.Tensor1D): number {
  return tf.tidy(() => {
    const logits = model.forward(x, { config: { width: 1, resolution: x.shape[1] as number }, training: false });
    return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')).dataSync()[0] as number;
  });
}

const BACKENDS = (await testBackends()).filter((b) => b !== 'cpu');

describe.each(BACKENDS)('a small conv net trains on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend: backend as 'wasm' | 'native', log: false });
  });

  it('loss falls, accuracy clears chance, and tensor count is flat over 100 steps', () => {
    const rng = new Rng(0);
    const model = new TinyConvNet(4, 0);
    const opt = tf.train.momentum(0.05, 0.9);
    const losses: number[] = [];
    let tensorsAfterWarmup = 0;
    for (let step = 0; step < 100; step++) {
      const { x, y } = textureBatch(rng, 16, 16);
      losses.push(trainStep(model, opt, x, y));
      tf.dispose([x, y]);
      // The optimizer creates its momentum slots on the first step.
      if (step === 1) tensorsAfterWarmup = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterWarmup);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(0.5 * mean(losses.slice(0, 10)));
    const test = textureBatch(new Rng(99), 64, 16);
    expect(accuracy(model, test.x, test.y)).toBeGreaterThan(0.8);
    tf.dispose([test.x, test.y]);
    opt.dispose();
    model.dispose();
  });

  it('eval forward leaks nothing', () => {
    const model = new TinyConvNet(4, 1);
    const { x, y } = textureBatch(new Rng(1), 8, 16);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) accuracy(model, x, y);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('namedModules() lists the model and its children by dotted path', () => {
    const model = new TinyConvNet(10, 0);
    expect([...model.namedModules().keys()]).toEqual(['', 'stem', 'dw', 'pw']);
    expect(model.namedModules().get('dw')?.name).toBe('dw');
    expect([...model.namedModules('net.').keys()]).toEqual(['net', 'net.stem', 'net.dw', 'net.pw']);
    model.dispose();
  });

  it("cost() predicts the forward pass's output shape and counts MACs by hand", () => {
    const model = new TinyConvNet(10, 0);
    const ctx = { config: { width: 1, resolution: 32 }, training: false };
    const cost = model.cost([2, 32, 32, 3], ctx);
    const out = tf.tidy(() => model.forward(tf.zeros([2, 32, 32, 3]), ctx).shape);
    expect(cost.outShape).toEqual(out);
    // stem 32·32·(3·3·3·16) + dw 16·16·(3·3·16) + pw 16·16·16·32 + pool 16·16·32 + fc 32·10, per image
    expect(cost.macs).toBe(2 * (32 * 32 * 432 + 16 * 16 * 144 + 16 * 16 * 512 + 16 * 16 * 32 + 320));
    const trainable = model.trainableVariables().reduce((n, v) => n + v.size, 0);
    const bnAffine = 2 * (16 + 16 + 32);
    expect(cost.params).toBe(trainable - bnAffine);
    model.dispose();
  });
});
