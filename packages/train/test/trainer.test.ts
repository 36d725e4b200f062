import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, loadModule, readCheckpointHeader } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  METRICS_FILE,
  MODEL_DIR,
  parseTrainConfig,
  TRAIN_STATE_DIR,
  type TrainConfigInput,
  Trainer,
  TrainingDivergedError,
} from '../src/index.js';
import { syntheticBatch, syntheticData, tinyModel } from './helpers.js';

const quiet = { progress: 'none' as const, log: () => {} };

function weights(trainer: Trainer): Map<string, Float32Array> {
  return new Map([...trainer.model.namedVariables()].map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
}

async function run(input: TrainConfigInput, outDir: string | undefined, fit: { resume?: boolean; stopAtStep?: number } = {}) {
  const trainer = new Trainer({
    model: tinyModel(),
    config: parseTrainConfig(input),
    data: syntheticData(3, 8),
    ...(outDir ? { outDir } : {}),
    ...quiet,
  });
  const summary = await trainer.fit(fit);
  return { trainer, summary };
}

describe('Trainer', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
  });

  const recipe: TrainConfigInput = { strategy: 'mutualnet', resolutions: [16, 12, 8], epochs: 2, checkpointEvery: 2, seed: 5 };

  it('2N steps straight equal N steps + resume + N steps, bit for bit', async () => {
    const straight = await run(recipe, await mkdtemp(join(tmpdir(), 'train-a-')));
    expect(straight.summary.steps).toBe(6);
    const dir = await mkdtemp(join(tmpdir(), 'train-b-'));
    const first = await run(recipe, dir, { stopAtStep: 3 });
    expect(first.summary.steps).toBe(3);
    expect(first.summary.modelDir).toBeUndefined(); // not finished: no deployable weights yet
    first.trainer.model.dispose();
    first.trainer.dispose();
    const resumed = await run(recipe, dir, { resume: true });
    expect(resumed.summary.resumedFrom).toBe(3);
    expect(resumed.summary.steps).toBe(3);
    const a = weights(straight.trainer);
    const b = weights(resumed.trainer);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(Array.from(b.get(k) as Float32Array), k).toEqual(Array.from(v));
    // Momentum buffers too.
    for (const [k, v] of straight.trainer.optimizer.state()) {
      expect(Array.from((resumed.trainer.optimizer.state().get(k) as tf.Variable).dataSync()), k).toEqual(Array.from(v.dataSync()));
    }
    // The log has every step once, in order, although the first run logged none past its checkpoint.
    const steps = (await readFile(join(dir, METRICS_FILE), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    // Deployable weights: loadable into a fresh model of the same architecture, equal to the trained ones.
    expect(resumed.summary.modelDir).toBe(join(dir, MODEL_DIR));
    const fresh = tinyModel({ seed: 99 });
    await loadModule(join(dir, MODEL_DIR), fresh, 'mobilenet_v1');
    for (const [k, v] of fresh.namedVariables()) expect(Array.from(v.dataSync()), k).toEqual(Array.from(a.get(k) as Float32Array));
    for (const t of [straight.trainer, resumed.trainer]) {
      t.model.dispose();
      t.dispose();
    }
    fresh.dispose();
  });

  it('refuses to resume with a changed configuration or another architecture', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'train-c-'));
    const first = await run(recipe, dir, { stopAtStep: 2 });
    first.trainer.model.dispose();
    first.trainer.dispose();
    await expect(run({ ...recipe, resolutions: [16, 12] }, dir, { resume: true })).rejects.toThrow(
      /cannot resume from .*train-state: the configuration changed \(resolutions: checkpoint \[16,12,8\], now \[16,12\]\)/,
    );
    const other = new Trainer({
      model: tinyModel(),
      config: parseTrainConfig(recipe),
      data: syntheticData(3, 8),
      outDir: dir,
      architecture: 'resnet-18',
      ...quiet,
    });
    await expect(other.fit({ resume: true })).rejects.toThrow(/is for architecture 'mobilenet_v1', expected 'resnet-18'/);
    other.model.dispose();
    other.dispose();
  });

  it('a NaN loss stops training with a named error and keeps the last good checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'train-d-'));
    const good = syntheticData(3, 8);
    const data = {
      batchesPerEpoch: 3,
      async *epoch(epoch: number, options: { startBatch?: number } = {}) {
        let b = options.startBatch ?? 0;
        for await (const batch of good.epoch(epoch, options)) {
          if (epoch === 1 && b === 1) {
            batch.dispose();
            const poisoned = syntheticBatch(8, 77);
            const images = poisoned.images;
            yield {
              ...poisoned,
              inputs: (size: { resolution: number }) => tf.keep(tf.mul(images(size.resolution), Number.NaN)) as tf.Tensor4D,
            };
          } else {
            yield batch;
          }
          b++;
        }
      },
    };
    const trainer = new Trainer({
      model: tinyModel(),
      config: parseTrainConfig({ ...recipe, checkpointEvery: 0 }),
      data,
      outDir: dir,
      ...quiet,
    });
    const before = weights(trainer);
    const error = await trainer.fit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect((error as Error).message).toMatch(
      /training diverged at step 5 \(subnet w1.000-r16 loss NaN, lr .*\); the last good checkpoint is in .*train-state/,
    );
    // The checkpoint is the end of epoch 1 (step 3), untouched by the failed step.
    const header = await readCheckpointHeader(join(dir, TRAIN_STATE_DIR));
    expect((header.meta.position as { step: number }).step).toBe(3);
    // The failed step applied no update: every weight is finite.
    for (const v of trainer.model.namedVariables().values()) expect(Array.from(v.dataSync()).every(Number.isFinite)).toBe(true);
    expect(weights(trainer)).not.toEqual(before);
    trainer.model.dispose();
    trainer.dispose();
  });

  it('checkpoints are complete directories: no temp files are left behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'train-e-'));
    const { trainer } = await run({ ...recipe, epochs: 1 }, dir);
    const files = await readdir(join(dir, TRAIN_STATE_DIR));
    expect(files.filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    trainer.model.dispose();
    trainer.dispose();
  });

  it('rejects a corrupt training state with a named error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'train-f-'));
    const first = await run(recipe, dir, { stopAtStep: 2 });
    first.trainer.model.dispose();
    first.trainer.dispose();
    const bin = (await readdir(join(dir, TRAIN_STATE_DIR))).find((f) => f.endsWith('.bin')) as string;
    const bytes = await readFile(join(dir, TRAIN_STATE_DIR, bin));
    await writeFile(join(dir, TRAIN_STATE_DIR, bin), bytes.subarray(0, bytes.length - 8));
    await expect(run(recipe, dir, { resume: true })).rejects.toThrow(/truncated/);
  });

  it('the training loop creates no lasting tensors across steps', async () => {
    const trainer = new Trainer({
      model: tinyModel(),
      config: parseTrainConfig({ ...recipe, epochs: 3 }),
      data: syntheticData(3, 8),
      ...quiet,
    });
    await trainer.fit({ stopAtStep: 2 });
    const before = tf.memory().numTensors;
    await trainer.fit({ stopAtStep: 5 });
    expect(trainer.step).toBe(5);
    expect(tf.memory().numTensors).toBe(before);
    trainer.model.dispose();
    trainer.dispose();
  });
});
