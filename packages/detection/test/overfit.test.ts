import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { initBackend } from '@adaptnet/core/node';
import { parseTrainConfig, Trainer } from '@adaptnet/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrateDetector, createDetectionStrategy, DetectionData, evaluateDetector } from '../src/index.js';
import { tinyDetector, tinyScenes } from './helpers/tiny.js';

let scenes: Awaited<ReturnType<typeof tinyScenes>>;
beforeAll(async () => {
  await initBackend({ backend: 'native', log: false }).catch(() => initBackend({ backend: 'cpu', log: false }));
  scenes = await tinyScenes(2, 3);
});
afterAll(async () => {
  await rm(dirname(scenes.dir), { recursive: true, force: true });
});

describe('overfitting a handful of generated images', () => {
  it('MutualNet training through the Trainer reaches box AP > 0.9 at the full and the smallest configuration', async () => {
    const detector = tinyDetector();
    const config = parseTrainConfig({
      strategy: 'mutualnet',
      resolutions: [48, 32],
      numRandom: 0,
      epochs: Number(process.env.EPOCHS ?? 80),
      batchSize: 2,
      optimizer: { lr: 0.01, weightDecay: 0 },
      schedule: { kind: 'cosine', warmupSteps: 10 },
      checkpointEvery: 0,
    });
    const data = new DetectionData(scenes.samples, { batchSize: 2, normalize: detector.spec.normalize, sizeDivisor: 32, shuffle: false });
    const trainer = new Trainer({
      model: detector,
      config,
      data,
      strategy: createDetectionStrategy(config, detector),
      progress: process.env.EPOCHS ? 'lines' : 'none',
    });
    const t0 = performance.now();
    const summary = await trainer.fit();
    const configs = [
      { width: 1, resolution: 48 },
      { width: 0.25, resolution: 32 },
    ];
    await calibrateDetector(detector, scenes.samples, configs);
    const ap = configs.map((c) => evaluateDetector(detector, scenes.gt, scenes.samples, c).evaluation.stats[0] as number);
    console.log(
      `overfit: ${summary.steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s, losses ${JSON.stringify(summary.lastLosses)}, AP ${ap.map((a) => a.toFixed(3))}`,
    );
    trainer.dispose();
    detector.dispose();
    for (const a of ap) expect(a).toBeGreaterThan(0.9);
  }, 300_000);
});
