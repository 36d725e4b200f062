import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { initBackend } from '@adaptnet/core/node';
import { parseTrainConfig, Trainer } from '@adaptnet/train';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrateDetector, createDetectionStrategy, DetectionBatch, DetectionData, detect, evaluateDetector } from '../src/index.js';
import { DETECTOR_ARCHITECTURE, loadDetector, saveDetector } from '../src/node.js';
import { tinyDetector, tinyScenes } from './helpers/tiny.js';

let scenes: Awaited<ReturnType<typeof tinyScenes>>;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
  scenes = await tinyScenes(2, 5);
});
afterAll(async () => {
  await rm(dirname(scenes.dir), { recursive: true, force: true });
});

const trainConfig = (strategy: string, epochs: number, numRandom = 1) =>
  parseTrainConfig({
    strategy,
    resolutions: [32, 24],
    numRandom,
    epochs,
    batchSize: 2,
    optimizer: { lr: 0.01, weightDecay: 1e-4 },
    checkpointEvery: 1,
  });

describe('training and evaluation loops', () => {
  it('MutualNet sandwich: [max, min, random] per step, the smaller widths at the drawn sizes, no tensor growth across steps', () => {
    const det = tinyDetector();
    const config = trainConfig('mutualnet', 3);
    const data = new DetectionData(scenes.samples, { batchSize: 2, normalize: det.spec.normalize });
    const trainer = new Trainer({ model: det, config, data, strategy: createDetectionStrategy(config, det), progress: 'none' });
    const batch = new DetectionBatch(scenes.samples, { normalize: det.spec.normalize });
    const first = trainer.trainStep(batch); // creates the momentum buffers
    expect(first.losses.map((l) => l.config.width)).toEqual([1, 0.25, expect.any(Number)]);
    expect(first.losses[0]?.config.resolution).toBe(32);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const r = trainer.trainStep(batch);
      expect(Number.isFinite(r.loss)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    batch.dispose();
    trainer.dispose();
    det.dispose();
  }, 120_000);

  it('US-Net trains every width at the largest size; individual one configuration', () => {
    const det = tinyDetector();
    const us = createDetectionStrategy(trainConfig('usnet', 1), det);
    expect(us.sampler.next().map((c) => c.resolution)).toEqual([32, 32, 32]);
    const one = createDetectionStrategy({ ...trainConfig('individual', 1), width: 0.5, resolution: 24 }, det);
    expect(one.sampler.next()).toEqual([{ width: 0.5, resolution: 24 }]);
    expect(() => createDetectionStrategy(trainConfig('rsnet', 1), det)).toThrow(
      "strategy 'rsnet' does not apply to detection; allowed: mutualnet, usnet, individual",
    );
    det.dispose();
  });

  it('exact resume: 2 steps + resume + 1 step equals 3 steps; the saved detector loads back and detects the same', async () => {
    const run = async (out: string, stopAt?: number, resume = false) => {
      const det = tinyDetector();
      const config = trainConfig('mutualnet', 3, 0);
      const data = new DetectionData(scenes.samples, { batchSize: 2, normalize: det.spec.normalize, seed: 1 });
      const trainer = new Trainer({
        model: det,
        config,
        data,
        strategy: createDetectionStrategy(config, det),
        progress: 'none',
        outDir: out,
        architecture: DETECTOR_ARCHITECTURE,
        weightsMeta: { detector: det.spec },
      });
      await trainer.fit({ resume, ...(stopAt === undefined ? {} : { stopAtStep: stopAt }) });
      trainer.dispose();
      return det;
    };
    const base = dirname(scenes.dir);
    const straight = await run(join(base, 'a'));
    (await run(join(base, 'b'), 2)).dispose();
    const resumed = await run(join(base, 'b'), undefined, true);
    for (const [name, v] of straight.namedVariables()) {
      expect(Array.from((resumed.namedVariables().get(name) as tf.Variable).dataSync()), name).toEqual(Array.from(v.dataSync()));
    }
    resumed.dispose();
    // The Trainer's final weights are a detector checkpoint; calibrate, save, load: same detections.
    const fromTrainer = await loadDetector(join(base, 'a', 'model'));
    expect(fromTrainer.calibrated).toEqual([]);
    fromTrainer.detector.dispose();
    const cfg = { width: 0.5, resolution: 32 };
    await calibrateDetector(straight, scenes.samples, [cfg]);
    await saveDetector(join(base, 'det'), straight);
    const loaded = await loadDetector(join(base, 'det'));
    expect(loaded.calibrated).toEqual(['w0.500-r32']);
    expect(detect(loaded.detector, scenes.samples, cfg, { scoreThreshold: 0 })).toEqual(
      detect(straight, scenes.samples, cfg, { scoreThreshold: 0 }),
    );
    loaded.detector.dispose();
    straight.dispose();
  }, 300_000);

  it('evaluation and calibration loops do not grow the tensor count', async () => {
    const det = tinyDetector();
    const cfg = { width: 1, resolution: 32 };
    await calibrateDetector(det, scenes.samples, [cfg]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const { results, evaluation } = evaluateDetector(det, scenes.gt, scenes.samples, cfg, { scoreThreshold: 0 });
      expect(results.length).toBe(200); // 100 per image: the cap holds
      expect(evaluation.stats).toHaveLength(12);
      await calibrateDetector(det, scenes.samples, [cfg]);
    }
    expect(tf.memory().numTensors).toBe(before);
    det.dispose();
  }, 120_000);
});
