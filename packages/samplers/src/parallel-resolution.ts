import type { SubnetConfig } from '@adaptnet/core';
import type { SubnetSampler } from './sampler.js';
import { checkSizeList, checkWidth } from './validate.js';

export interface ParallelResolutionSamplerOptions {
  readonly resolutions: readonly number[];
  /** Default 1 (the full width). */
  readonly width?: number;
}

/**
 * RS-Nets parallel training: every resolution, every iteration, at full width, largest first
 * (the order MRED's full-version distillation expects). Deterministic, so its state is `null`.
 */
export class ParallelResolutionSampler implements SubnetSampler<null> {
  readonly width: number;
  readonly resolutions: readonly number[];

  constructor(options: ParallelResolutionSamplerOptions) {
    checkSizeList('resolutions', options.resolutions);
    this.width = options.width ?? 1;
    checkWidth('width', this.width);
    this.resolutions = [...options.resolutions].sort((a, b) => b - a);
  }

  next(): SubnetConfig[] {
    return this.resolutions.map((resolution) => ({ width: this.width, resolution }));
  }

  state(): null {
    return null;
  }

  setState(_state: null): void {}
}
