import { createBackbone } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { BatchStream, FASHION_MNIST_NORMALIZE, randomSample } from '@adaptnet/data';
import { loadFashionMnist } from '@adaptnet/data/node';
import { calibrate } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { normOptionsFor, parseTrainConfig, type RsNetStrategy, type Strategy, type TrainConfigInput, Trainer } from '../src/index.js';

/**
 * Every strategy end to end on real Fashion-MNIST (a 1,536-image subset, 3 epochs of batches of
 * 64, a small MobileNetV1 on 28×28): it must clearly beat chance (10%; 30% is > 20 binomial standard deviations above it) on held-out
 * test images. Sandwich training with random widths learns more slowly this early in training.
 */
const normalize = FASHION_MNIST_NORMALIZE;

function model(config: ReturnType<typeof parseTrainConfig>, resizable: boolean) {
  const options = {
    input: 'small' as const,
    inChannels: 1,
    numClasses: 10,
    stemChannels: 16,
    blocks: [
      [32, 1],
      [64, 2],
      [128, 2],
    ] as [number, number][],
  };
  let stages = 0;
  if (resizable) {
    const probe = createBackbone('mobilenet-v1', { ...options, resizable: true, norm: { policy: 'config' } });
    stages = probe.resizes.length;
    probe.dispose();
  }
  return createBackbone('mobilenet-v1', { ...options, resizable, norm: normOptionsFor(config, { resizableStages: stages }) });
}

describe('every strategy learns Fashion-MNIST', () => {
  let train: BatchStream;
  let test: BatchStream;
  let calib: BatchStream;
  beforeAll(async () => {
    await initBackend({ log: false });
    const all = await loadFashionMnist({ split: 'train' });
    const subset = randomSample(all, 1536, 1);
    train = new BatchStream(subset, { batchSize: 64, augment: { kind: 'pad-crop', padding: 2, flip: true }, normalize });
    calib = new BatchStream(randomSample(all, 512, 2), { batchSize: 256, normalize });
    test = new BatchStream(randomSample(await loadFashionMnist({ split: 'test' }), 1000, 3), { batchSize: 500, normalize });
  });

  async function accuracy(net: ReturnType<typeof model>, config: SubnetConfig, recalibrate: boolean): Promise<number> {
    if (recalibrate) await calibrate(net, () => calib.resolutionBatches(config.resolution), [config], { samples: 512 });
    let correct = 0;
    let seen = 0;
    for await (const batch of test.epoch(0)) {
      correct += tf.tidy(() => {
        const predicted = tf.argMax(net.forward(batch.images(config.resolution), { config, training: false }), -1);
        return tf.sum(tf.cast(tf.equal(predicted, batch.labels), 'int32')).dataSync()[0] as number;
      });
      seen += batch.size;
      batch.dispose();
    }
    return correct / seen;
  }

  const cases: [Strategy, TrainConfigInput, SubnetConfig[]][] = [
    ['individual', { strategy: 'individual', resolutions: [28] }, [{ width: 1, resolution: 28 }]],
    [
      'usnet',
      { strategy: 'usnet', resolutions: [28] },
      [
        { width: 1, resolution: 28 },
        { width: 0.25, resolution: 28 },
      ],
    ],
    [
      'mutualnet',
      { strategy: 'mutualnet', resolutions: [28, 24, 20, 16] },
      [
        { width: 1, resolution: 28 },
        { width: 0.5, resolution: 20 },
        { width: 0.25, resolution: 16 },
      ],
    ],
    [
      'rsnet',
      { strategy: 'rsnet', resolutions: [28, 20] },
      [
        { width: 1, resolution: 28 },
        { width: 1, resolution: 20 },
      ],
    ],
    [
      'resizable',
      { strategy: 'resizable', resolutions: [28], resizable: { choices: [1, 0.5] } },
      [
        { width: 1, resolution: 28, scales: [1] },
        { width: 1, resolution: 28, scales: [0.5] },
      ],
    ],
  ];

  for (const [name, input, evaluated] of cases) {
    it(`${name}: beats chance clearly at every evaluated configuration`, async () => {
      const config = parseTrainConfig({ ...input, epochs: 3, batchSize: 64, checkpointEvery: 0, optimizer: { lr: 0.1 } });
      const net = model(config, name === 'resizable');
      const trainer = new Trainer({ model: net, config, data: train, progress: 'none' });
      const before = tf.memory().numTensors;
      const summary = await trainer.fit();
      expect(summary.steps).toBe(72);
      expect(tf.memory().numTensors).toBe(before);
      if (name === 'rsnet') {
        const weights = (trainer.strategy as RsNetStrategy).mred.weights();
        const w = Array.from(weights.dataSync());
        weights.dispose();
        expect(w.every((v) => v > 0)).toBe(true);
        expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(Math.max(...w) - Math.min(...w), 'α was learned (starts at equal weights)').toBeGreaterThan(1e-4);
      }
      // Shared-affine BN (individual, US-Net, MutualNet) is calibrated per configuration; RS-Nets
      // and resizable nets evaluate with the running statistics of their private BN sets.
      const recalibrate = name === 'individual' || name === 'usnet' || name === 'mutualnet';
      for (const c of evaluated) {
        const acc = await accuracy(net, c, recalibrate);
        expect(acc, `${name} ${JSON.stringify(c)}`).toBeGreaterThan(0.3);
      }
      trainer.dispose();
      net.dispose();
    }, 180_000);
  }
});
