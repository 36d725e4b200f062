import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Module, SubnetConfig } from '@adaptnet/core';
import { ConfigError, configKey } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { VideoStream } from '@adaptnet/data';
import { loadMovingFashionActions } from '@adaptnet/data/node';
import { crossEntropy, klDistill } from '@adaptnet/distill';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clipFramesFor,
  createStrategy,
  inputSizeOf,
  METRICS_FILE,
  parseTrainConfig,
  type TrainConfigInput,
  Trainer,
  trainableParameters,
  type VideoSandwichStrategy,
  videoBranches,
} from '../src/index.js';
import { tinyModel } from './helpers.js';
import { syntheticClipData, syntheticClips, tinySlowFast, tinyVideoModel } from './video-helpers.js';

const NO_DECAY = { conv: false, depthwise: false, dense: false, batchNorm: false, bias: false };
const BASE: TrainConfigInput = {
  strategy: 'mutualnet',
  resolutions: [12, 8],
  frames: [4, 3, 2],
  batchSize: 2,
  checkpointEvery: 0,
  optimizer: { lr: 0.05 },
};

interface MetricsRecord {
  step: number;
  loss: number;
  losses: Record<string, number>;
  configs: string[];
}

async function readMetrics(dir: string): Promise<MetricsRecord[]> {
  return (await readFile(join(dir, METRICS_FILE), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MetricsRecord);
}

/** Records the input shape (and, with `keep`, a copy of the input) of every call of `module.forward`. */
function spyForward(module: Module, keep = false): { shapes: number[][]; values: tf.Tensor[] } {
  const shapes: number[][] = [];
  const values: tf.Tensor[] = [];
  const original = module.forward.bind(module);
  module.forward = (x, ctx) => {
    shapes.push([...x.shape]);
    if (keep) values.push(tf.keep(tf.clone(x)));
    return original(x, ctx);
  };
  return { shapes, values };
}

function child(model: Module, path: string): Module {
  const m = model.namedModules().get(path);
  if (m === undefined) throw new Error(`no module ${path}`);
  return m;
}

/** KL(p_t ‖ p_s) with the teacher NOT detached: the wrong objective, to show the test can tell. */
function attachedKl(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  const logPt = tf.logSoftmax(teacher);
  return tf.mean(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, tf.logSoftmax(student))), -1)) as tf.Scalar;
}

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0] as number);
}

