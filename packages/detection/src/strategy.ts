import { ConfigError, configKey, type Module, type Range, type SubnetConfig } from '@adaptnet/core';
import { SandwichSampler, type SubnetSampler } from '@adaptnet/samplers';
import type { OptimizedParameter, StrategyGradients, SubnetLoss, TrainBatch, TrainConfig, TrainingStrategy } from '@adaptnet/train';
import * as tf from '@tensorflow/tfjs-core';
import { isDetectionBatch } from './data.js';
import { Detector } from './detector.js';
import { type DetectionLossOptions, detectionLoss } from './losses.js';
import type { TargetOptions } from './targets.js';

export type DetectionStrategyName = 'mutualnet' | 'usnet' | 'individual';

export interface DetectionStrategyOptions {
  readonly widthRange: Range;
  /** Shorter-side sizes; the largest is the full network's. */
  readonly resolutions: readonly number[];
  /** Sandwich: random widths per iteration besides max and min. Default 2. */
  readonly numRandom?: number;
  readonly widthStep?: number;
  readonly seed?: number;
  /** `individual`: the one configuration trained (default: max width, largest size). */
  readonly config?: SubnetConfig;
  readonly targets?: TargetOptions;
  readonly loss?: DetectionLossOptions;
}

class FixedSampler implements SubnetSampler<null> {
  constructor(private readonly config: SubnetConfig) {}
  next(): SubnetConfig[] {
    return [this.config];
  }
  state(): null {
    return null;
  }
  setState(): void {}
}

/**
 * MutualNet for detection (TPAMI §6.4): per iteration the sandwich of backbone widths [max, min,
 * random...] with the full network at the largest size and the others at sizes drawn from the
 * list, each on the same images; `usnet`: every width at the largest size; `individual`: one
 * configuration. Every sub-network learns from the ground truth (FCOS loss) — no inplace
 * distillation, as in the paper's detection experiments. Gradients are summed over sub-networks.
 */
export class DetectionStrategy implements TrainingStrategy {
  readonly name: DetectionStrategyName;
  readonly sampler: SubnetSampler<unknown>;
  readonly extraParameters: readonly OptimizedParameter[] = [];
  private readonly options: DetectionStrategyOptions;

  constructor(name: DetectionStrategyName, options: DetectionStrategyOptions) {
    this.name = name;
    this.options = options;
    if (name === 'individual') {
      const max = Math.max(...options.resolutions);
      this.sampler = new FixedSampler(options.config ?? { width: options.widthRange.max, resolution: max });
    } else if (name === 'mutualnet' || name === 'usnet') {
      this.sampler = new SandwichSampler({
        widthRange: options.widthRange,
        resolutions: options.resolutions,
        numRandom: options.numRandom ?? 2,
        mode: name,
        seed: options.seed ?? 0,
        ...(options.widthStep === undefined ? {} : { widthStep: options.widthStep }),
      });
    } else {
      throw new ConfigError(`detection strategy must be 'mutualnet', 'usnet' or 'individual', got '${String(name)}'`);
    }
  }

  gradients(model: Module, batch: TrainBatch, configs: readonly SubnetConfig[], params: readonly OptimizedParameter[]): StrategyGradients {
    if (!(model instanceof Detector)) throw new ConfigError(`detection strategy '${this.name}' trains a Detector, got ${model.name}`);
    if (!isDetectionBatch(batch))
      throw new ConfigError(`detection strategy '${this.name}' needs DetectionBatch batches (from DetectionData)`);
    const byVariable = new Map(params.map((p) => [p.variable.name, p.name]));
    const variables = params.map((p) => p.variable);
    const sum = new Map<string, tf.Tensor>();
    const losses: SubnetLoss[] = [];
    try {
      for (const config of configs) {
        const ctx = { config, training: true };
        const x = batch.images(config.resolution);
        const targets = batch.targets(config.resolution, model.levelShapes(x.shape, ctx), this.options.targets);
        const { value, grads } = tf.variableGrads(
          () => detectionLoss(model.forward(x, ctx), targets, model.numClasses, this.options.loss),
          variables,
        );
        losses.push({ config, loss: value.dataSync()[0] as number });
        value.dispose();
        for (const [variableName, g] of Object.entries(grads)) {
          const name = byVariable.get(variableName) as string;
          const prev = sum.get(name);
          if (prev === undefined) sum.set(name, g);
          else {
            sum.set(name, tf.add(prev, g));
            tf.dispose([prev, g]);
          }
        }
      }
    } catch (e) {
      tf.dispose([...sum.values()]);
      throw e;
    }
    return { grads: sum, losses, total: losses.reduce((a, l) => a + l.loss, 0) };
  }

  subnetLabel(index: number, config: SubnetConfig): string {
    if (this.name === 'individual') return configKey(config);
    return index === 0 ? 'max' : index === 1 ? 'min' : `rand${index - 1}`;
  }

  dispose(): void {}
}

/** The detection strategy a `@adaptnet/train` configuration asks for (`mutualnet`, `usnet` or `individual`). */
export function createDetectionStrategy(
  config: TrainConfig,
  model: Detector,
  extra: Pick<DetectionStrategyOptions, 'targets' | 'loss'> = {},
): DetectionStrategy {
  const name = config.strategy;
  if (name !== 'mutualnet' && name !== 'usnet' && name !== 'individual') {
    throw new ConfigError(`strategy '${name}' does not apply to detection; allowed: mutualnet, usnet, individual`);
  }
  const widthRange = config.widthRange ?? model.widthRange;
  const max = Math.max(...config.resolutions);
  return new DetectionStrategy(name, {
    widthRange,
    resolutions: config.resolutions,
    numRandom: config.numRandom,
    seed: config.seed,
    ...(config.widthStep === undefined ? {} : { widthStep: config.widthStep }),
    ...(name === 'individual' ? { config: { width: config.width ?? widthRange.max, resolution: config.resolution ?? max } } : {}),
    ...extra,
  });
}
