import { configKey, type Module, type SubnetConfig } from '@adaptnet/core';
import { crossEntropy } from '@adaptnet/distill';
import type { SubnetSampler } from '@adaptnet/samplers';
import type { OptimizedParameter } from '../optimizer.js';
import { perSubnetGradients, type StrategyGradients, type TrainBatch, type TrainingStrategy } from './strategy.js';

class FixedConfigSampler implements SubnetSampler<null> {
  constructor(private readonly config: SubnetConfig) {}
  next(): SubnetConfig[] {
    return [this.config];
  }
  state(): null {
    return null;
  }
  setState(_state: null): void {}
}

/** One configuration trained alone on the labels: the individually-trained (I-Net) baseline. */
export class IndividualStrategy implements TrainingStrategy {
  readonly name = 'individual' as const;
  readonly sampler: SubnetSampler<null>;
  readonly extraParameters: readonly OptimizedParameter[] = [];

  constructor(
    readonly config: SubnetConfig,
    private readonly labelSmoothing: number,
  ) {
    this.sampler = new FixedConfigSampler(config);
  }

  gradients(model: Module, batch: TrainBatch, configs: readonly SubnetConfig[], params: readonly OptimizedParameter[]): StrategyGradients {
    return perSubnetGradients(model, batch, configs, params, (_i, logits) =>
      crossEntropy(logits, batch.labels, { labelSmoothing: this.labelSmoothing }),
    );
  }

  subnetLabel(_index: number, config: SubnetConfig): string {
    return configKey(config);
  }

  dispose(): void {}
}
