import { type Cost, type ForwardContext, Module, sequentialCost } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { type BnKeyPolicy, SwitchableBatchNorm } from '../../src/index.js';

export const C = 8;
export const activeOf = (width: number) => Math.round(C * width);

/** Fixed 1×1 mixing weights (exact in float32). */
export const MIX: number[][] = Array.from({ length: C }, (_, i) => Array.from({ length: C }, (_, j) => (((i * 5 + j * 3) % 7) - 3) / 4));

/**
 * x [N, H, W, C] → leading `activeOf(width)` channels → bn1 → relu → fixed 1×1 mix → bn2. Its math
 * is re-done in float64 by `tinyNetReference`.
 */
export class TinyNet extends Module {
  readonly bn1: SwitchableBatchNorm;
  readonly bn2: SwitchableBatchNorm;
  private readonly mix = tf.tensor2d(MIX);

  constructor(policy: BnKeyPolicy = 'config', configs: { width: number; resolution: number }[] = []) {
    super('tiny');
    this.bn1 = this.addModule('bn1', new SwitchableBatchNorm('bn1', { channels: C, policy, configs }));
    this.bn2 = this.addModule('block.bn2', new SwitchableBatchNorm('bn2', { channels: C, policy, configs }));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => {
      const c = activeOf(ctx.config.width);
      const xs = tf.slice(x, [0, 0, 0, 0], [...x.shape.slice(0, 3), c]);
      const h = tf.relu(this.bn1.forward(xs, ctx));
      const w = tf.slice(this.mix, [0, 0], [c, c]);
      const mixed = tf.reshape(tf.matMul(tf.reshape(h, [-1, c]), w), h.shape);
      return this.bn2.forward(mixed, ctx);
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return sequentialCost([(s) => this.bn1.cost(s, ctx), (s) => this.bn2.cost(s, ctx)], inShape);
  }

  override dispose(): void {
    super.dispose();
    this.mix.dispose();
  }
}

/** Rows of a [N, H, W, c] batch as [N·H·W][c] float64 values. */
export function rowsOf(x: tf.Tensor, c: number): number[][] {
  const data = x.dataSync();
  const full = x.shape[x.rank - 1] as number;
  const rows: number[][] = [];
  for (let i = 0; i < data.length / full; i++) rows.push(Array.from(data.subarray(i * full, i * full + c)));
  return rows;
}

/** Per-channel mean and unbiased variance of rows, in float64. */
export function meanVar(rows: readonly number[][]): { mean: number[]; variance: number[] } {
  const c = rows[0]!.length;
  const n = rows.length;
  const mean = Array.from({ length: c }, (_, k) => rows.reduce((s, r) => s + r[k]!, 0) / n);
  const variance = Array.from({ length: c }, (_, k) => rows.reduce((s, r) => s + (r[k]! - mean[k]!) ** 2, 0) / (n - 1));
  return { mean, variance };
}

/** Training-mode BN of rows with batch statistics (biased variance), float64. */
export function bnRows(rows: readonly number[][], gamma: readonly number[], beta: readonly number[], eps = 1e-5): number[][] {
  const n = rows.length;
  const { mean, variance } = meanVar(rows);
  return rows.map((r) => r.map((v, k) => ((v - mean[k]!) / Math.sqrt((variance[k]! * (n - 1)) / n + eps)) * gamma[k]! + beta[k]!));
}

/**
 * Inputs of bn1 and bn2 over the given batches, each batch normalised with its own statistics (as
 * calibration runs the network), in float64.
 */
export function tinyNetReference(
  batches: readonly number[][][],
  gamma1: readonly number[],
  beta1: readonly number[],
): { bn1Inputs: number[][]; bn2Inputs: number[][] } {
  const bn1Inputs: number[][] = [];
  const bn2Inputs: number[][] = [];
  for (const rows of batches) {
    const c = rows[0]!.length;
    bn1Inputs.push(...rows);
    const h = bnRows(rows, gamma1, beta1).map((r) => r.map((v) => Math.max(0, v)));
    bn2Inputs.push(...h.map((r) => Array.from({ length: c }, (_, j) => r.reduce((s, v, i) => s + v * MIX[i]![j]!, 0))));
  }
  return { bn1Inputs, bn2Inputs };
}
