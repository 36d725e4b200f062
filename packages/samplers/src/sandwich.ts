import { ConfigError, type Range, Rng, type RngState, type SubnetConfig } from '@adaptnet/core';
import type { SubnetSampler } from './sampler.js';
import { checkCount, checkRngState, checkSizeList } from './validate.js';
import { WidthDistribution } from './widths.js';

/**
 * - `mutualnet` (default, MutualNet): the full net at the max resolution, every other subnet at a
 *   resolution drawn from the list.
 * - `usnet` (US-Net): every subnet at the max resolution.
 * - `usnet-multiscale` (MutualNet TPAMI Fig. 10, "US-Net + multi-scale data augmentation"): one
 *   resolution drawn per iteration, shared by all subnets, the full net included.
 * - `random-full-resolution` (MutualNet §3.2 ablation): the full net's resolution is drawn too.
 */
export type SandwichMode = 'mutualnet' | 'usnet' | 'usnet-multiscale' | 'random-full-resolution';

export const SANDWICH_MODES: readonly SandwichMode[] = ['mutualnet', 'usnet', 'usnet-multiscale', 'random-full-resolution'];

export interface SandwichSamplerOptions {
  readonly widthRange: Range;
  readonly resolutions: readonly number[];
  /** Random widths per iteration besides the max and the min. Default 2. */
  readonly numRandom?: number;
  /** Draw random widths on the grid min, min + step, ..., max instead of continuously. */
  readonly widthStep?: number;
  readonly mode?: SandwichMode;
  readonly seed?: number;
}

/**
 * The sandwich rule: per iteration `[full, min, ...numRandom random widths]`, the full net (max
 * width) first so that it can serve as the teacher of inplace distillation.
 */
export class SandwichSampler implements SubnetSampler<RngState> {
  readonly mode: SandwichMode;
  readonly numRandom: number;
  readonly resolutions: readonly number[];
  readonly maxResolution: number;
  private readonly widths: WidthDistribution;
  private readonly rng: Rng;

  constructor(options: SandwichSamplerOptions) {
    this.widths = new WidthDistribution(options.widthRange, options.widthStep);
    checkSizeList('resolutions', options.resolutions);
    this.numRandom = options.numRandom ?? 2;
    checkCount('numRandom', this.numRandom, 0);
    this.mode = options.mode ?? 'mutualnet';
    if (!SANDWICH_MODES.includes(this.mode)) {
      throw new ConfigError(`mode '${this.mode}' is not one of ${SANDWICH_MODES.map((m) => `'${m}'`).join(', ')}`);
    }
    this.resolutions = [...options.resolutions];
    this.maxResolution = Math.max(...this.resolutions);
    this.rng = new Rng(options.seed ?? 0);
  }

  next(): SubnetConfig[] {
    const drawn = (): number => this.rng.choice(this.resolutions);
    let fullResolution: number;
    let subnetResolution: () => number;
    switch (this.mode) {
      case 'mutualnet':
        fullResolution = this.maxResolution;
        subnetResolution = drawn;
        break;
      case 'usnet':
        fullResolution = this.maxResolution;
        subnetResolution = () => this.maxResolution;
        break;
      case 'usnet-multiscale': {
        const shared = drawn();
        fullResolution = shared;
        subnetResolution = () => shared;
        break;
      }
      case 'random-full-resolution':
        fullResolution = drawn();
        subnetResolution = drawn;
        break;
    }
    const configs: SubnetConfig[] = [
      { width: this.widths.max, resolution: fullResolution },
      { width: this.widths.min, resolution: subnetResolution() },
    ];
    for (let i = 0; i < this.numRandom; i++) {
      const width = this.widths.draw(this.rng);
      configs.push({ width, resolution: subnetResolution() });
    }
    return configs;
  }

  state(): RngState {
    return this.rng.state();
  }

  setState(state: RngState): void {
    this.rng.setState(checkRngState(state));
  }
}
