import { ConfigError, ConfigRangeError } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { crossEntropy, inplaceDistillLoss } from '@adaptnet/distill';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStrategy,
  normOptionsFor,
  parseTrainConfig,
  type RsNetStrategy,
  type TrainConfigInput,
  trainableParameters,
} from '../src/index.js';
import { syntheticBatch, tinyModel, tinyResizableStages } from './helpers.js';

const NO_DECAY = { conv: false, depthwise: false, dense: false, batchNorm: false, bias: false };

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

describe('strategies', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it('mutualnet: summed per-subnet gradients equal the gradient of the joint inplace-distillation loss', () => {
    const config = parseTrainConfig({ strategy: 'mutualnet', resolutions: [16, 12, 8], seed: 3 });
    const model = tinyModel();
    const strategy = createStrategy(config, model);
    const params = trainableParameters(model, 0, NO_DECAY);
    const batch = syntheticBatch(6, 1);
    const configs = strategy.sampler.next();
    expect(configs[0]).toEqual({ width: 1, resolution: 16 });
    expect(configs[1]?.width).toBe(0.25);
    expect(configs).toHaveLength(4);
    const { grads, losses, total } = strategy.gradients(model, batch, configs, params);
    // Independent: one backward pass through CE(full) + Σ KL(p_full ‖ p_i) (teacher detached by klDistill).
    const joint = tf.variableGrads(
      () => {
        const logits = configs.map((c) => model.forward(batch.images(c.resolution), { config: c, training: true }));
        return inplaceDistillLoss(logits, batch.labels);
      },
      params.map((p) => p.variable),
    );
    expect(total).toBeCloseTo(joint.value.dataSync()[0] as number, 4);
    expect(losses).toHaveLength(4);
    let compared = 0;
    for (const p of params) {
      const g = grads.get(p.name);
      const ref = joint.grads[p.variable.name];
      if (ref === undefined) continue;
      expect(g, p.name).toBeDefined();
      const scale = 1 + (tf.tidy(() => tf.max(tf.abs(ref)).dataSync()[0]) as number);
      expect(maxAbsDiff(g as tf.Tensor, ref) / scale, p.name).toBeLessThan(1e-4);
      compared++;
    }
    expect(compared).toBe(params.length);
    tf.dispose([...grads.values(), joint.value, ...Object.values(joint.grads)]);
    batch.dispose();
    model.dispose();
  });

  it('usnet trains every subnet at the max resolution; individual one fixed configuration', () => {
    const model = tinyModel();
    const us = createStrategy(parseTrainConfig({ strategy: 'usnet', resolutions: [16, 12] }), model);
    for (let i = 0; i < 5; i++) for (const c of us.sampler.next()) expect(c.resolution).toBe(16);
    const ind = createStrategy(parseTrainConfig({ strategy: 'individual', resolutions: [16, 12], width: 0.5, resolution: 12 }), model);
    expect(ind.sampler.next()).toEqual([{ width: 0.5, resolution: 12 }]);
    const params = trainableParameters(model, 0, NO_DECAY);
    const batch = syntheticBatch(4, 2);
    const { grads, losses } = ind.gradients(model, batch, ind.sampler.next(), params);
    const expected = tf.tidy(
      () =>
        crossEntropy(
          model.forward(batch.images(12), { config: { width: 0.5, resolution: 12 }, training: true }),
          batch.labels,
        ).dataSync()[0] as number,
    );
    expect(losses[0]?.loss).toBeCloseTo(expected, 5);
    // Channels beyond width 0.5 get exactly zero gradient.
    const fc = grads.get('fc.kernel') as tf.Tensor2D;
    expect(tf.tidy(() => tf.sum(tf.abs(tf.slice(fc, [16, 0], [16, 4]))).dataSync()[0])).toBe(0);
    tf.dispose([...grads.values()]);
    batch.dispose();
    model.dispose();
  });

  it('rsnet: α gets its gradient from L_ens alone and the loss is Eq. 9', () => {
    const config = parseTrainConfig({ strategy: 'rsnet', resolutions: [16, 12, 8] });
    const model = tinyModel({ norm: normOptionsFor(config) });
    const strategy = createStrategy(config, model) as RsNetStrategy;
    const params = [...trainableParameters(model, 0, NO_DECAY), ...strategy.extraParameters];
    const batch = syntheticBatch(6, 3);
    const configs = strategy.sampler.next();
    expect(configs.map((c) => c.resolution)).toEqual([16, 12, 8]);
    const { grads, losses, total } = strategy.gradients(model, batch, configs, params);
    const logits = configs.map((c) => model.forward(batch.images(c.resolution), { config: c, training: true }));
    const alphaGrad = tf.variableGrads(() => strategy.mred.ensembleLoss(logits, batch.labels), [strategy.mred.alpha]);
    expect(maxAbsDiff(grads.get('mred.alpha') as tf.Tensor, alphaGrad.grads[strategy.mred.alpha.name] as tf.Tensor)).toBeLessThan(1e-6);
    const eq9 = tf.tidy(() => strategy.mred.loss(logits, batch.labels).dataSync()[0] as number);
    expect(total).toBeCloseTo(eq9, 4);
    expect(losses.map((l) => l.config.resolution)).toEqual([16, 12, 8]);
    // Private BN: the 12-pixel subnet's γ gets a gradient, and only from its own pass.
    expect(grads.has('stem.bn.r12.gamma')).toBe(true);
    tf.dispose([...grads.values(), ...logits, alphaGrad.value, ...Object.values(alphaGrad.grads)]);
    strategy.dispose();
    batch.dispose();
    model.dispose();
  });

  it('resizable: fair sampling over the backbone stages with one BN set per spatial configuration', () => {
    const config = parseTrainConfig({ strategy: 'resizable', resolutions: [16], resizable: { choices: [1, 0.5] } });
    const stages = tinyResizableStages();
    expect(stages).toBeGreaterThan(0);
    const model = tinyModel({ resizable: true, norm: normOptionsFor(config, { resizableStages: stages }) });
    const strategy = createStrategy(config, model);
    const configs = strategy.sampler.next();
    expect(configs).toHaveLength(2);
    for (let s = 0; s < stages; s++) expect(configs.map((c) => c.scales?.[s]).sort()).toEqual([0.5, 1]);
    const batch = syntheticBatch(4, 4);
    const { grads, losses } = strategy.gradients(model, batch, configs, trainableParameters(model, 0, NO_DECAY));
    expect(losses.every((l) => Number.isFinite(l.loss))).toBe(true);
    tf.dispose([...grads.values()]);
    batch.dispose();
    model.dispose();
    expect(() => createStrategy(config, tinyModel())).toThrow(/needs a resizable backbone/);
  });

  it('bad configurations are named errors', () => {
    const model = tinyModel({ widthRange: { min: 0.5, max: 1 } });
    const cfg = (c: TrainConfigInput) => parseTrainConfig(c);
    expect(() => createStrategy(cfg({ strategy: 'mutualnet', widthRange: { min: 0.25, max: 1 } }), model)).toThrow(ConfigRangeError);
    expect(() => createStrategy(cfg({ strategy: 'mutualnet', widthRange: { min: 0.25, max: 1 } }), model)).toThrow(
      /widthRange \[0.25, 1\] is outside the model's width range \[0.5, 1\]/,
    );
    expect(() => createStrategy(cfg({ strategy: 'individual', width: 0.3 }), model)).toThrow(
      /width 0.3 is outside the trained width range \[0.5, 1\]/,
    );
    expect(() => normOptionsFor(cfg({ strategy: 'resizable' }))).toThrow(ConfigError);
    model.dispose();
  });

  it('a step creates no lasting tensors, for every strategy', () => {
    const cases: [TrainConfigInput, boolean][] = [
      [{ strategy: 'individual', resolutions: [16] }, false],
      [{ strategy: 'usnet', resolutions: [16] }, false],
      [{ strategy: 'mutualnet', resolutions: [16, 12] }, false],
      [{ strategy: 'rsnet', resolutions: [16, 12] }, false],
      [{ strategy: 'resizable', resolutions: [16], resizable: { choices: [1, 0.5] } }, true],
    ];
    for (const [input, resizable] of cases) {
      const config = parseTrainConfig(input);
      const stages = resizable ? tinyResizableStages() : 0;
      const model = tinyModel({ resizable, norm: normOptionsFor(config, { resizableStages: stages }) });
      const strategy = createStrategy(config, model);
      const params = [...trainableParameters(model, 0, NO_DECAY), ...strategy.extraParameters];
      const batch = syntheticBatch(4, 5);
      const run = () => {
        const { grads } = strategy.gradients(model, batch, strategy.sampler.next(), params);
        tf.dispose([...grads.values()]);
      };
      run();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) run();
      expect(tf.memory().numTensors, input.strategy).toBe(before);
      batch.dispose();
      strategy.dispose();
      model.dispose();
    }
  });
});
