import { totalmem } from 'node:os';
import { ConfigError } from '@adaptnet/core';

/** Images per evaluation batch (`eval`, `table`); calibration uses 250, training its batch size. */
export const EVAL_BATCH = 500;

/**
 * The largest resolution accepted: one evaluation batch of float32 pixels (500 × R² × channels ×
 * 4 bytes) must fit in 2 GiB (one typed array; larger ones fail with "Invalid typed array length")
 * and in an eighth of this machine's memory (the network's activations need several times the
 * input). Fashion-MNIST (1 channel): 1036; RGB: 598 (on machines with ≥ 16 GiB).
 */
export function maxResolution(channels: number, batch = EVAL_BATCH, memoryBytes = totalmem()): number {
  const budget = Math.min(2 ** 31, memoryBytes / 8);
  return Math.floor(Math.sqrt(budget / (batch * channels * 4)));
}

/** Refuses a resolution above `maxResolution` with a one-line error. */
export function checkResolution(resolution: number, channels: number, batch = EVAL_BATCH, flag = 'resolution'): void {
  const max = maxResolution(channels, Math.max(batch, EVAL_BATCH));
  if (resolution > max) {
    throw new ConfigError(
      `${flag} ${resolution} is too large: at most ${max} for ${channels}-channel images (a batch of ${Math.max(batch, EVAL_BATCH)} must fit in min(2 GiB, RAM/8) as float32)`,
    );
  }
}
