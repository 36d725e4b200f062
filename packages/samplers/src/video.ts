import { ConfigError, type Range, Rng, type RngState, type SubnetConfig } from '@adaptnet/core';
import type { SubnetSampler } from './sampler.js';
import { checkCount, checkRngState, checkSizeList } from './validate.js';
import { WidthDistribution } from './widths.js';

/** The fixed configuration of SlowFast's fast pathway in two-pathway mode. */
export interface FastPathwayConfig {
  readonly width: number;
  readonly resolution: number;
  readonly frames: number;
}

/** A 3D subnet: `width`/`resolution`/`frames` describe the (slow) pathway that adapts. */
export interface VideoSubnetConfig extends SubnetConfig {
  readonly frames: number;
  /** Present in two-pathway mode only; always the full configuration. */
  readonly fast?: FastPathwayConfig;
}

export type VideoSamplerMode = 'single-pathway' | 'two-pathway';

export interface VideoSamplerOptions {
  /** E.g. { min: 0.63, max: 1 }. */
  readonly widthRange: Range;
  /** Spatial sizes, e.g. [142, 178, 224]. */
  readonly resolutions: readonly number[];
  /** Clip lengths, e.g. [3, 5, 8]. */
  readonly frames: readonly number[];
  /** Random subnets per iteration besides the full net (and the min). Default 2 (TPAMI §4.2.1: "two sub-networks"). */
  readonly numRandom?: number;
  /**
   * Also run the min-width subnet every iteration (US-Net's sandwich rule). Default false: 3D
   * MutualNet (TPAMI §4.2.1, §6.5) samples only the full net and two sub-networks with γw uniform in
   * [0.63, 1], no fixed smallest one.
   */
  readonly includeMin?: boolean;
  readonly widthStep?: number;
  /** Default 'single-pathway'. */
  readonly mode?: VideoSamplerMode;
  /** Clip length of the fast pathway (α·T in SlowFast, e.g. 32 for SlowFast 4×16); required in two-pathway mode. */
  readonly fastFrames?: number;
  /** Side of the fast pathway's (full) clip in two-pathway mode. Default: the largest of `resolutions`. */
  readonly fastResolution?: number;
  readonly seed?: number;
}

/**
 * 3D MutualNet (TPAMI §4.2): per iteration the full net at max width, spatial size and clip length,
 * then `numRandom` subnets with width ~ U[min, max), spatial size and clip length drawn from the
 * lists (and, with `includeMin`, the min width first, at a drawn size and length). In
 * two-pathway mode (§4.2.2) these describe the slow pathway; the fast pathway stays at its full
 * configuration in every subnet.
 */
export class VideoSampler implements SubnetSampler<RngState, VideoSubnetConfig> {
  readonly mode: VideoSamplerMode;
  readonly numRandom: number;
  readonly includeMin: boolean;
  readonly resolutions: readonly number[];
  readonly frames: readonly number[];
  readonly fast: FastPathwayConfig | undefined;
  private readonly widths: WidthDistribution;
  private readonly rng: Rng;

  constructor(options: VideoSamplerOptions) {
    this.widths = new WidthDistribution(options.widthRange, options.widthStep);
    checkSizeList('resolutions', options.resolutions);
    checkSizeList('frames', options.frames);
    this.numRandom = options.numRandom ?? 2;
    checkCount('numRandom', this.numRandom, 0);
    this.includeMin = options.includeMin ?? false;
    this.mode = options.mode ?? 'single-pathway';
    this.resolutions = [...options.resolutions];
    this.frames = [...options.frames];
    if (this.mode === 'two-pathway') {
      if (options.fastFrames === undefined) {
        throw new ConfigError('two-pathway mode needs fastFrames, the clip length of the fast pathway (e.g. 32 for SlowFast 4×16)');
      }
      checkSizeList('fastFrames', [options.fastFrames]);
      const fastResolution = options.fastResolution ?? Math.max(...this.resolutions);
      checkSizeList('fastResolution', [fastResolution]);
      this.fast = { width: this.widths.max, resolution: fastResolution, frames: options.fastFrames };
    } else if (this.mode === 'single-pathway') {
      if (options.fastFrames !== undefined) throw new ConfigError(`fastFrames ${options.fastFrames} given, but mode is 'single-pathway'`);
      if (options.fastResolution !== undefined) {
        throw new ConfigError(`fastResolution ${options.fastResolution} given, but mode is 'single-pathway'`);
      }
      this.fast = undefined;
    } else {
      throw new ConfigError(`mode '${this.mode}' is not one of 'single-pathway', 'two-pathway'`);
    }
    this.rng = new Rng(options.seed ?? 0);
  }

  next(): VideoSubnetConfig[] {
    const configs = [this.make(this.widths.max, Math.max(...this.resolutions), Math.max(...this.frames))];
    if (this.includeMin) configs.push(this.make(this.widths.min, this.rng.choice(this.resolutions), this.rng.choice(this.frames)));
    for (let i = 0; i < this.numRandom; i++) {
      const width = this.widths.draw(this.rng);
      configs.push(this.make(width, this.rng.choice(this.resolutions), this.rng.choice(this.frames)));
    }
    return configs;
  }

  state(): RngState {
    return this.rng.state();
  }

  setState(state: RngState): void {
    this.rng.setState(checkRngState(state));
  }

  private make(width: number, resolution: number, frames: number): VideoSubnetConfig {
    return this.fast ? { width, resolution, frames, fast: this.fast } : { width, resolution, frames };
  }
}
