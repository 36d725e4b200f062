import type { SubnetConfig } from '@adaptnet/core';
import type { Detector } from '@adaptnet/detection';

/** Images per forward pass when evaluating and calibrating. */
export const DETECT_BATCH = 8;

/**
 * The detector with `inputShape(config)` = `[1, S, S, C]`, so that `@adaptnet/query-table` and
 * `@adaptnet/flops` count a configuration's MACs on a square input of its size `S` — one number per
 * configuration, independent of which images a batch holds (real inputs are `S` on the shorter
 * side and padded; their cost varies with the aspect ratio).
 */
export function squareInput(detector: Detector): Detector & { inputShape(config: SubnetConfig): number[] } {
  const shaped = detector as Detector & { inputShape?: (config: SubnetConfig) => number[] };
  if (shaped.inputShape === undefined) {
    Object.defineProperty(shaped, 'inputShape', {
      value: (config: SubnetConfig) => [1, config.resolution, config.resolution, detector.inChannels],
      enumerable: false,
    });
  }
  return shaped as Detector & { inputShape(config: SubnetConfig): number[] };
}
