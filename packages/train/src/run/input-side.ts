import { totalmem } from 'node:os';
import { ConfigError } from '@adaptnet/core';

/**
 * The largest square input side a command accepts: one batch of `batch` inputs with
 * `valuesPerPixel` float32 values per pixel (channels, × frames for clips) must fit in one typed
 * array (2 GiB; larger ones fail with "Invalid typed array length") and in an eighth of this
 * machine's memory (the network's activations need several times the input).
 */
export function maxInputSide(valuesPerPixel: number, batch: number, memoryBytes = totalmem()): number {
  const budget = Math.min(2 ** 31, memoryBytes / 8);
  return Math.floor(Math.sqrt(budget / (batch * valuesPerPixel * 4)));
}

export interface InputSideCheck {
  readonly valuesPerPixel: number;
  readonly batch: number;
  /** The flag or field named in the error, e.g. `--resolution`. */
  readonly flag: string;
  /** What one input is, e.g. `1-channel images`. */
  readonly what: string;
}

/** Refuses a side above `maxInputSide` with a one-line `ConfigError` naming the limit and why. */
export function checkInputSide(side: number, check: InputSideCheck): void {
  const max = maxInputSide(check.valuesPerPixel, check.batch);
  if (side > max) {
    throw new ConfigError(
      `${check.flag} ${side} is too large: at most ${max} for ${check.what} (a batch of ${check.batch} must fit in min(2 GiB, RAM/8) as float32)`,
    );
  }
}
