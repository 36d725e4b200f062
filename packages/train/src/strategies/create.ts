import type { NormOptions } from '@adaptnet/backbones';
import { ConfigError, ConfigRangeError, type Module, type Range, type SubnetConfig, widthInRange } from '@adaptnet/core';
import type { TrainConfig } from '../config.js';
import { IndividualStrategy } from './individual.js';
import { ResizableStrategy } from './resizable.js';
import { RsNetStrategy } from './rsnet.js';
import { SandwichStrategy } from './sandwich.js';
import type { TrainingStrategy } from './strategy.js';

/** What the trainer needs to know of a model besides `Module`: its width range and resizable stages. */
export type TrainableModel = Module & { readonly widthRange: Range; readonly resizes?: readonly unknown[] };

/** The trained width range: the config's, which must lie inside the model's. */
export function trainedWidthRange(config: TrainConfig, model: { readonly widthRange: Range }): Range {
  const range = config.widthRange ?? model.widthRange;
  if (!widthInRange(range.min, model.widthRange) || !widthInRange(range.max, model.widthRange)) {
    throw new ConfigRangeError(
      `widthRange [${range.min}, ${range.max}] is outside the model's width range [${model.widthRange.min}, ${model.widthRange.max}]`,
    );
  }
  return range;
}

export function maxResolution(config: TrainConfig): number {
  return Math.max(...config.resolutions);
}

/** The configuration `individual` trains: `width`/`resolution`, defaulting to the largest. */
export function individualConfig(config: TrainConfig, model: { readonly widthRange: Range }): SubnetConfig {
  const range = trainedWidthRange(config, model);
  const width = config.width ?? range.max;
  if (!widthInRange(width, range)) {
    throw new ConfigRangeError(`width ${width} is outside the trained width range [${range.min}, ${range.max}]`);
  }
  return { width, resolution: config.resolution ?? maxResolution(config) };
}

/** Every spatial configuration fair sampling can produce: choices^stages scale vectors at `resolution`. */
export function spatialConfigs(choices: readonly number[], stages: number, resolution: number, width: number): SubnetConfig[] {
  let vectors: number[][] = [[]];
  for (let s = 0; s < stages; s++) vectors = vectors.flatMap((v) => choices.map((c) => [...v, c]));
  return vectors.map((scales) => ({ width, resolution, scales }));
}

/**
 * The BN keying a strategy trains with, to pass as the backbone's `norm` option: shared affine with
 * calibrated per-configuration statistics for individual/US-Net/MutualNet, private BN per
 * resolution for RS-Nets, per spatial configuration for resizable networks (`resizableStages`:
 * how many resizable stages the backbone has).
 */
export function normOptionsFor(config: TrainConfig, options: { widthMax?: number; resizableStages?: number } = {}): NormOptions {
  const width = options.widthMax ?? config.widthRange?.max ?? 1;
  switch (config.strategy) {
    case 'individual':
    case 'usnet':
    case 'mutualnet':
      return { policy: 'config' };
    case 'rsnet':
      return { policy: 'resolution', configs: config.resolutions.map((resolution) => ({ width, resolution })) };
    case 'resizable': {
      if (options.resizableStages === undefined) throw new ConfigError('normOptionsFor(resizable) needs the number of resizable stages');
      return {
        policy: 'spatial',
        configs: spatialConfigs(config.resizable.choices, options.resizableStages, config.resolution ?? maxResolution(config), width),
      };
    }
  }
}

export function createStrategy(config: TrainConfig, model: TrainableModel): TrainingStrategy {
  const range = trainedWidthRange(config, model);
  const common = { labelSmoothing: config.labelSmoothing };
  switch (config.strategy) {
    case 'individual':
      return new IndividualStrategy(individualConfig(config, model), config.labelSmoothing);
    case 'usnet':
    case 'mutualnet':
      return new SandwichStrategy(config.strategy, {
        ...common,
        widthRange: range,
        resolutions: config.resolutions,
        numRandom: config.numRandom,
        seed: config.seed,
        temperature: config.distill.temperature,
        ...(config.widthStep === undefined ? {} : { widthStep: config.widthStep }),
      });
    case 'rsnet':
      return new RsNetStrategy({
        ...common,
        resolutions: config.resolutions,
        width: range.max,
        mode: config.mred.mode,
        temperature: config.distill.temperature,
      });
    case 'resizable': {
      const stages = model.resizes?.length ?? 0;
      if (stages === 0) {
        throw new ConfigError(
          "strategy 'resizable' needs a resizable backbone (build it with resizable: true); this model has no resizable stages",
        );
      }
      return new ResizableStrategy({
        ...common,
        stages,
        choices: config.resizable.choices,
        resolution: config.resolution ?? maxResolution(config),
        width: range.max,
        seed: config.seed,
        ...(config.resizable.subnetsPerIteration === undefined ? {} : { subnetsPerIteration: config.resizable.subnetsPerIteration }),
      });
    }
  }
}
