import type { ForwardContext } from '@adaptnet/core';
import { fixture, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { createBackbone } from '../src/index.js';

beforeAll(async () => {
  await useBackend('cpu');
});

it('slow-small fits a handful of random clips: the loss falls and the step loop leaks nothing', () => {
  const net = createBackbone('slow-small', { numClasses: 4, seed: 1 });
  const config = { width: 1, resolution: 20, frames: 3 };
  const ctx: ForwardContext = { config, training: true };
  const x = fixture([4, 3, 20, 20, 3], 17);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4);
  const opt = tf.train.adam(0.01);
  const vars = net.trainableVariables();
  const losses: number[] = [];
  let tensorsAfterFirst = 0;
  for (let step = 0; step < 8; step++) {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, net.forward(x, ctx)) as tf.Scalar, true, vars) as tf.Scalar;
    losses.push(loss.dataSync()[0] as number);
    loss.dispose();
    if (step === 1) tensorsAfterFirst = tf.memory().numTensors;
  }
  expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
  expect(losses[0]).toBeGreaterThan(1);
  expect(losses[losses.length - 1]).toBeLessThan(0.5 * (losses[0] as number));
  tf.dispose([x, labels]);
  opt.dispose();
  net.dispose();
});
