import { createBackbone } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { VideoStream } from '@adaptnet/data';
import { loadVideoDataset } from '@adaptnet/data/node';
import { calibrate } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputSizeOf, normOptionsFor, parseTrainConfig, Trainer } from '../src/index.js';

/**
 * Each small video model learns the moving Fashion-MNIST actions (8 classes told apart only by
 * the order of frames; chance 12.5 %) through the Trainer, while the frame-shuffled control stays
 * near chance. The smallest setting that learns reliably: SIDE px clips of CLIP frames, DISTRACTORS
 * distractor items, TRAIN clips seen once in batches of BATCH, evaluated on TEST held-out clips
 * (Fashion-MNIST test items) at the full configuration after BN calibration.
 */
const SIDE = 32;
const CLIP = 8;
const DISTRACTORS = 0;
const TRAIN = 2048;
/** 300 steps of BATCH clips. */
const EPOCHS = (300 * 16) / 2048;
const BATCH = 16;
const TEST = 200;
const NORMALIZE = { mean: [0.5], std: [0.25] };

type Arch = 'slow-small' | 'slowfast-small' | 'x3d-small';

async function trainAndEvaluate(arch: Arch, dataset: 'moving-fashion' | 'moving-fashion-shuffled'): Promise<number> {
  // SlowFast-small (α = 4) samples its slow pathway's 2 frames from the 8-frame clip its fast pathway reads.
  const frames = arch === 'slowfast-small' ? CLIP / 4 : CLIP;
  const config = parseTrainConfig({
    strategy: 'individual',
    resolutions: [SIDE],
    frames: [frames],
    epochs: EPOCHS,
    batchSize: BATCH,
    checkpointEvery: 0,
    optimizer: { lr: 0.2 },
    schedule: { warmupSteps: 20 },
    seed: 0,
  });
  const space = { width: { min: 0.63, max: 1 }, resolutions: [SIDE], frames: [frames] };
  const model = createBackbone(arch, { inChannels: 1, numClasses: 8, configSpace: space, seed: 0, norm: normOptionsFor(config) });
  const actions = { size: TRAIN, frames: CLIP, canvas: SIDE, distractors: DISTRACTORS, seed: 0 };
  const train = await loadVideoDataset(dataset, { split: 'train', actions });
  const test = await loadVideoDataset(dataset, { split: 'test', actions: { ...actions, size: TEST } });
  const data = new VideoStream(train, {
    batchSize: BATCH,
    frames: CLIP,
    seed: 0,
    augment: { kind: 'pad-crop', padding: 2, flip: false },
    normalize: NORMALIZE,
  });
  const trainer = new Trainer({ model, config, data, progress: 'none' });
  await trainer.fit();
  trainer.dispose();
  const full: SubnetConfig = { width: 1, resolution: SIDE, frames };
  const size = inputSizeOf(model, full);
  const calibration = new VideoStream(train, { batchSize: 100, frames: CLIP, seed: 1, normalize: NORMALIZE });
  await calibrate(model, () => calibration.configBatches(size.resolution, size.frames), [full], { samples: 200 });
  let correct = 0;
  let seen = 0;
  for await (const batch of new VideoStream(test, { batchSize: 100, frames: CLIP, normalize: NORMALIZE }).epoch(0)) {
    correct += tf.tidy(() => {
      const predicted = tf.argMax(model.forward(batch.inputs(size), { config: full, training: false }), -1);
      return tf.sum(tf.cast(tf.equal(predicted, batch.labels), 'int32')).dataSync()[0] as number;
    });
    seen += batch.size;
    batch.dispose();
  }
  model.dispose();
  return correct / seen;
}

// Minutes, not seconds, on 2 cores: run with ADAPTNET_VIDEO_LEARN=1 (see the package README for the measured figures).
describe.runIf(process.env.ADAPTNET_VIDEO_LEARN === '1')(
  'each small video model learns the moving actions; the frame-shuffled control does not',
  () => {
    beforeAll(async () => {
      await initBackend({ log: false });
    });

    for (const arch of ['slow-small', 'slowfast-small', 'x3d-small'] as const) {
      it(`${arch}`, async () => {
        const learned = await trainAndEvaluate(arch, 'moving-fashion');
        const shuffled = await trainAndEvaluate(arch, 'moving-fashion-shuffled');
        // Chance is 0.125; with 200 test clips its binomial sd is 0.023.
        expect(learned, `${arch} on moving actions`).toBeGreaterThan(0.4);
        expect(shuffled, `${arch} on the frame-shuffled control`).toBeLessThan(0.25);
      }, 600_000);
    }
  },
);
