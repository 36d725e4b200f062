import {
  ConfigError,
  ConfigRangeError,
  type Cost,
  type ForwardContext,
  Module,
  type Range,
  type SubnetConfig,
  sequentialCost,
} from '@adaptnet/core';
import { SlimDense } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, NormOptions } from './layers/build-options.js';
import { FeatureResize } from './layers/feature-resize.js';
import { GlobalAvgPool } from './layers/pooling.js';

/** Options every backbone accepts. */
export interface BackboneOptions {
  /** Classifier outputs (never slim). Default 1000. */
  readonly numClasses?: number;
  /** Image channels (never slim). Default 3. */
  readonly inChannels?: number;
  /**
   * `'imagenet'` (default): the published stem and downsampling. `'small'`: for 28–32 px data, a
   * 3×3 stride-1 stem and no early downsampling (see each backbone).
   */
  readonly input?: 'imagenet' | 'small';
  /** Widths the model accepts; channel counts are allocated at `max`. Default [0.25, 1]. */
  readonly widthRange?: Range;
  /** Channel rounding divisor. Default 8. */
  readonly divisor?: number;
  /** Weight-init seed. Default 0. */
  readonly seed?: number;
  /** BatchNorm keying. Default policy `'config'`. */
  readonly norm?: NormOptions;
  /** Keep the classifier (pool + dense). Default true; false makes `forward` return the last stage's features. */
  readonly includeTop?: boolean;
  /**
   * Resizable network (resizable-neural-networks §3.1, A.1): a bilinear resize by
   * `ctx.config.scales[i]` before the first non-stride block of every stage that has one; the BN
   * policy then defaults to `'spatial'` (give `norm.configs`). Default false.
   */
  readonly resizable?: boolean;
}

/** One module of the feature extractor and the stride it applies. */
export interface FeatureStep {
  readonly module: Module;
  readonly stride: number;
}

export interface ResolvedBackboneOptions {
  readonly numClasses: number;
  readonly inChannels: number;
  readonly input: 'imagenet' | 'small';
  readonly includeTop: boolean;
  readonly resizable: boolean;
}

export function resolveBackboneOptions(name: string, options: BackboneOptions): ResolvedBackboneOptions {
  const numClasses = options.numClasses ?? 1000;
  const inChannels = options.inChannels ?? 3;
  const input = options.input ?? 'imagenet';
  if (!Number.isInteger(numClasses) || numClasses <= 0)
    throw new ConfigError(`${name}: numClasses must be a positive integer, got ${numClasses}`);
  if (!Number.isInteger(inChannels) || inChannels <= 0)
    throw new ConfigError(`${name}: inChannels must be a positive integer, got ${inChannels}`);
  if (input !== 'imagenet' && input !== 'small')
    throw new ConfigError(`${name}: input must be 'imagenet' or 'small', got '${String(input)}'`);
  return { numClasses, inChannels, input, includeTop: options.includeTop ?? true, resizable: options.resizable ?? false };
}

/**
 * A classification backbone: features grouped into stages (a new stage starts at every module that
 * downsamples), then a head. `forwardStages` returns the last feature map of every stage (for an
 * FPN), `forward` the logits, `cost` the analytic MACs/params of the same modules.
 */
export abstract class Backbone extends Module {
  readonly inChannels: number;
  readonly widthRange: Range;
  /** Cumulative stride of every stage's output, e.g. [2, 4, 8, 16, 32] (before any resizing). */
  stageStrides: readonly number[] = [];
  /** Resize modules of a resizable backbone, one per entry of `config.scales`; empty otherwise. */
  resizes: readonly FeatureResize[] = [];
  private stages: Module[][] = [];
  private head: Module[] = [];

  constructor(name: string, inChannels: number, widthRange: Range) {
    super(name);
    this.inChannels = inChannels;
    this.widthRange = widthRange;
  }

