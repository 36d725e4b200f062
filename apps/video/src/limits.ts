import { totalmem } from 'node:os';
import { ConfigError } from '@adaptnet/core';

/** Clips per evaluation batch (`eval`, `table`, calibration); training uses its batch size. */
export const EVAL_BATCH = 32;

/**
 * The largest clip side accepted: one batch of float32 clips (batch × frames × R² × channels × 4
 * bytes) must fit in one typed array (2 GiB) and in an eighth of this machine's memory (the
 * network's activations need several times the input).
 */
export function maxResolution(channels: number, frames: number, batch = EVAL_BATCH, memoryBytes = totalmem()): number {
  const budget = Math.min(2 ** 31, memoryBytes / 8);
  return Math.floor(Math.sqrt(budget / (batch * frames * channels * 4)));
}

/** Refuses a clip side above `maxResolution` with a one-line error. */
export function checkResolution(resolution: number, channels: number, frames: number, batch = EVAL_BATCH, flag = 'resolution'): void {
  const b = Math.max(batch, EVAL_BATCH);
  const max = maxResolution(channels, frames, b);
  if (resolution > max) {
    throw new ConfigError(
      `${flag} ${resolution} is too large: at most ${max} for ${frames}-frame ${channels}-channel clips (a batch of ${b} must fit in min(2 GiB, RAM/8) as float32)`,
    );
  }
}
