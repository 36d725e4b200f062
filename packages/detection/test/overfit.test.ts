import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { initBackend } from '@adaptnet/core/node';
import { parseTrainConfig, Trainer } from '@adaptnet/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrateDetector, createDetectionStrategy, DetectionData, evaluateDetector } from '../src/index.js';
import { tinyDetector, tinyScenes } from './helpers/tiny.js';

let scenes: Awaited<ReturnType<typeof tinyScenes>>;
beforeAll(async () => {
  // The oneDNN backend when built here (several times faster), else tfjs' cpu backend.
  await initBackend({ backend: 'native', log: false }).catch(() => initBackend({ backend: 'cpu', log: false }));
  scenes = await tinyScenes(2, 3);
});
afterAll(async () => {
  await rm(dirname(scenes.dir), { recursive: true, force: true });
});

describe('overfitting a handful of generated images', () => {
  it('the full-width detector trained through the Trainer reaches box AP > 0.9 (evaluated with @adaptnet/coco)', async () => {
    const detector = tinyDetector();
    const steps = Number(process.env.ADAPTNET_OVERFIT_STEPS ?? 40);
    const config = parseTrainConfig({
      strategy: 'individual',
      width: 1,
      resolutions: [48],
      epochs: steps,
      batchSize: 2,
      optimizer: { lr: 0.01, weightDecay: 0 },
      schedule: { kind: 'cosine', warmupSteps: 5 },
      checkpointEvery: 0,
    });
    const data = new DetectionData(scenes.samples, { batchSize: 2, normalize: detector.spec.normalize, shuffle: false });
    const trainer = new Trainer({ model: detector, config, data, strategy: createDetectionStrategy(config, detector), progress: 'none' });
    const t0 = performance.now();
    const summary = await trainer.fit();
    const full = { width: 1, resolution: 48 };
    await calibrateDetector(detector, scenes.samples, [full]);
    const { evaluation } = evaluateDetector(detector, scenes.gt, scenes.samples, full);
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `overfit: ${summary.steps} steps in ${seconds.toFixed(1)} s, loss ${JSON.stringify(summary.lastLosses)}, AP ${evaluation.stats[0]?.toFixed(3)} AP50 ${evaluation.stats[1]?.toFixed(3)}`,
    );
    trainer.dispose();
    detector.dispose();
    expect(evaluation.stats[0]).toBeGreaterThan(0.9);
  }, 600_000);
});
