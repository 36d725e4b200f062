import type { Module, Range, SubnetConfig } from '@adaptnet/core';
import { crossEntropy, klDistill } from '@adaptnet/distill';
import { SandwichSampler } from '@adaptnet/samplers';
import type * as tf from '@tensorflow/tfjs-core';
import type { OptimizedParameter } from '../optimizer.js';
import { perSubnetGradients, type StrategyGradients, type TrainBatch, type TrainingStrategy } from './strategy.js';

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
    return perSubnetGradients(
      model,
      batch,
      configs,
      params,
      (i, logits, kept): tf.Scalar =>
        i === 0
          ? crossEntropy(logits, batch.labels, { labelSmoothing: this.labelSmoothing })
          : klDistill(logits, kept[0] as tf.Tensor, { temperature: this.temperature }),
      (i) => i === 0,
    );
  }

  subnetLabel(index: number): string {
    return index === 0 ? 'max' : index === 1 ? 'min' : `rand${index - 1}`;
  }

  dispose(): void {}
}
