import { type ForwardContext, ShapeError } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';

interface Accumulator {
  count: number;
  readonly mean: Float64Array;
  /** Sum of squared deviations from `mean`. */
  readonly m2: Float64Array;
}

/**
 * Exact pooled statistics of each BN layer's inputs over a calibration run. Batches are merged in
 * float64 with Chan et al.'s parallel formula, so the result is the mean and variance over all
 * samples seen (not an EMA, and not an average of per-batch variances).
 */
export class CalibrationSession {
  private readonly acc = new Map<object, Accumulator>();

  /** Adds one batch: its per-channel mean and biased variance over `count` values per channel. */
  record(layer: { readonly name: string }, mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void {
    const m = mean.dataSync();
    const v = variance.dataSync();
    let a = this.acc.get(layer);
    if (!a) {
      a = { count: 0, mean: new Float64Array(m.length), m2: new Float64Array(m.length) };
      this.acc.set(layer, a);
    } else if (a.mean.length !== m.length) {
      throw new ShapeError(`${layer.name}: calibration batches reached it with ${a.mean.length} and then ${m.length} channels`);
    }
    const total = a.count + count;
    for (let c = 0; c < m.length; c++) {
      const delta = (m[c] as number) - (a.mean[c] as number);
      a.mean[c] = (a.mean[c] as number) + (delta * count) / total;
      a.m2[c] = (a.m2[c] as number) + (v[c] as number) * count + (delta * delta * a.count * count) / total;
    }
    a.count = total;
  }

  /** Mean and unbiased variance (n / (n − 1), PyTorch's running-variance convention) per layer seen. */
  results<L extends object>(): Map<L, { mean: Float64Array; variance: Float64Array; count: number }> {
    const out = new Map<L, { mean: Float64Array; variance: Float64Array; count: number }>();
    for (const [layer, a] of this.acc) {
      const variance = a.m2.map((s) => s / Math.max(1, a.count - 1));
      out.set(layer as L, { mean: a.mean, variance, count: a.count });
    }
    return out;
  }
}

/** A forward context that makes SwitchableBatchNorm layers normalise with batch statistics and record them. */
export interface CalibrationContext extends ForwardContext {
  readonly bnCalibration: CalibrationSession;
}

export function calibrationSessionOf(ctx: ForwardContext): CalibrationSession | undefined {
  const s = (ctx as Partial<CalibrationContext>).bnCalibration;
  return s instanceof CalibrationSession ? s : undefined;
}
