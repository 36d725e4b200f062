import { ConfigError } from '@adaptnet/core';

/**
 * Channel rounding of the slimmable-networks lineage (MobileNetV2's `_make_divisible`): the
 * nearest multiple of `divisor`, at least `min`, and bumped by one `divisor` when rounding down
 * would lose more than 10% of `value`.
 */
export function makeDivisible(value: number, divisor = 8, min = 1): number {
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`makeDivisible: value must be a finite number >= 0, got ${value}`);
  if (!Number.isInteger(divisor) || divisor <= 0)
    throw new ConfigError(`makeDivisible: divisor must be a positive integer, got ${divisor}`);
  if (!Number.isFinite(min) || min < 0) throw new ConfigError(`makeDivisible: min must be a finite number >= 0, got ${min}`);
  let rounded = Math.max(min, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

export interface ActiveChannelsOptions {
  /** Channels move in steps of `ratio` (an MBv2 expansion of 6, a bottleneck's 0.25). Default 1. */
  readonly ratio?: number;
  /** Default 8. */
  readonly divisor?: number;
  /** The width at which `full` channels are allocated (1 unless the model scales up). Default 1. */
  readonly maxWidth?: number;
}

/**
 * Active channel count at `width`: `makeDivisible(full · width / maxWidth / ratio) · ratio`, as an
 * integer of at least 1, never above `full`.
 */
export function activeChannels(full: number, width: number, options: ActiveChannelsOptions = {}): number {
  const { ratio = 1, divisor = 8, maxWidth = 1 } = options;
  if (!Number.isInteger(full) || full <= 0) throw new ConfigError(`activeChannels: full must be a positive integer, got ${full}`);
  if (!Number.isFinite(ratio) || ratio <= 0) throw new ConfigError(`activeChannels: ratio must be a finite number > 0, got ${ratio}`);
  if (!Number.isFinite(maxWidth) || maxWidth <= 0) {
    throw new ConfigError(`activeChannels: maxWidth must be a finite number > 0, got ${maxWidth}`);
  }
  if (!Number.isFinite(width) || width <= 0) throw new ConfigError(`activeChannels: width must be a finite number > 0, got ${width}`);
  // The maximum width is the whole layer, even when `full` is not a multiple of the divisor (58).
  if (width >= maxWidth * (1 - 1e-9)) return full;
  const scaled = makeDivisible((full * width) / maxWidth / ratio, divisor) * ratio;
  // 1e-9 absorbs float error in ratios such as 0.25 · 8.
  return Math.min(full, Math.max(1, Math.floor(scaled + 1e-9)));
}
