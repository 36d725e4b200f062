import type { Module, Range, SubnetConfig } from '@adaptnet/core';
import { VideoSampler } from '@adaptnet/samplers';
import type { OptimizedParameter } from '../optimizer.js';
import type { VideoBranches } from '../video-model.js';
import { inplaceDistillGradients } from './sandwich.js';
import type { StrategyGradients, TrainBatch, TrainingStrategy } from './strategy.js';

export interface VideoSandwichStrategyOptions {
  readonly widthRange: Range;
  readonly resolutions: readonly number[];
  readonly frames: readonly number[];
  readonly numRandom: number;
  readonly widthStep?: number;
  readonly seed: number;
  readonly labelSmoothing: number;
  readonly temperature: number;
  readonly branches: VideoBranches;
  /** Two-branch: the full clip the fast pathway reads (`inputSizeOf` the full configuration). */
  readonly fullClip?: { readonly resolution: number; readonly frames: number };
}

/**
 * 3D MutualNet and US-Net (TPAMI §4.2) on a video model.
 *
 * - `mutualnet`, one-branch (Slow, X3D; §4.2.1): per iteration the full network at the max width,
 *   spatial size and frames learns from the labels; `numRandom` (2) sub-networks with width
 *   U[min, max) and spatial size and frames drawn from the trained sets learn by KL from its
 *   detached logits; the loss is the sum. No fixed min-width subnet (the paper samples "two
 *   sub-networks" with γw uniform in [0.63, 1]).
 * - `mutualnet`, two-branch (SlowFast; §4.2.2): the same on the slow pathway's (γw, γs, γt); each
 *   configuration carries `fast`, the fast pathway's full configuration, which never changes.
 * - `usnet`: US-Net's sandwich rule [max, min, numRandom random widths], every subnet at the max
 *   spatial size and frames.
 *
 * All subnets resample the same batch of clips (the same window and crop): `VideoBatch.clips`.
 */
export class VideoSandwichStrategy implements TrainingStrategy {
  readonly name: 'usnet' | 'mutualnet';
  readonly branches: VideoBranches;
  readonly sampler: VideoSampler;
  readonly extraParameters: readonly OptimizedParameter[] = [];
  private readonly labelSmoothing: number;
  private readonly temperature: number;

  constructor(name: 'usnet' | 'mutualnet', options: VideoSandwichStrategyOptions) {
    this.name = name;
    this.branches = options.branches;
    const usnet = name === 'usnet';
    const twoBranch = options.branches === 'two-branch';
    this.sampler = new VideoSampler({
      widthRange: options.widthRange,
      resolutions: usnet ? [Math.max(...options.resolutions)] : options.resolutions,
      frames: usnet ? [Math.max(...options.frames)] : options.frames,
      numRandom: options.numRandom,
      includeMin: usnet,
      mode: twoBranch ? 'two-pathway' : 'single-pathway',
      seed: options.seed,
      ...(twoBranch && options.fullClip ? { fastFrames: options.fullClip.frames, fastResolution: options.fullClip.resolution } : {}),
      ...(options.widthStep === undefined ? {} : { widthStep: options.widthStep }),
    });
    this.labelSmoothing = options.labelSmoothing;
    this.temperature = options.temperature;
  }

  gradients(model: Module, batch: TrainBatch, configs: readonly SubnetConfig[], params: readonly OptimizedParameter[]): StrategyGradients {
    return inplaceDistillGradients(model, batch, configs, params, this.labelSmoothing, this.temperature);
  }

  subnetLabel(index: number): string {
    if (index === 0) return 'max';
    if (this.sampler.includeMin) return index === 1 ? 'min' : `rand${index - 1}`;
    return `rand${index}`;
  }

  dispose(): void {}
}
