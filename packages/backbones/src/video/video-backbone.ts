import { ConfigError, ConfigRangeError, type ConfigSpace, type Module, type Range, type SubnetConfig } from '@adaptnet/core';
import { SlimDense } from '@adaptnet/slimmable';
import { Backbone, type BackboneOptions, type ResolvedBackboneOptions, resolveBackboneOptions } from '../backbone.js';
import { type BuildContext, buildContext } from '../layers/build-options.js';
import { GlobalAvgPool3d } from './layers.js';

/** Options every video backbone accepts (input `[N, T, H, W, C]`). */
export interface VideoBackboneOptions extends Omit<BackboneOptions, 'resizable'> {
  /**
   * Configurations the model is built for (width range, resolutions, frames). Defaults to the
   * MutualNet 3D ranges of each model (or their scaled versions for `input: 'small'`); `widthRange`
   * defaults to `configSpace.width`.
   */
  readonly configSpace?: ConfigSpace;
}

/** MutualNet 3D width range (TPAMI §6.5): γw uniform in [0.63, 1]. */
export const VIDEO_WIDTH_RANGE: Range = { min: 0.63, max: 1 };

export function checkFrameList(name: string, space: ConfigSpace): void {
  if (space.frames === undefined) throw new ConfigError(`${name}: configSpace.frames is required for a video model`);
}

/** Resolved options shared by the video backbones. */
export interface VideoBuild {
  readonly o: ResolvedBackboneOptions;
  readonly build: BuildContext;
  readonly space: ConfigSpace;
}

export function resolveVideoOptions(name: string, options: VideoBackboneOptions, defaultSpace: ConfigSpace): VideoBuild {
  if ((options as { resizable?: unknown }).resizable) throw new ConfigError(`${name}: resizable is not supported by video backbones`);
  const space = options.configSpace ?? defaultSpace;
  checkFrameList(name, space);
  const o = resolveBackboneOptions(name, options);
  const build = buildContext(name, { ...options, widthRange: options.widthRange ?? space.width });
  return { o, build, space };
}

/**
 * A video classification backbone on `[N, T, H, W, C]` clips. `config.frames` is the clip length
 * T (required by `inputShape`); `config.resolution` its side.
 */
export abstract class VideoBackbone extends Backbone {
  /** The configurations this model is built for (MutualNet 3D ranges by default). */
  readonly configSpace: ConfigSpace;

  constructor(name: string, inChannels: number, widthRange: Range, configSpace: ConfigSpace) {
    super(name, inChannels, widthRange);
    this.configSpace = configSpace;
  }

  /** `[1, frames, r, r, inChannels]`: what `costOf` uses when given no shape. */
  override inputShape(config: SubnetConfig): number[] {
    return [1, this.framesOf(config), config.resolution, config.resolution, this.inChannels];
  }

  protected framesOf(config: SubnetConfig): number {
    const t = config.frames;
    if (t === undefined || !Number.isInteger(t) || t <= 0) {
      throw new ConfigRangeError(`${this.name}: config.frames must be a positive integer for a video model, got ${String(t)}`);
    }
    return t;
  }

  /** Global average over T, H, W, then the classifier (outputs never slim). */
  protected videoClassifierHead(build: BuildContext, inUnits: number, numClasses: number, slimInput = true, fixedTail = 0): Module[] {
    return [
      this.addModule('pool', new GlobalAvgPool3d(`${this.name}.pool`)),
      this.addModule(
        'fc',
        new SlimDense(`${this.name}.fc`, {
          inUnits,
          outUnits: numClasses,
          input: slimInput ? { fixedTail } : { slim: false },
          output: { slim: false },
          widthRange: build.widthRange,
          divisor: build.divisor,
          rng: build.rng,
        }),
      ),
    ];
  }
}
