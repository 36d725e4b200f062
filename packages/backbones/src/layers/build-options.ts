import { ConfigError, type Range, Rng, type SubnetConfig } from '@adaptnet/core';
import type { BnKeyPolicy } from '@adaptnet/norm';

/** How every SwitchableBatchNorm of a backbone is keyed. */
export interface NormOptions {
  /** Default `'config'` (shared γ/β, statistics calibrated per configuration — US-Net / MutualNet). */
  readonly policy?: BnKeyPolicy;
  /** Configurations that get a private set at construction (required by every policy but `'config'`). */
  readonly configs?: readonly SubnetConfig[];
  /** Default 1e-5. */
  readonly epsilon?: number;
  /** Default 0.1. */
  readonly momentum?: number;
}

/** What every layer of one backbone is built with. */
export interface BuildContext {
  readonly widthRange: Range;
  readonly divisor: number;
  readonly rng: Rng;
  readonly norm: NormOptions;
}

export function buildContext(
  name: string,
  options: { widthRange?: Range; divisor?: number; seed?: number; norm?: NormOptions; resizable?: boolean },
): BuildContext {
  const divisor = options.divisor ?? 8;
  if (!Number.isInteger(divisor) || divisor <= 0) throw new ConfigError(`${name}: divisor must be a positive integer, got ${divisor}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ConfigError(`${name}: seed must be an integer, got ${seed}`);
  const widthRange = options.widthRange ?? { min: 0.25, max: 1 };
  if (!Number.isFinite(widthRange.min) || !Number.isFinite(widthRange.max) || widthRange.min <= 0 || widthRange.min > widthRange.max) {
    throw new ConfigError(`${name}: widthRange must satisfy 0 < min <= max, got [${widthRange.min}, ${widthRange.max}]`);
  }
  const norm = options.norm ?? {};
  // Resizable networks key BN by spatial configuration (resolution + per-stage scales).
  return {
    widthRange,
    divisor,
    rng: new Rng(seed),
    norm: options.resizable && norm.policy === undefined ? { ...norm, policy: 'spatial' } : norm,
  };
}
