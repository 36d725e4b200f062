import {
  ConfigError,
  type ConfigSpace,
  type Cost,
  type ForwardContext,
  type Module,
  ShapeError,
  type SubnetConfig,
  sequentialCost,
} from '@adaptnet/core';
import { SlimDense } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';
import { Sequential } from '../layers/sequential.js';
import { Bottleneck3d } from './blocks.js';
import { AdaptiveFusion, resampleClip } from './fusion.js';
import { ConvBnAct3d, GlobalAvgPool3d, SpatialMaxPool3d } from './layers.js';
import { checkBlocks, SLOW_TEMPORAL_KERNELS } from './slow.js';
import { resolveVideoOptions, VIDEO_WIDTH_RANGE, VideoBackbone, type VideoBackboneOptions } from './video-backbone.js';

export interface SlowFastOptions extends VideoBackboneOptions {
  /** Frame-rate ratio α (Fast frames = α · Slow frames). Default 8. */
  readonly alpha?: number;
  /** 1/β: the Fast pathway has 1/β fewer channels. Default 8. */
  readonly betaInv?: number;
  /** Temporal kernel of the fusion's lateral conv. Default 5 (SlowFast 4×16). */
  readonly fusionKernel?: number;
  /** Bottlenecks per stage res2..res5. Default [3, 4, 6, 3]. */
  readonly blocks?: readonly [number, number, number, number];
  /** Slow-pathway inner channels of res2. Default 64. */
  readonly baseWidth?: number;
}

/**
 * MutualNet SlowFast-4×16 ranges: γs → {142, 178, 224} as for Slow; γt ∈ {0.4, 0.63, 1} of the
 * Slow pathway's 4 frames → {2, 3, 4} (the {3, 5, 8} of TPAMI §6.5 are Slow-8×8's 8 frames).
 */
export const SLOWFAST_CONFIG_SPACE: ConfigSpace = { width: VIDEO_WIDTH_RANGE, resolutions: [142, 178, 224], frames: [2, 3, 4] };
/** The same ratios for 64-px clips (`input: 'small'`). */
export const SLOWFAST_SMALL_CONFIG_SPACE: ConfigSpace = { width: VIDEO_WIDTH_RANGE, resolutions: [40, 52, 64], frames: [2, 3, 4] };

/** Slow-pathway input frames: ⌊linspace(0, T−1, t)⌋, as PySlowFast's `pack_pathway_output`. */
export function slowFrameIndices(t: number, out: number): number[] {
  if (out === 1) return [0];
  return Array.from({ length: out }, (_, i) => Math.floor((i * (t - 1)) / (out - 1) + 1e-9));
}

interface Pathway {
  readonly stem: Module;
  readonly stages: readonly (readonly Bottleneck3d[])[];
}

/**
 * SlowFast R50 (Feichtenhofer et al. 2019) with MutualNet's adaptive fusion. The input is the full
 * clip `[N, α·T, H, W, C]` (the Fast pathway's input, always at full width, space and time); the
 * Slow pathway's input is sampled from it: `config.frames` frames (⌊linspace⌋) resized bilinearly
 * to `config.resolution`, and only the Slow pathway slims with `config.width`. Fusion after the
 * stem and res2–res4 (`AdaptiveFusion`); the head averages both pathways and classifies
 * [γw·2048 Slow ++ 256 Fast] features (the Fast part a fixed tail).
 * `input: 'small'`: 1×3×3 / 3×3×3 stride-2 stems (Slow / Fast), no max pool.
 */
export class SlowFast extends VideoBackbone {
  readonly alpha: number;
  readonly betaInv: number;
  readonly fusions: readonly AdaptiveFusion[];
  private readonly slow: Pathway;
  private readonly fast: Pathway;
  private readonly headModules: readonly [GlobalAvgPool3d, GlobalAvgPool3d, SlimDense] | undefined;

