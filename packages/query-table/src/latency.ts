import { ConfigError, type Module, makeContext, type SubnetConfig } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

export interface LatencyOptions {
  /** Timed runs; the median is reported. */
  readonly runs: number;
  /** Images per forward pass. Default 1. */
  readonly batchSize?: number;
  /** Untimed runs first (kernel compilation, caches). Default 1. */
  readonly warmup?: number;
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new ConfigError('median of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Median wall time (ms) of `runs` inference passes of `model` at `config` (or of a function from
 * images to logits, e.g. a prepared configuration's) on the current backend,
 * each on the same random input of `shape` and finished by reading the output back (`dataSync`), so
 * asynchronous backends are timed to completion.
 */
export function measureLatency(
  model: Module | ((x: tf.Tensor) => tf.Tensor),
  config: SubnetConfig,
  shape: readonly number[],
  options: LatencyOptions,
  now: () => number = () => performance.now(),
): number {
  const ctx = makeContext(config, false);
  const forward = typeof model === 'function' ? model : (input: tf.Tensor) => tf.tidy(() => model.forward(input, ctx));
  const x = tf.randomUniform([...shape], 0, 1, 'float32', 0);
  try {
    const once = (): number => {
      const t0 = now();
      const y = forward(x);
      y.dataSync();
      y.dispose();
      return now() - t0;
    };
    for (let i = 0; i < (options.warmup ?? 1); i++) once();
    return median(Array.from({ length: options.runs }, once));
  } finally {
    x.dispose();
  }
}
