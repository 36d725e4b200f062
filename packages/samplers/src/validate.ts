import { ConfigError, type Range, type RngState } from '@adaptnet/core';

export function checkWidthRange(name: string, range: Range): void {
  const { min, max } = range;
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new ConfigError(`${name} must be finite numbers, got [${min}, ${max}]`);
  if (min <= 0) throw new ConfigError(`${name} min must be > 0, got ${min}`);
  if (min > max) throw new ConfigError(`${name} min ${min} > max ${max}`);
}

export function checkWidth(name: string, width: number): void {
  if (!Number.isFinite(width) || width <= 0) throw new ConfigError(`${name} must be a finite number > 0, got ${width}`);
}

/** A non-empty list of distinct positive integers (resolutions, frame counts). */
export function checkSizeList(name: string, values: readonly number[]): void {
  if (values.length === 0) throw new ConfigError(`${name} list is empty`);
  const seen = new Set<number>();
  for (const v of values) {
    if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`${name} must be positive integers, got ${v}`);
    if (seen.has(v)) throw new ConfigError(`${name} lists ${v} twice`);
    seen.add(v);
  }
}

export function checkCount(name: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer >= ${min}, got ${n}`);
}

/** Core's Rng hands out words signed or unsigned; both are accepted (setState applies `>>> 0`). */
export function checkRngState(state: unknown): RngState {
  if (!Array.isArray(state) || state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 32)) {
    throw new ConfigError(`sampler state must be 4 32-bit integer words (an Rng state), got ${JSON.stringify(state)}`);
  }
  return state as unknown as RngState;
}
