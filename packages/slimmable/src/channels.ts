import { ConfigError, ConfigRangeError, type Range, ShapeError, widthInRange } from '@adaptnet/core';
import { activeChannels } from './make-divisible.js';

/** How one side (input or output channels) of a slim layer follows the width. */
export interface SlimSide {
  /** Whether this side slims with the width. Off for the stem's image input and the classifier's outputs. Default true. */
  readonly slim?: boolean;
  /** Channels move in steps of `ratio` (MBv2 expansion 6 ties the width to the block input; ResNet bottleneck 0.25). Default 1. */
  readonly ratio?: number;
}

export interface SlimInputSide extends SlimSide {
  /**
   * The last `fixedTail` input channels are always present (SlowFast adaptive fusion keeps the
   * last 2βC channels from the Fast pathway). Default 0.
   */
  readonly fixedTail?: number;
}

/** Options every slim layer shares. */
export interface SlimCommonOptions {
  /** Widths this layer accepts; channel counts are allocated at `widthRange.max`. Default [0.25, 1]. */
  readonly widthRange?: Range;
  /** Channel rounding divisor. Default 8. */
  readonly divisor?: number;
}

export const DEFAULT_WIDTH_RANGE: Range = { min: 0.25, max: 1 };

export function resolveWidthRange(name: string, range: Range | undefined): Range {
  const r = range ?? DEFAULT_WIDTH_RANGE;
  if (!Number.isFinite(r.min) || !Number.isFinite(r.max) || r.min <= 0 || r.min > r.max) {
    throw new ConfigError(`${name}: widthRange must satisfy 0 < min <= max, got [${r.min}, ${r.max}]`);
  }
  return r;
}

export function checkWidth(name: string, width: number, range: Range): number {
  if (!widthInRange(width, range)) {
    throw new ConfigRangeError(`${name}: width ${width} is outside the layer's range: [${range.min}, ${range.max}]`);
  }
  return width;
}

export function positiveInt(name: string, what: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`${name}: ${what} must be a positive integer, got ${v}`);
  return v;
}

/** One side's channel plan: full count, whether it slims, and its active count at a width. */
export class ChannelPlan {
  readonly full: number;
  readonly slim: boolean;
  readonly ratio: number;
  readonly fixedTail: number;

  constructor(
    private readonly layer: string,
    private readonly side: 'input' | 'output',
    full: number,
    options: SlimInputSide,
    private readonly range: Range,
    private readonly divisor: number,
  ) {
    this.full = positiveInt(layer, `${side} channels`, full);
    this.slim = options.slim ?? true;
    this.ratio = options.ratio ?? 1;
    if (!Number.isFinite(this.ratio) || this.ratio <= 0) {
      throw new ConfigError(`${layer}: ${side}.ratio must be a finite number > 0, got ${this.ratio}`);
    }
    this.fixedTail = options.fixedTail ?? 0;
    if (!Number.isInteger(this.fixedTail) || this.fixedTail < 0 || this.fixedTail >= this.full) {
      throw new ConfigError(`${layer}: ${side}.fixedTail must be an integer in [0, ${this.full - 1}], got ${this.fixedTail}`);
    }
  }

  /** Active channel count at `width` (the fixed tail included). */
  active(width: number): number {
    if (!this.slim) return this.full;
    const slimmable = this.full - this.fixedTail;
    return activeChannels(slimmable, width, { ratio: this.ratio, divisor: this.divisor, maxWidth: this.range.max }) + this.fixedTail;
  }

  /** The input's channel count must be what this width gives; returns it. */
  check(got: number | undefined, width: number): number {
    const want = this.active(width);
    if (got !== want) {
      const how = this.slim
        ? `width ${width} gives ${want} (${this.full} at full width${this.fixedTail ? `, last ${this.fixedTail} fixed` : ''}, ratio ${this.ratio})`
        : `this side does not slim: always ${this.full}`;
      throw new ShapeError(`${this.layer}: ${this.side} has ${got} channels, but ${how}`);
    }
    return want;
  }
}
