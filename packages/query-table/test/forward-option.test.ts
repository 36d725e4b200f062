import type { SubnetConfig } from '@adaptnet/core';
import { findBatchNorms } from '@adaptnet/norm';
import { useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { evaluateGrid, type GridModel } from '../src/index.js';
import { CLASSES, syntheticSource } from './helpers/data.js';
import { tinyMobileNet } from './helpers/model.js';

beforeAll(async () => {
  await useBackend('cpu');
});

it('the forward option computes the logits for accuracy and latency, once per configuration, after calibration', async () => {
  const model = tinyMobileNet();
  const before = tf.memory().numTensors;
  const val = syntheticSource({ batches: 2, size: 12, seed: 1 });
  const calib = syntheticSource({ batches: 2, size: 12, seed: 2 });
  const made: string[] = [];
  let calls = 0;
  // Logits that always rank class 3 first, then 0, 1, 2, 4, ...: accuracy follows from the labels alone.
  const forward = (m: GridModel, config: SubnetConfig) => {
    expect(m).toBe(model);
    // The configuration's statistics are calibrated before its forward is made.
    for (const { bn } of findBatchNorms(model)) expect(bn.hasKey(bn.keyFor(config))).toBe(true);
    made.push(`${config.width}-${config.resolution}`);
    return (x: tf.Tensor) => {
      calls++;
      const row = Array.from({ length: CLASSES }, (_, c) => (c === 3 ? 10 : -c));
      return tf.tensor2d(Array.from({ length: x.shape[0] as number }, () => row));
    };
  };
  const table = await evaluateGrid(model, { widths: [0.5, 1], resolutions: [8] }, val.source, calib.source, {
    calibrationSamples: 12,
    log: false,
    forward,
    latency: { runs: 2, warmup: 1 },
  });
  expect(made).toEqual(['0.5-8', '1-8']);
  // Per configuration: 2 validation batches + 1 warmup + 2 timed latency runs.
  expect(calls).toBe(2 * (2 + 1 + 2));
  const labels = val.data.flatMap((d) => Array.from(d.labels));
  const top1 = labels.filter((y) => y === 3).length / labels.length;
  const top5 = labels.filter((y) => [3, 0, 1, 2, 4].includes(y)).length / labels.length;
  for (const row of table.rows) {
    expect(row.top1).toBeCloseTo(top1, 12);
    expect(row.top5).toBeCloseTo(top5, 12);
    expect(row.latencyMs).toBeGreaterThan(0);
  }
  val.dispose();
  calib.dispose();
  // The model keeps its calibrated statistics (mean, variance × 2 configurations); nothing else stays allocated.
  expect(tf.memory().numTensors).toBe(before + findBatchNorms(model).length * 2 * 2);
  model.dispose();
});
