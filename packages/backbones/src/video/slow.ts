import { ConfigError, type ConfigSpace, type Module } from '@adaptnet/core';
import type { FeatureStep } from '../backbone.js';
import { Sequential } from '../layers/sequential.js';
import { Bottleneck3d } from './blocks.js';
import { ConvBnAct3d, SpatialMaxPool3d } from './layers.js';
import { resolveVideoOptions, VIDEO_WIDTH_RANGE, VideoBackbone, type VideoBackboneOptions } from './video-backbone.js';

export interface SlowOptions extends VideoBackboneOptions {
  /** Bottlenecks per stage res2..res5. Default [3, 4, 6, 3] (ResNet-50). */
  readonly blocks?: readonly [number, number, number, number];
  /** Inner channels of res2 (stage outputs are 4× the inner, doubling per stage). Default 64. */
  readonly baseWidth?: number;
}

/** MutualNet's Slow-8×8 ranges (TPAMI §6.5): γs → {142, 178, 224}, γt → {3, 5, 8} frames. */
export const SLOW_CONFIG_SPACE: ConfigSpace = { width: VIDEO_WIDTH_RANGE, resolutions: [142, 178, 224], frames: [3, 5, 8] };
/** The same ratios for 64-px, 8-frame clips (`input: 'small'`). */
export const SLOW_SMALL_CONFIG_SPACE: ConfigSpace = { width: VIDEO_WIDTH_RANGE, resolutions: [40, 52, 64], frames: [3, 5, 8] };

/** Temporal kernel of each bottleneck's first conv, res2..res5 (SlowFast paper Table 1). */
export const SLOW_TEMPORAL_KERNELS = [1, 1, 3, 3] as const;

export function checkBlocks(name: string, blocks: readonly number[], baseWidth: number): void {
  if (blocks.length !== 4 || !blocks.every((b) => Number.isInteger(b) && b >= 1))
    throw new ConfigError(`${name}: blocks must be 4 positive integers, got [${blocks.join(', ')}]`);
  if (!Number.isInteger(baseWidth) || baseWidth < 1)
    throw new ConfigError(`${name}: baseWidth must be a positive integer, got ${baseWidth}`);
}

/**
 * Slow-only ResNet-50 (SlowFast paper's Slow pathway, T×τ = 8×8): 1×7×7 stride-2 stem and 1×3×3
 * stride-2 max pool; bottlenecks whose first conv is 1×1×1 in res2–res3 and 3×1×1 in res4–res5;
 * no temporal downsampling. `input: 'small'`: 1×3×3 stride-2 stem, no max pool.
 */
export class Slow extends VideoBackbone {
  constructor(options: SlowOptions = {}, name = 'slow') {
    const small = options.input === 'small';
    const { o, build, space } = resolveVideoOptions(name, options, small ? SLOW_SMALL_CONFIG_SPACE : SLOW_CONFIG_SPACE);
    super(name, o.inChannels, build.widthRange, space);
    const blocks = options.blocks ?? [3, 4, 6, 3];
    const base = options.baseWidth ?? 64;
    checkBlocks(name, blocks, base);
    const features: FeatureStep[] = [];
    const stemConv = new ConvBnAct3d(`${name}.stem.conv`, build, {
      inChannels: o.inChannels,
      outChannels: base,
      kernel: small ? [1, 3, 3] : [1, 7, 7],
      strides: [1, 2, 2],
      input: { slim: false },
      activation: 'relu',
    });
    const stemSteps: [string, Module][] = [['conv', stemConv]];
    if (!small) stemSteps.push(['pool', new SpatialMaxPool3d(`${name}.stem.pool`, 3, 2, 1)]);
    features.push({ module: this.addModule('stem', new Sequential(`${name}.stem`, stemSteps)), stride: small ? 2 : 4 });
    let ch = base;
    blocks.forEach((count, stage) => {
      const inner = base * 2 ** stage;
      for (let i = 0; i < count; i++) {
        const stride = i === 0 && stage > 0 ? 2 : 1;
        const local = `res${stage + 2}_${i}`;
        const block = new Bottleneck3d(`${name}.${local}`, build, {
          inChannels: ch,
          innerChannels: inner,
          outChannels: inner * 4,
          temporalKernel: SLOW_TEMPORAL_KERNELS[stage] as number,
          stride,
        });
        features.push({ module: this.addModule(local, block), stride });
        ch = inner * 4;
      }
    });
    const head = o.includeTop ? this.videoClassifierHead(build, ch, o.numClasses) : [];
    this.setLayout(features, head);
  }
}