  /**
   * Called once by the subclass with the modules it registered. `resizable`: a `FeatureResize` goes
   * before the first stride-1 module of every stage (the stem excluded).
   */
  /**
   * The classifier every backbone ends with: global average pool, then a dense layer whose outputs
   * never slim (its input slims unless it follows a full-width head such as MobileNetV2's 1280).
   */
  protected classifierHead(build: BuildContext, inUnits: number, numClasses: number, slimInput = true): Module[] {
    return [
      this.addModule('pool', new GlobalAvgPool(`${this.name}.pool`)),
      this.addModule(
        'fc',
        new SlimDense(`${this.name}.fc`, {
          inUnits,
          outUnits: numClasses,
          ...(slimInput ? {} : { input: { slim: false } }),
          output: { slim: false },
          widthRange: build.widthRange,
          divisor: build.divisor,
          rng: build.rng,
        }),
      ),
    ];
  }

  protected setLayout(features: readonly FeatureStep[], head: readonly Module[], resizable = false): void {
    const stages: Module[][] = [];
    const strides: number[] = [];
    let stride = 1;
    for (const step of features) {
      stride *= step.stride;
      const last = stages[stages.length - 1];
      if (last === undefined || step.stride > 1) {
        stages.push([step.module]);
        strides.push(stride);
      } else {
        last.push(step.module);
      }
    }
    if (resizable) {
      const resizes: FeatureResize[] = [];
      const stem = features[0]?.module;
      stages.forEach((stage) => {
        const at = stage.findIndex((m) => m !== stem && features.find((f) => f.module === m)?.stride === 1);
        if (at < 0) return;
        const r = this.addModule(`resize${resizes.length}`, new FeatureResize(`${this.name}.resize${resizes.length}`, resizes.length));
        stage.splice(at, 0, r);
        resizes.push(r);
      });
      this.resizes = resizes;
    }
    this.stages = stages;
    this.stageStrides = strides;
    this.head = [...head];
  }

  /** The modules `forward` runs, in order: the feature stages (resizes included), then the head. */
  layout(): { readonly stages: readonly (readonly Module[])[]; readonly head: readonly Module[] } {
    return { stages: this.stages, head: this.head };
  }

  /** `[1, r, r, inChannels]`: what `costOf` uses when given no shape. */
  inputShape(config: SubnetConfig): number[] {
    return [1, config.resolution, config.resolution, this.inChannels];
  }

  protected checkWidth(ctx: ForwardContext): void {
    const scales = ctx.config.scales;
    if (scales !== undefined && scales.length !== this.resizes.length) {
      throw new ConfigRangeError(
        this.resizes.length === 0
          ? `${this.name}: scales given, but this backbone is not resizable`
          : `${this.name}: scales has ${scales.length} entries, the model has ${this.resizes.length} resizable stages`,
      );
    }
    const w = ctx.config.width;
    const eps = 1e-9;
    if (!Number.isFinite(w) || w < this.widthRange.min - eps || w > this.widthRange.max + eps) {
      throw new ConfigRangeError(`${this.name}: width ${w} is outside the allowed range: [${this.widthRange.min}, ${this.widthRange.max}]`);
    }
  }

  /** The last feature map of every stage, strides in `stageStrides`. The caller disposes them. */
  forwardStages(x: tf.Tensor, ctx: ForwardContext): tf.Tensor[] {
    this.checkWidth(ctx);
    return tf.tidy(() => {
      const outs: tf.Tensor[] = [];
      let h = x;
      for (const stage of this.stages) {
        for (const m of stage) h = m.forward(h, ctx);
        outs.push(h);
      }
      return outs;
    });
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    this.checkWidth(ctx);
    return tf.tidy(() => {
      let h = x;
      for (const stage of this.stages) for (const m of stage) h = m.forward(h, ctx);
      for (const m of this.head) h = m.forward(h, ctx);
      return h;
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    this.checkWidth(ctx);
    const steps = [...this.stages.flat(), ...this.head].map((m) => (s: readonly number[]) => m.cost(s, ctx));
    return sequentialCost(steps, inShape);
  }

  /** Output shape of every stage, as `forwardStages` would produce them (no tensor math). */
  stageShapes(inShape: readonly number[], ctx: ForwardContext): number[][] {
    this.checkWidth(ctx);
    const shapes: number[][] = [];
    let shape = inShape;
    for (const stage of this.stages) {
      shape = sequentialCost(
        stage.map((m) => (s: readonly number[]) => m.cost(s, ctx)),
        shape,
      ).outShape;
      shapes.push([...shape]);
    }
    return shapes;
  }
}
