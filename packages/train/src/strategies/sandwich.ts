import type { Module, Range, SubnetConfig } from '@adaptnet/core';
import { crossEntropy, klDistill } from '@adaptnet/distill';
import { SandwichSampler } from '@adaptnet/samplers';
import type * as tf from '@tensorflow/tfjs-core';
import type { OptimizedParameter } from '../optimizer.js';
import { perSubnetGradients, type StrategyGradients, type TrainBatch, type TrainingStrategy } from './strategy.js';

/**
 * Inplace distillation (MutualNet Eq. 3–5), subnet by subnet: `configs[0]` (the full network)
 * learns from the labels and its logits are kept; every other subnet learns by KL from them. The
 * kept logits come from an earlier pass's tape, so no gradient flows into the teacher.
 */
export function inplaceDistillGradients(
  model: Module,
  batch: TrainBatch,
  configs: readonly SubnetConfig[],
  params: readonly OptimizedParameter[],
  labelSmoothing: number,
  temperature: number,
): StrategyGradients {
  return perSubnetGradients(
    model,
    batch,
    configs,
    params,
    (i, logits, kept): tf.Scalar =>
      i === 0 ? crossEntropy(logits, batch.labels, { labelSmoothing }) : klDistill(logits, kept[0] as tf.Tensor, { temperature }),
    (i) => i === 0,
  );
}

export interface SandwichStrategyOptions {
  readonly widthRange: Range;
  readonly resolutions: readonly number[];
  readonly numRandom: number;
  readonly widthStep?: number;
  readonly seed: number;
  readonly labelSmoothing: number;
  readonly temperature: number;
}

/**
 * US-Net (`usnet`: every subnet at the max resolution) and MutualNet (`mutualnet`: subnets at
 * random resolutions): per iteration [full, min, random...]; the full network at the max
 * resolution learns from the labels, every other subnet from KL to its detached logits (inplace
 * distillation, MutualNet Eq. 3–5).
 */
export class SandwichStrategy implements TrainingStrategy {
  readonly name: 'usnet' | 'mutualnet';
  readonly sampler: SandwichSampler;
  readonly extraParameters: readonly OptimizedParameter[] = [];
  private readonly labelSmoothing: number;
  private readonly temperature: number;

  constructor(name: 'usnet' | 'mutualnet', options: SandwichStrategyOptions) {
    this.name = name;
    this.sampler = new SandwichSampler({
      widthRange: options.widthRange,
      resolutions: options.resolutions,
      numRandom: options.numRandom,
      mode: name,
      seed: options.seed,
      ...(options.widthStep === undefined ? {} : { widthStep: options.widthStep }),
    });
    this.labelSmoothing = options.labelSmoothing;
    this.temperature = options.temperature;
  }

  gradients(model: Module, batch: TrainBatch, configs: readonly SubnetConfig[], params: readonly OptimizedParameter[]): StrategyGradients {
    return inplaceDistillGradients(model, batch, configs, params, this.labelSmoothing, this.temperature);
  }

  subnetLabel(index: number): string {
    return index === 0 ? 'max' : index === 1 ? 'min' : `rand${index - 1}`;
  }

  dispose(): void {}
}
