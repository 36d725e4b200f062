import type { SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrainConfig, type StrategyGradients, Trainer, type TrainingStrategy } from '../src/index.js';
import { syntheticData, tinyModel } from './helpers.js';

/** A strategy the trainer does not know: one fixed subnet, loss = sum of squares of the logits. */
function customStrategy(name: 'mutualnet' | 'individual', calls: SubnetConfig[][]): TrainingStrategy {
  const config = { width: 1, resolution: 8 };
  return {
    name,
    sampler: { next: () => [config], state: () => null, setState: () => {} },
    extraParameters: [],
    gradients(model, batch, configs, params): StrategyGradients {
      calls.push([...configs]);
      // Through the batch class itself: the TrainBatch interface is being generalised on another branch.
      const x = (batch as unknown as { images(r: number): tf.Tensor4D }).images(8);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.forward(x, { config, training: true }))) as tf.Scalar,
        params.map((p) => p.variable),
      );
      const byVar = new Map(params.map((p) => [p.variable.name, p.name]));
      const loss = value.dataSync()[0] as number;
      value.dispose();
      return {
        grads: new Map(Object.entries(grads).map(([k, g]) => [byVar.get(k) as string, g])),
        losses: [{ config, loss }],
        total: loss,
      };
    },
    subnetLabel: () => 'custom',
    dispose: () => {},
  };
}

describe('Trainer with a given strategy', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
  });

  it('uses it instead of the one the config names, and refuses one whose name differs', async () => {
    const calls: SubnetConfig[][] = [];
    const config = parseTrainConfig({ strategy: 'mutualnet', resolutions: [8], epochs: 1, checkpointEvery: 0 });
    const model = tinyModel();
    const trainer = new Trainer({
      model,
      config,
      data: syntheticData(2, 4, 8),
      strategy: customStrategy('mutualnet', calls),
      progress: 'none',
    });
    const summary = await trainer.fit();
    expect(summary.steps).toBe(2);
    expect(calls).toEqual([[{ width: 1, resolution: 8 }], [{ width: 1, resolution: 8 }]]);
    expect(Object.keys(summary.lastLosses)).toEqual(['custom']);
    expect(
      () => new Trainer({ model, config, data: syntheticData(2, 4, 8), strategy: customStrategy('individual', []), progress: 'none' }),
    ).toThrow("the given strategy is 'individual', the configuration's 'mutualnet'");
    trainer.dispose();
    model.dispose();
  });
});
