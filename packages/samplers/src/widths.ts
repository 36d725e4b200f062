import { ConfigError, type Range, type Rng } from '@adaptnet/core';
import { checkWidthRange } from './validate.js';

/** Draws "random" widths for the sandwich rule: uniform on [min, max), or on a grid when a step is given. */
export class WidthDistribution {
  readonly min: number;
  readonly max: number;
  /** The grid, min and max included, when drawing on a grid. */
  readonly grid: readonly number[] | undefined;

  constructor(range: Range, step?: number) {
    checkWidthRange('widthRange', range);
    this.min = range.min;
    this.max = range.max;
    if (step === undefined) return;
    if (!Number.isFinite(step) || step <= 0) throw new ConfigError(`widthStep must be a finite number > 0, got ${step}`);
    const span = range.max - range.min;
    const steps = Math.round(span / step);
    if (Math.abs(steps * step - span) > 1e-9 * Math.max(1, span)) {
      throw new ConfigError(`widthStep ${step} does not divide widthRange [${range.min}, ${range.max}] into whole steps`);
    }
    // Rounded so that 0.25 + 3 * 0.05 prints (and compares) as 0.4.
    this.grid = Array.from({ length: steps + 1 }, (_, k) => (k === steps ? range.max : Number((range.min + k * step).toFixed(12))));
  }

  draw(rng: Rng): number {
    return this.grid ? rng.choice(this.grid) : rng.uniform(this.min, this.max);
  }
}
