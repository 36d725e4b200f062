import { ConfigError, type Module } from '@adaptnet/core';
import { findBatchNorms } from './registry.js';
import type { InterpolateOptions, InterpolationResult } from './switchable-batch-norm.js';

export interface ModelInterpolationResult extends InterpolationResult {
  /** Paths of the resolution-keyed BN layers given a set. */
  readonly layers: readonly string[];
}

/**
 * RS-Nets BN interpolation over a whole model: every SwitchableBatchNorm with the 'resolution'
 * policy gets a set for `resolution`, linearly interpolated between the two trained resolutions
 * around it. Outside the trained range: an error, or with `{ outside: 'nearest' }` the nearest
 * trained set and one warning.
 */
export function interpolateBN(model: Module, resolution: number, options: InterpolateOptions = {}): ModelInterpolationResult {
  const found = findBatchNorms(model).filter(({ bn }) => bn.policy === 'resolution');
  if (found.length === 0) throw new ConfigError(`interpolateBN: ${model.name} has no SwitchableBatchNorm with the 'resolution' policy`);
  let warning: string | undefined;
  const quiet: InterpolateOptions = {
    ...options,
    warn: (m) => {
      warning ??= m;
    },
  };
  let result: InterpolationResult | undefined;
  for (const { bn } of found) result = bn.interpolateResolution(resolution, quiet);
  if (warning !== undefined) (options.warn ?? console.warn)(warning);
  return { ...(result as InterpolationResult), layers: found.map((f) => f.path) };
}
