import type { NormOptions } from '@adaptnet/backbones';
import { ConfigError, ConfigRangeError, type Module, type Range, type SubnetConfig, widthInRange } from '@adaptnet/core';
import type { TrainConfig } from '../config.js';
import { inputSizeOf, isVideoModel, type VideoBranches, videoBranches } from '../video-model.js';
import { IndividualStrategy } from './individual.js';
import { ResizableStrategy } from './resizable.js';
import { RsNetStrategy } from './rsnet.js';
import { SandwichStrategy } from './sandwich.js';
import type { TrainingStrategy } from './strategy.js';
import { VideoSandwichStrategy } from './video-sandwich.js';

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

/** Strategies a video model trains with. */
export const VIDEO_STRATEGIES = ['individual', 'usnet', 'mutualnet'] as const;

/**
 * The trained frames per clip: `config.frames`, which a video model requires and an image model
 * refuses; undefined for an image model.
 */
export function trainedFrames(config: TrainConfig, model: Module): readonly number[] | undefined {
  if (!isVideoModel(model)) {
    if (config.frames !== undefined) {
      throw new ConfigError(`frames [${config.frames.join(', ')}] given, but ${model.name} is an image model; frames are for video models`);
    }
    if (config.frameCount !== undefined) {
      throw new ConfigError(`frameCount ${config.frameCount} given, but ${model.name} is an image model; frameCount is for video models`);
    }
    return undefined;
  }
  if (config.frames === undefined) {
    const space = model.configSpace.frames;
    const example = Array.isArray(space) ? `[${space.join(', ')}]` : '[3, 5, 8]';
    throw new ConfigError(`frames: ${model.name} is a video model; give the trained frames per clip, e.g. frames: ${example}`);
  }
  if (!(VIDEO_STRATEGIES as readonly string[]).includes(config.strategy)) {
    throw new ConfigError(
      `strategy '${config.strategy}' does not train video models; allowed for ${model.name}: ${VIDEO_STRATEGIES.join(', ')}`,
    );
  }
  return config.frames;
}

export function maxFrames(frames: readonly number[]): number {
  return Math.max(...frames);
}

/**
 * The configuration `individual` trains: `width`/`resolution` (and `frameCount` for a video model),
 * defaulting to the largest.
 */
export function individualConfig(config: TrainConfig, model: Module & { readonly widthRange: Range }): SubnetConfig {
  const range = trainedWidthRange(config, model);
  const width = config.width ?? range.max;
  if (!widthInRange(width, range)) {
    throw new ConfigRangeError(`width ${width} is outside the trained width range [${range.min}, ${range.max}]`);
  }
  const frames = trainedFrames(config, model);
  if (frames === undefined) return { width, resolution: config.resolution ?? maxResolution(config) };
  return { width, resolution: config.resolution ?? maxResolution(config), frames: config.frameCount ?? maxFrames(frames) };
}

/** The full network's configuration: max width, max resolution (and max frames for a video model). */
export function fullConfig(config: TrainConfig, model: Module & { readonly widthRange: Range }): SubnetConfig {
  const width = trainedWidthRange(config, model).max;
  const frames = trainedFrames(config, model);
  return frames === undefined
    ? { width, resolution: maxResolution(config) }
    : { width, resolution: maxResolution(config), frames: maxFrames(frames) };
}

/**
 * Frames each clip of the training data must hold for `model` trained with `config`: the largest
 * of `frames` (one-branch), or SlowFast's full clip (α × the largest); undefined for image models.
 * Make the `VideoStream` with this many frames.
 */
export function clipFramesFor(config: TrainConfig, model: TrainableModel): number | undefined {
  if (!isVideoModel(model)) return undefined;
  const full = fullConfig(config, model);
  const frames = config.strategy === 'individual' ? individualConfig(config, model).frames : full.frames;
  return inputSizeOf(model, { ...full, frames: Math.max(frames as number, full.frames as number) }).frames;
}

function videoStrategy(config: TrainConfig, model: TrainableModel, frames: readonly number[], branches: VideoBranches): TrainingStrategy {
  const range = trainedWidthRange(config, model);
  if (config.strategy === 'individual') return new IndividualStrategy(individualConfig(config, model), config.labelSmoothing);
  if (config.strategy !== 'usnet' && config.strategy !== 'mutualnet') {
    throw new ConfigError(`strategy '${config.strategy}' does not train video models; allowed: ${VIDEO_STRATEGIES.join(', ')}`);
  }
  const full = inputSizeOf(model, fullConfig(config, model));
  return new VideoSandwichStrategy(config.strategy, {
    widthRange: range,
    resolutions: config.resolutions,
    frames,
    numRandom: config.numRandom,
    seed: config.seed,
    labelSmoothing: config.labelSmoothing,
    temperature: config.distill.temperature,
    branches,
    ...(branches === 'two-branch' ? { fullClip: { resolution: full.resolution, frames: full.frames as number } } : {}),
    ...(config.widthStep === undefined ? {} : { widthStep: config.widthStep }),
  });
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
  const frames = trainedFrames(config, model);
  if (frames !== undefined) return videoStrategy(config, model, frames, videoBranches(model) as VideoBranches);
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
