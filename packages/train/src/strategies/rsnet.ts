import type { Module, SubnetConfig } from '@adaptnet/core';
import { crossEntropy, MredEnsemble, type MredMode } from '@adaptnet/distill';
import { ParallelResolutionSampler } from '@adaptnet/samplers';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizedParameter } from '../optimizer.js';
import { accumulate, type StrategyGradients, subnetInput, type TrainBatch, type TrainingStrategy, variableNames } from './strategy.js';

export interface RsNetStrategyOptions {
  readonly resolutions: readonly number[];
  readonly width: number;
  readonly mode: MredMode;
  readonly labelSmoothing: number;
  readonly temperature: number;
}

/**
 * RS-Nets (§3): every resolution at full width each iteration (private BN per resolution comes
 * from the model's `'resolution'` BN policy), loss Eq. 9 = Σ_s CE(z_s, y) + L_ens + L_dis with
 * MRED (full version by default). MRED couples all resolutions through the ensemble teacher, so
 * the iteration is one joint backward pass.
 */
export class RsNetStrategy implements TrainingStrategy {
  readonly name = 'rsnet' as const;
  readonly sampler: ParallelResolutionSampler;
  readonly mred: MredEnsemble;
  readonly extraParameters: readonly OptimizedParameter[];
  private readonly options: RsNetStrategyOptions;

  constructor(options: RsNetStrategyOptions) {
    this.sampler = new ParallelResolutionSampler({ resolutions: options.resolutions, width: options.width });
    this.mred = new MredEnsemble(this.sampler.resolutions.length);
    this.extraParameters = [{ name: 'mred.alpha', variable: this.mred.alpha, weightDecay: 0 }];
    this.options = options;
  }

  gradients(model: Module, batch: TrainBatch, configs: readonly SubnetConfig[], params: readonly OptimizedParameter[]): StrategyGradients {
    const ce: tf.Scalar[] = [];
    const sum = new Map<string, tf.Tensor>();
    const images = configs.map((config) => subnetInput(model, batch, config));
    try {
      const { value, grads } = tf.variableGrads(
        () => {
          const logits = configs.map((config, i) => model.forward(images[i] as tf.Tensor4D, { config, training: true }));
          for (const z of logits) ce.push(tf.keep(crossEntropy(z, batch.labels, { labelSmoothing: this.options.labelSmoothing })));
          return tf.addN([
            ...ce,
            this.mred.ensembleLoss(logits, batch.labels),
            this.mred.distillLoss(logits, { mode: this.options.mode, temperature: this.options.temperature }),
          ]) as tf.Scalar;
        },
        params.map((p) => p.variable),
      );
      const total = value.dataSync()[0] as number;
      value.dispose();
      accumulate(sum, grads, variableNames(params));
      const losses = configs.map((config, i) => ({ config, loss: (ce[i] as tf.Scalar).dataSync()[0] as number }));
      return { grads: sum, losses, total };
    } finally {
      tf.dispose(ce);
    }
  }

  subnetLabel(_index: number, config: SubnetConfig): string {
    return `r${config.resolution}`;
  }

  dispose(): void {
    this.mred.dispose();
  }
}
