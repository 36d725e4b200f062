import type { Module, SubnetConfig } from '@adaptnet/core';
import type { SubnetSampler } from '@adaptnet/samplers';
import * as tf from '@tensorflow/tfjs-core';
import type { Strategy } from '../config.js';
import type { OptimizedParameter } from '../optimizer.js';
import { type InputSize, inputSizeOf } from '../video-model.js';

/**
 * What a strategy needs of a batch, images or clips alike (`@adaptnet/data`'s
 * `MultiResolutionBatch` and `VideoBatch` are both one).
 */
export interface TrainBatch {
  readonly size: number;
  /** int32 class indices. */
  readonly labels: tf.Tensor1D;
  /**
   * The batch's single crop at `size`, owned by the batch: images `[N, r, r, C]` when
   * `size.frames` is absent, clips `[N, T, r, r, C]` (T = `size.frames`) for video.
   */
  inputs(size: InputSize): tf.Tensor;
}

/** Subnet `config`'s input from `batch` (`inputSizeOf`: SlowFast reads the full clip at every configuration). */
export function subnetInput(model: Module, batch: TrainBatch, config: SubnetConfig): tf.Tensor {
  return batch.inputs(inputSizeOf(model, config));
}

export interface SubnetLoss {
  readonly config: SubnetConfig;
  readonly loss: number;
}

export interface StrategyGradients {
  /** Summed over the iteration's subnets, by parameter name; the caller disposes them. */
  readonly grads: Map<string, tf.Tensor>;
  readonly losses: readonly SubnetLoss[];
  /** The whole objective of the iteration (the sum of the subnet losses, plus MRED's terms for RS-Nets). */
  readonly total: number;
}

/** One training strategy: which subnets an iteration runs and what loss each minimises. */
export interface TrainingStrategy {
  readonly name: Strategy;
  /** Its state is JSON (saved in checkpoints). */
  readonly sampler: SubnetSampler<unknown>;
  /** Variables besides the model's that the optimizer updates (MRED's α). */
  readonly extraParameters: readonly OptimizedParameter[];
  gradients(model: Module, batch: TrainBatch, configs: readonly SubnetConfig[], params: readonly OptimizedParameter[]): StrategyGradients;
  /** A stable name for the i-th subnet of an iteration in logs (e.g. 'max', 'min', 'rand1', 'r224'). */
  subnetLabel(index: number, config: SubnetConfig): string;
  dispose(): void;
}

/** Adds `grads` (keyed by tfjs variable name) into `sum` (keyed by parameter name), disposing them. */
export function accumulate(sum: Map<string, tf.Tensor>, grads: tf.NamedTensorMap, byVariable: ReadonlyMap<string, string>): void {
  for (const [variableName, g] of Object.entries(grads)) {
    if (g === null) continue;
    const name = byVariable.get(variableName) as string;
    const prev = sum.get(name);
    if (prev === undefined) {
      sum.set(name, g);
    } else {
      sum.set(name, tf.add(prev, g));
      tf.dispose([prev, g]);
    }
  }
}

export function variableNames(params: readonly OptimizedParameter[]): Map<string, string> {
  return new Map(params.map((p) => [p.variable.name, p.name]));
}

/**
 * Runs each subnet's forward + backward on its own (PyTorch's `loss.backward()` per subnet), so
 * only one subnet's activations are alive at a time; gradients are summed. `loss(i, logits)`
 * returns subnet i's loss; `keep(i)` says whether its logits outlive its pass (a teacher).
 */
export function perSubnetGradients(
  model: Module,
  batch: TrainBatch,
  configs: readonly SubnetConfig[],
  params: readonly OptimizedParameter[],
  loss: (index: number, logits: tf.Tensor, kept: readonly (tf.Tensor | undefined)[]) => tf.Scalar,
  keep: (index: number) => boolean = () => false,
): StrategyGradients {
  const sum = new Map<string, tf.Tensor>();
  const byVariable = variableNames(params);
  const variables = params.map((p) => p.variable);
  const kept: (tf.Tensor | undefined)[] = [];
  const losses: SubnetLoss[] = [];
  try {
    configs.forEach((config, i) => {
      const x = subnetInput(model, batch, config);
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.forward(x, { config, training: true });
        if (keep(i)) kept[i] = tf.keep(logits);
        return loss(i, logits, kept);
      }, variables);
      losses.push({ config, loss: value.dataSync()[0] as number });
      value.dispose();
      accumulate(sum, grads, byVariable);
    });
  } catch (e) {
    tf.dispose([...sum.values()]);
    throw e;
  } finally {
    tf.dispose(kept.filter((t): t is tf.Tensor => t !== undefined));
  }
  return { grads: sum, losses, total: losses.reduce((a, l) => a + l.loss, 0) };
}