  constructor(options: SlowFastOptions = {}, name = 'slowfast') {
    const small = options.input === 'small';
    const { o, build, space } = resolveVideoOptions(name, options, small ? SLOWFAST_SMALL_CONFIG_SPACE : SLOWFAST_CONFIG_SPACE);
    super(name, o.inChannels, build.widthRange, space);
    const alpha = options.alpha ?? 8;
    const betaInv = options.betaInv ?? 8;
    const fusionKernel = options.fusionKernel ?? 5;
    const blocks = options.blocks ?? [3, 4, 6, 3];
    const base = options.baseWidth ?? 64;
    checkBlocks(name, blocks, base);
    for (const [what, v] of [
      ['alpha', alpha],
      ['betaInv', betaInv],
      ['fusionKernel', fusionKernel],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ConfigError(`${name}: ${what} must be a positive integer, got ${v}`);
    }
    if (base % betaInv !== 0) throw new ConfigError(`${name}: baseWidth ${base} must be a multiple of betaInv ${betaInv}`);
    this.alpha = alpha;
    this.betaInv = betaInv;

    const stem = (path: 'slow' | 'fast', out: number, kt: number): Module => {
      const conv = new ConvBnAct3d(`${name}.${path}.stem.conv`, build, {
        inChannels: o.inChannels,
        outChannels: out,
        kernel: small ? [kt, 3, 3] : [kt, 7, 7],
        strides: [1, 2, 2],
        input: { slim: false },
        ...(path === 'fast' ? { output: { slim: false } } : {}),
        activation: 'relu',
      });
      const steps: [string, Module][] = [['conv', conv]];
      if (!small) steps.push(['pool', new SpatialMaxPool3d(`${name}.${path}.stem.pool`, 3, 2, 1)]);
      return this.addModule(`${path}_stem`, new Sequential(`${name}.${path}.stem`, steps));
    };
    const fastBase = base / betaInv;
    const slowStem = stem('slow', base, 1);
    const fastStem = stem('fast', fastBase, small ? 3 : 5);
    const fusions: AdaptiveFusion[] = [];
    const fuse = (i: number, fastChannels: number) => {
      const f = new AdaptiveFusion(`${name}.fuse${i}`, build, { fastChannels, alpha, kernel: fusionKernel });
      fusions.push(this.addModule(`fuse${i}`, f));
      return f.outChannels;
    };
    let tail = fuse(0, fastBase);
    let slowCh = base;
    let fastCh = fastBase;
    const slowStages: Bottleneck3d[][] = [];
    const fastStages: Bottleneck3d[][] = [];
    blocks.forEach((count, stage) => {
      const inner = base * 2 ** stage;
      const slowBlocks: Bottleneck3d[] = [];
      const fastBlocks: Bottleneck3d[] = [];
      for (let i = 0; i < count; i++) {
        const stride = i === 0 && stage > 0 ? 2 : 1;
        const local = `res${stage + 2}_${i}`;
        const first = i === 0;
        slowBlocks.push(
          this.addModule(
            `slow_${local}`,
            new Bottleneck3d(`${name}.slow.${local}`, build, {
              inChannels: slowCh + (first ? tail : 0),
              innerChannels: inner,
              outChannels: inner * 4,
              temporalKernel: SLOW_TEMPORAL_KERNELS[stage] as number,
              stride,
              ...(first ? { input: { fixedTail: tail } } : {}),
            }),
          ),
        );
        fastBlocks.push(
          this.addModule(
            `fast_${local}`,
            new Bottleneck3d(`${name}.fast.${local}`, build, {
              inChannels: fastCh,
              innerChannels: inner / betaInv,
              outChannels: (inner * 4) / betaInv,
              temporalKernel: 3,
              stride,
              fixedWidth: true,
            }),
          ),
        );
        slowCh = inner * 4;
        fastCh = (inner * 4) / betaInv;
      }
      slowStages.push(slowBlocks);
      fastStages.push(fastBlocks);
      if (stage < blocks.length - 1) tail = fuse(stage + 1, fastCh);
    });
    this.slow = { stem: slowStem, stages: slowStages };
    this.fast = { stem: fastStem, stages: fastStages };
    this.fusions = fusions;
    this.stageStrides = small ? [2, 4, 8, 16] : [4, 8, 16, 32];
    if (o.includeTop) {
      const slowPool = this.addModule('slow_pool', new GlobalAvgPool3d(`${name}.slow.pool`));
      const fastPool = this.addModule('fast_pool', new GlobalAvgPool3d(`${name}.fast.pool`));
      const fc = this.addModule(
        'fc',
        new SlimDense(`${name}.fc`, {
          inUnits: slowCh + fastCh,
          outUnits: o.numClasses,
          input: { fixedTail: fastCh },
          output: { slim: false },
          widthRange: build.widthRange,
          divisor: build.divisor,
          rng: build.rng,
        }),
      );
      this.headModules = [slowPool, fastPool, fc];
    } else {
      this.headModules = undefined;
    }
  }

  /** The full clip: α × the largest frame count, at the largest resolution of `configSpace` (or `config.resolution` if larger). */
  override inputShape(config: SubnetConfig): number[] {
    this.framesOf(config);
    const frames = this.configSpace.frames;
    const maxFrames = Array.isArray(frames) ? Math.max(...frames) : (frames as { max: number }).max;
    const res = this.configSpace.resolutions;
    const maxRes = Array.isArray(res) ? Math.max(...res) : (res as { max: number }).max;
    const side = Math.max(maxRes, config.resolution);
    return [1, this.alpha * Math.max(maxFrames, config.frames as number), side, side, this.inChannels];
  }

  /** Shape of the Slow pathway's input at this configuration. */
  slowInputShape(inShape: readonly number[], ctx: ForwardContext): number[] {
    if (inShape.length !== 5) throw new ShapeError(`${this.name}: input must be rank 5 (NTHWC), got shape [${inShape.join(', ')}]`);
    const [n, t, , , c] = inShape as [number, number, number, number, number];
    const frames = this.framesOf(ctx.config);
    if (frames > t) throw new ShapeError(`${this.name}: config.frames ${frames} exceeds the clip's ${t} frames`);
    return [n, frames, ctx.config.resolution, ctx.config.resolution, c];
  }

  /** The Slow pathway's input: `config.frames` frames of the clip, resized to `config.resolution`. */
  slowInput(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const [, t, h, w] = this.slowInputShape(x.shape, ctx) as [number, number, number, number, number];
    return tf.tidy(() => {
      const frames = tf.gather(x, tf.tensor1d(slowFrameIndices(x.shape[1] as number, t), 'int32'), 1);
      return resampleClip(frames, t, h, w);
    });
  }

  private run(x: tf.Tensor, ctx: ForwardContext, collect: boolean): { slow: tf.Tensor; fast: tf.Tensor; stages: tf.Tensor[] } {
    this.checkWidth(ctx);
    let s = this.slow.stem.forward(this.slowInput(x, ctx), ctx);
    let f = this.fast.stem.forward(x, ctx);
    const stages: tf.Tensor[] = [];
    this.slow.stages.forEach((slowBlocks, i) => {
      s = (this.fusions[i] as AdaptiveFusion).fuse(s, f, ctx);
      for (const b of slowBlocks) s = b.forward(s, ctx);
      for (const b of this.fast.stages[i] as Bottleneck3d[]) f = b.forward(f, ctx);
      if (collect) stages.push(s);
    });
    return { slow: s, fast: f, stages };
  }

  override forwardStages(x: tf.Tensor, ctx: ForwardContext): tf.Tensor[] {
    return tf.tidy(() => this.run(x, ctx, true).stages);
  }

  override forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => {
      const { slow, fast } = this.run(x, ctx, false);
      if (!this.headModules) return slow;
      const [slowPool, fastPool, fc] = this.headModules;
      return fc.forward(tf.concat([slowPool.forward(slow, ctx), fastPool.forward(fast, ctx)], 1), ctx);
    });
  }

  private walkCost(inShape: readonly number[], ctx: ForwardContext): { cost: Cost; slow: number[][]; fast: readonly number[] } {
    this.checkWidth(ctx);
    const parts: Cost[] = [];
    const add = (c: Cost): readonly number[] => {
      parts.push(c);
      return c.outShape;
    };
    let s = add(this.slow.stem.cost(this.slowInputShape(inShape, ctx), ctx));
    let f = add(this.fast.stem.cost(inShape, ctx));
    const slowShapes: number[][] = [];
    this.slow.stages.forEach((slowBlocks, i) => {
      s = add((this.fusions[i] as AdaptiveFusion).fuseCost(s, f, ctx));
      for (const b of slowBlocks) s = add(b.cost(s, ctx));
      for (const b of this.fast.stages[i] as Bottleneck3d[]) f = add(b.cost(f, ctx));
      slowShapes.push([...s]);
    });
    if (this.headModules) {
      const [slowPool, fastPool, fc] = this.headModules;
      const ps = add(slowPool.cost(s, ctx));
      const pf = add(fastPool.cost(f, ctx));
      add(fc.cost([ps[0] as number, (ps[1] as number) + (pf[1] as number)], ctx));
    }
    const cost = sequentialCost(
      parts.map((c) => () => c),
      inShape,
    );
    return { cost, slow: slowShapes, fast: f };
  }

  override cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return this.walkCost(inShape, ctx).cost;
  }

  /** The Slow pathway's output of every stage (before the next fusion), as `forwardStages` returns. */
  override stageShapes(inShape: readonly number[], ctx: ForwardContext): number[][] {
    return this.walkCost(inShape, ctx).slow;
  }
}