describe('video training', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it('frames is required for a video model, refused for an image model; rsnet/resizable refuse video; short clips are refused', () => {
    const slow = tinyVideoModel('slow-small');
    const { frames: _, ...noFrames } = BASE;
    expect(
      () => new Trainer({ model: slow, config: parseTrainConfig(noFrames), data: syntheticClipData(1, 2, 4), progress: 'none' }),
    ).toThrow(/frames: slow_small is a video model; give the trained frames per clip, e.g. frames: \[2, 3, 4\]/);
    const image = tinyModel();
    expect(() => createStrategy(parseTrainConfig({ strategy: 'mutualnet', resolutions: [16], frames: [4] }), image)).toThrow(
      /frames \[4\] given, but .* is an image model/,
    );
    expect(() => createStrategy(parseTrainConfig({ ...BASE, strategy: 'rsnet' }), slow)).toThrow(
      /strategy 'rsnet' does not train video models; allowed for slow_small: individual, usnet, mutualnet/,
    );
    expect(() => new Trainer({ model: slow, config: parseTrainConfig(BASE), data: syntheticClipData(1, 2, 3), progress: 'none' })).toThrow(
      /the training clips have 3 frames; slow_small trained at frames \[4, 3, 2\] needs 4 per clip \(make the VideoStream with frames: 4\)/,
    );
    const sf = tinySlowFast();
    const sfConfig = parseTrainConfig({ ...BASE, frames: [2, 1] });
    expect(clipFramesFor(sfConfig, sf)).toBe(8);
    expect(() => new Trainer({ model: sf, config: sfConfig, data: syntheticClipData(1, 2, 4), progress: 'none' })).toThrow(ConfigError);
    expect([videoBranches(slow), videoBranches(sf), videoBranches(image)]).toEqual(['one-branch', 'two-branch', undefined]);
    for (const m of [slow, sf, image]) m.dispose();
  });

  it('one-branch mutualnet: per step the full net at max (width, size, frames) and two random sub-networks, each fed its own resampling of the same clips', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'video-mutual-'));
    const model = tinyVideoModel('slow-small');
    const data = syntheticClipData(2, 2, 4);
    const trainer = new Trainer({ model, config: parseTrainConfig({ ...BASE, epochs: 2 }), data, outDir: dir, progress: 'none' });
    expect((trainer.strategy as VideoSandwichStrategy).branches).toBe('one-branch');
    await trainer.fit();
    const metrics = await readMetrics(dir);
    expect(metrics).toHaveLength(4);
    metrics.forEach((record, step) => {
      expect(Object.keys(record.losses)).toEqual(['max', 'rand1', 'rand2']);
      expect(record.configs[0]).toBe('w1.000-r12-f4');
      expect(record.configs).toHaveLength(3);
      // What the model read: exactly one input per subnet, at that subnet's (resolution, frames).
      const requests = (data.batches[step] as (typeof data.batches)[number]).requests;
      expect(requests.map((r) => `r${r.resolution}-f${r.frames}`)).toEqual(record.configs.map((k) => k.replace(/^w[\d.]+-/, '')));
    });
    // The sampler over many steps: two sub-networks with width U[0.63, 1) (no fixed min), size and frames from the sets.
    const sampler = (trainer.strategy as VideoSandwichStrategy).sampler;
    const subnets: SubnetConfig[] = [];
    for (let i = 0; i < 400; i++) {
      const configs = sampler.next();
      expect(configs).toHaveLength(3);
      expect(configs[0]).toEqual({ width: 1, resolution: 12, frames: 4 });
      subnets.push(...configs.slice(1));
    }
    expect(Math.min(...subnets.map((c) => c.width))).toBeGreaterThan(0.63);
    expect(Math.min(...subnets.map((c) => c.width))).toBeLessThan(0.66);
    expect(Math.max(...subnets.map((c) => c.width))).toBeLessThan(1);
    expect(new Set(subnets.map((c) => c.resolution))).toEqual(new Set([8, 12]));
    expect(new Set(subnets.map((c) => c.frames))).toEqual(new Set([2, 3, 4]));
    trainer.dispose();
    model.dispose();
  }, 60_000);

  it('usnet: [max, min, random widths] all at the max size and frames; individual: one fixed (width, size, frames)', async () => {
    const model = tinyVideoModel('x3d-small');
    const usnet = createStrategy(parseTrainConfig({ ...BASE, strategy: 'usnet' }), model) as VideoSandwichStrategy;
    for (let i = 0; i < 50; i++) {
      const configs = usnet.sampler.next();
      expect(configs.map((c) => [c.resolution, c.frames])).toEqual([
        [12, 4],
        [12, 4],
        [12, 4],
        [12, 4],
      ]);
      expect(configs[0]?.width).toBe(1);
      expect(configs[1]?.width).toBe(0.63);
    }
    expect([0, 1, 2, 3].map((i) => usnet.subnetLabel(i))).toEqual(['max', 'min', 'rand1', 'rand2']);
    const dir = await mkdtemp(join(tmpdir(), 'video-individual-'));
    const data = syntheticClipData(2, 2, 4);
    const config = parseTrainConfig({ ...BASE, strategy: 'individual', width: 0.75, resolution: 8, frameCount: 3 });
    const trainer = new Trainer({ model, config, data, outDir: dir, progress: 'none' });
    await trainer.fit();
    for (const record of await readMetrics(dir)) expect(record.configs).toEqual(['w0.750-r8-f3']);
    for (const batch of data.batches) expect(batch.requests).toEqual([{ resolution: 8, frames: 3 }]);
    trainer.dispose();
    model.dispose();
  }, 60_000);

  it('two-branch mutualnet (SlowFast): only the slow pathway varies; the fast pathway reads the full clip at its full configuration in every subnet', async () => {
    const model = tinySlowFast();
    const fastStem = spyForward(child(model, 'fast_stem'));
    const fastOut = spyForward(child(model, 'fast_pool'), true);
    const slowStem = spyForward(child(model, 'slow_stem'));
    const data = syntheticClipData(4, 2, 8);
    const config = parseTrainConfig({ ...BASE, frames: [2, 1], epochs: 1 });
    const trainer = new Trainer({ model, config, data, progress: 'none' });
    const strategy = trainer.strategy as VideoSandwichStrategy;
    expect(strategy.branches).toBe('two-branch');
    const sampled: SubnetConfig[][] = [];
    const next = strategy.sampler.next.bind(strategy.sampler);
    strategy.sampler.next = () => {
      const configs = next();
      sampled.push(configs);
      return configs;
    };
    await trainer.fit();
    expect(sampled).toHaveLength(4);
    const full = { width: 1, resolution: 12, frames: 8 };
    const all = sampled.flat();
    for (const c of all) expect((c as SubnetConfig & { fast?: unknown }).fast).toEqual(full);
    expect(sampled.map((s) => configKey(s[0] as SubnetConfig))).toEqual(Array(4).fill('w1.000-r12-f2'));
    // Every input the model read is the full clip; the fast stem always saw it, the slow stem the subnet's sampling of it.
    for (const batch of data.batches) expect(batch.requests).toEqual(Array(3).fill({ resolution: 12, frames: 8 }));
    expect(fastStem.shapes).toEqual(Array(12).fill([2, 8, 12, 12, 1]));
    expect(slowStem.shapes).toEqual(all.map((c) => [2, c.frames, c.resolution, c.resolution, 1]));
    expect(new Set(all.slice(1).map((c) => c.width)).size).toBeGreaterThan(1);
    // The fast pathway's features are the same tensor for every subnet of a step (full width, same values).
    const fastShape = fastOut.shapes[0] as number[];
    expect(fastOut.shapes).toEqual(Array(12).fill(fastShape));
    for (let step = 0; step < 4; step++) {
      const ref = fastOut.values[3 * step] as tf.Tensor;
      for (const k of [1, 2]) expect(maxAbs(tf.sub(fastOut.values[3 * step + k] as tf.Tensor, ref))).toBe(0);
    }
    tf.dispose(fastOut.values);
    trainer.dispose();
    model.dispose();
  }, 60_000);

  for (const arch of ['slow-small', 'slowfast-small'] as const) {
    it(`${arch}: the KL teacher gets no gradient (full-net-only weights get exactly the CE gradient)`, () => {
      const model = arch === 'slow-small' ? tinyVideoModel(arch) : tinySlowFast();
      const config = parseTrainConfig({ ...BASE, frames: arch === 'slow-small' ? [4, 3, 2] : [2, 1], seed: 4 });
      const strategy = createStrategy(config, model);
      const params = trainableParameters(model, 0, NO_DECAY);
      const vars = params.map((p) => p.variable);
      const batch = syntheticClips(3, 9, arch === 'slow-small' ? 4 : 8);
      const configs = strategy.sampler.next();
      const { grads, losses } = strategy.gradients(model, batch, configs, params);
      const input = (c: SubnetConfig) => batch.inputs(inputSizeOf(model, c));
      const forward = (c: SubnetConfig) => model.forward(input(c), { config: c, training: true });
      const full = configs[0] as SubnetConfig;
      // Independent reference: CE of the full net alone, plus each sub-network's KL to a constant teacher.
      const ce = tf.variableGrads(() => crossEntropy(forward(full), batch.labels), vars);
      const teacher = tf.tidy(() => forward(full));
      const kl = configs.slice(1).map((c) => tf.variableGrads(() => klDistill(forward(c), teacher), vars));
      // The wrong objective: the teacher's logits inside the tape, so the KL terms reach it too.
      const attached = tf.variableGrads(
        () =>
          tf.addN([
            crossEntropy(forward(full), batch.labels),
            ...configs.slice(1).map((c) => attachedKl(forward(c), forward(full))),
          ]) as tf.Scalar,
        vars,
      );
      expect(losses[0]?.loss).toBeCloseTo(ce.value.dataSync()[0] as number, 5);
      let fullOnly = 0;
      let attachedDiffers = 0;
      for (const p of params) {
        const g = grads.get(p.name);
        const gCe = ce.grads[p.variable.name];
        if (g === undefined || gCe === undefined) continue;
        const reference = tf.addN([gCe, ...kl.map((k) => k.grads[p.variable.name] ?? tf.zerosLike(gCe))]);
        const scale = 1 + maxAbs(reference);
        expect(maxAbs(tf.sub(g, reference)) / scale, p.name).toBeLessThan(1e-4);
        const wrong = attached.grads[p.variable.name] as tf.Tensor;
        if (maxAbs(tf.sub(wrong, reference)) / scale > 1e-3) attachedDiffers++;
        // Entries no sub-network touches (channels beyond every sampled width): only the CE term.
        const untouched = tf.tidy(() => tf.equal(tf.addN(kl.map((k) => tf.abs(k.grads[p.variable.name] ?? tf.zerosLike(gCe)))), 0));
        const n = tf.tidy(() => tf.sum(tf.cast(untouched, 'int32')).dataSync()[0] as number);
        if (n > 0) {
          fullOnly += n;
          const diff = tf.tidy(() => maxAbs(tf.where(untouched, tf.sub(g, gCe), tf.zerosLike(g))));
          expect(diff / (1 + maxAbs(gCe)), `${p.name} full-net-only entries`).toBeLessThan(1e-5);
        }
        tf.dispose([reference, untouched]);
      }
      expect(fullOnly, 'weights only the full net uses').toBeGreaterThan(100);
      expect(attachedDiffers, 'an attached teacher would change the gradients').toBeGreaterThan(0);
      tf.dispose([...grads.values(), ce.value, ...Object.values(ce.grads), teacher, attached.value, ...Object.values(attached.grads)]);
      for (const k of kl) tf.dispose([k.value, ...Object.values(k.grads)]);
      batch.dispose();
      strategy.dispose();
      model.dispose();
    }, 60_000);
  }

  it('a two-branch video run resumes bit for bit (moving actions through a VideoStream)', async () => {
    const source = await loadMovingFashionActions({ split: 'train', size: 6, frames: 8, canvas: 12, seed: 2 });
    const stream = () =>
      new VideoStream(source, {
        batchSize: 2,
        frames: 8,
        seed: 1,
        augment: { kind: 'pad-crop', padding: 1, flip: false },
        normalize: { mean: [0.5], std: [0.25] },
      });
    const config = parseTrainConfig({ ...BASE, frames: [2, 1], epochs: 2 });
    const run = async (dir: string, stops: (number | undefined)[]) => {
      let last: { weights: Map<string, Float32Array>; metrics: MetricsRecord[] } | undefined;
      for (const stopAtStep of stops) {
        const model = tinySlowFast(undefined, 3);
        const trainer = new Trainer({ model, config, data: stream(), outDir: dir, progress: 'none' });
        await trainer.fit({ resume: true, ...(stopAtStep === undefined ? {} : { stopAtStep }) });
        last = {
          weights: new Map([...model.namedVariables()].map(([k, v]) => [k, v.dataSync().slice() as Float32Array])),
          metrics: await readMetrics(dir),
        };
        trainer.dispose();
        model.dispose();
      }
      return last as { weights: Map<string, Float32Array>; metrics: MetricsRecord[] };
    };
    const straight = await run(await mkdtemp(join(tmpdir(), 'video-a-')), [undefined]);
    const resumed = await run(await mkdtemp(join(tmpdir(), 'video-b-')), [2, undefined]);
    expect(straight.metrics).toHaveLength(6);
    expect(resumed.metrics.map((m) => m.losses)).toEqual(straight.metrics.map((m) => m.losses));
    expect(resumed.metrics.map((m) => m.configs)).toEqual(straight.metrics.map((m) => m.configs));
    for (const [name, w] of straight.weights) expect(Array.from(resumed.weights.get(name) as Float32Array), name).toEqual(Array.from(w));
  }, 120_000);

  for (const arch of ['slow-small', 'slowfast-small'] as const) {
    it(`${arch}: the video training loop creates no lasting tensors across steps`, async () => {
      const model = arch === 'slow-small' ? tinyVideoModel(arch) : tinySlowFast();
      const config = parseTrainConfig({ ...BASE, frames: arch === 'slow-small' ? [4, 3, 2] : [2, 1], epochs: 3 });
      const trainer = new Trainer({ model, config, data: syntheticClipData(2, 2, arch === 'slow-small' ? 4 : 8), progress: 'none' });
      await trainer.fit({ stopAtStep: 2 });
      const before = tf.memory().numTensors;
      await trainer.fit({ stopAtStep: 5 });
      expect(trainer.step).toBe(5);
      expect(tf.memory().numTensors).toBe(before);
      trainer.dispose();
      model.dispose();
    }, 60_000);
  }
});
