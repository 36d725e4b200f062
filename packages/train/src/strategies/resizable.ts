import type { Module, SubnetConfig } from '@adaptnet/core';
import { crossEntropy } from '@adaptnet/distill';
import { FairSpatialSampler } from '@adaptnet/samplers';
import type { OptimizedParameter } from '../optimizer.js';
import { perSubnetGradients, type StrategyGradients, type TrainBatch, type TrainingStrategy } from './strategy.js';

export interface ResizableStrategyOptions {
  readonly stages: number;
  readonly choices: readonly number[];
  readonly resolution: number;
  readonly width: number;
  readonly subnetsPerIteration?: number;
  readonly seed: number;
  readonly labelSmoothing: number;
}

/**
 * Resizable networks (§3.2, Algorithm 1): spatial subnets drawn by fair sampling, each trained on
 * the labels with its scale-aware BN, gradients accumulated, one update per iteration.
 */
export class ResizableStrategy implements TrainingStrategy {
  readonly name = 'resizable' as const;
  readonly sampler: FairSpatialSampler;
  readonly extraParameters: readonly OptimizedParameter[] = [];
  private readonly labelSmoothing: number;

  constructor(options: ResizableStrategyOptions) {
    this.sampler = new FairSpatialSampler({
      stages: options.stages,
      choices: options.choices,
      resolution: options.resolution,
      width: options.width,
      seed: options.seed,
      ...(options.subnetsPerIteration === undefined ? {} : { subnetsPerIteration: options.subnetsPerIteration }),
    });
    this.labelSmoothing = options.labelSmoothing;
  }

  gradients(model: Module, batch: TrainBatch, configs: readonly SubnetConfig[], params: readonly OptimizedParameter[]): StrategyGradients {
    return perSubnetGradients(model, batch, configs, params, (_i, logits) =>
      crossEntropy(logits, batch.labels, { labelSmoothing: this.labelSmoothing }),
    );
  }

  subnetLabel(index: number): string {
    return `subnet${index + 1}`;
  }

  dispose(): void {}
}
