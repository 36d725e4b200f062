import { type Backbone, createBackbone, type NormOptions } from '@adaptnet/backbones';
import { ConfigError, type Cost, type ForwardContext, type LayerCost, Module, type Range, Rng, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { Fpn } from './fpn.js';
import { FcosHead, type LevelOutputs } from './head.js';
import type { LevelShape } from './targets.js';

export const DETECTOR_SPEC_FORMAT = 'adaptnet-detector';
export const DETECTOR_SPEC_VERSION = 1;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Everything needed to rebuild a detector (plain JSON; stored in its checkpoint header's `meta.detector`). */
export interface DetectorSpec {
  readonly format: typeof DETECTOR_SPEC_FORMAT;
  readonly version: typeof DETECTOR_SPEC_VERSION;
  /** A 2D backbone registry name and its constructor options (`includeTop` is forced off). */
  readonly backbone: { readonly architecture: string; readonly options: { readonly [key: string]: Json }; readonly norm: NormOptions };
  readonly numClasses: number;
  /** FPN and head channels (fixed width). Default 64. */
  readonly channels?: number;
  /** Conv + GroupNorm + ReLU blocks per head tower. Default 2. */
  readonly headConvs?: number;
  /** GroupNorm groups. Default 8 (FCOS: 32 groups of 256 channels; the same 8 channels per group at 64). */
  readonly groups?: number;
  /** Backbone stages feeding the FPN: the last `stages` ones. Default 3 (C3–C5). */
  readonly stages?: number;
  /** P6 (and P7) on top of the FPN. Default 1. */
  readonly extraLevels?: number;
  /** Default 0.01. */
  readonly priorProb?: number;
  /** Per-channel mean and std of pixels on [0, 1], applied by the data pipeline. */
  readonly normalize: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** Head-init seed. Default 0. */
  readonly seed?: number;
}

/**
 * A single-stage detector on an adaptive backbone: backbone stages → FPN → shared FCOS head. The
 * backbone runs at `config.width`; the FPN's laterals read that width and everything above them
 * is full width. `forward` returns `[N, P, K + 5]` per point (level order, row-major): K class
 * logits, 4 stride-normalised ltrb distances, 1 centre-ness logit.
 */
export class Detector extends Module {
  readonly spec: DetectorSpec;
  readonly backbone: Backbone;
  readonly fpn: Fpn;
  readonly head: FcosHead;
  readonly numClasses: number;
  readonly widthRange: Range;
  readonly inChannels: number;
  /** Stride of every pyramid level, finest first. */
  readonly strides: readonly number[];
  private readonly firstStage: number;

  constructor(spec: DetectorSpec, backbone?: Backbone) {
    super('detector');
    if (spec.format !== DETECTOR_SPEC_FORMAT || spec.version !== DETECTOR_SPEC_VERSION) {
      throw new ConfigError(
        `detector spec must have format '${DETECTOR_SPEC_FORMAT}' version ${DETECTOR_SPEC_VERSION}, got '${spec.format}' ${spec.version}`,
      );
    }
    this.spec = spec;
    this.backbone = this.addModule(
      'backbone',
      backbone ?? createBackbone(spec.backbone.architecture, { ...spec.backbone.options, norm: spec.backbone.norm, includeTop: false }),
    );
    this.widthRange = this.backbone.widthRange;
    this.inChannels = this.backbone.inChannels;
    this.numClasses = spec.numClasses;
    const channels = spec.channels ?? 64;
    const stages = spec.stages ?? 3;
    const strides = this.backbone.stageStrides;
    if (!Number.isInteger(stages) || stages < 1 || stages > strides.length) {
      throw new ConfigError(`stages must be an integer in 1..${strides.length} (the backbone's stages), got ${stages}`);
    }
    this.firstStage = strides.length - stages;
    const rng = new Rng(spec.seed ?? 0);
    const probe = { config: { width: this.widthRange.max, resolution: 64 }, training: false };
    const full = this.backbone.stageShapes([1, 64, 64, this.inChannels], probe).slice(this.firstStage);
    const divisor = typeof spec.backbone.options.divisor === 'number' ? spec.backbone.options.divisor : 8;
    const extraLevels = spec.extraLevels ?? 1;
    this.fpn = this.addModule(
      'fpn',
      new Fpn('detector.fpn', {
        inChannels: full.map((s) => s[3] as number),
        channels,
        extraLevels,
        widthRange: this.widthRange,
        divisor,
        rng,
      }),
    );
    const used = strides.slice(this.firstStage);
    const last = used[used.length - 1] as number;
    this.strides = [...used, ...Array.from({ length: extraLevels }, (_, i) => last * 2 ** (i + 1))];
    this.head = this.addModule(
      'head',
      new FcosHead('detector.head', {
        channels,
        numClasses: spec.numClasses,
        convs: spec.headConvs ?? 2,
        groups: spec.groups ?? 8,
        levels: this.strides.length,
        priorProb: spec.priorProb ?? 0.01,
        widthRange: this.widthRange,
        rng,
      }),
    );
  }

  private checkInput(shape: readonly number[]): void {
    if (shape.length !== 4 || shape[3] !== this.inChannels) {
      throw new ShapeError(
        `detector: input must be [N, H, W, ${this.inChannels}] (NHWC, ${this.inChannels} channel(s)), got [${shape.join(', ')}]`,
      );
    }
  }

  /** The head's outputs per level, finest first. The caller disposes them. */
  forwardLevels(x: tf.Tensor, ctx: ForwardContext): LevelOutputs[] {
    this.checkInput(x.shape);
    const flat = tf.tidy(() => {
      const stages = this.backbone.forwardStages(x, ctx).slice(this.firstStage);
      const levels = this.fpn.forwardLevels(stages, ctx);
      return levels.flatMap((p, i) => {
        const o = this.head.forwardLevel(p, i, ctx);
        return [o.cls, o.ltrb, o.centerness];
      });
    });
    return Array.from({ length: flat.length / 3 }, (_, i) => ({
      cls: flat[3 * i] as tf.Tensor4D,
      ltrb: flat[3 * i + 1] as tf.Tensor4D,
      centerness: flat[3 * i + 2] as tf.Tensor4D,
    }));
  }

  /** `[N, P, K + 5]`: every level's outputs flattened and concatenated. */
  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    this.checkInput(x.shape);
    return tf.tidy(() => {
      const levels = this.forwardLevels(x, ctx);
      const n = x.shape[0] as number;
      return tf.concat(
        levels.map((l) => tf.reshape(tf.concat([l.cls, l.ltrb, l.centerness], 3), [n, -1, this.numClasses + 5])),
        1,
      );
    });
  }

  /** Stride and feature size of every level for an input of `inShape` (no tensor math). */
  levelShapes(inShape: readonly number[], ctx: ForwardContext): LevelShape[] {
    this.checkInput(inShape);
    const stages = this.backbone.stageShapes(inShape, ctx).slice(this.firstStage);
    const { shapes } = this.fpn.levelCosts(stages, ctx);
    return shapes.map((s, i) => ({ stride: this.strides[i] as number, height: s[1] as number, width: s[2] as number }));
  }

  /** MACs and parameters of the whole detector (backbone, FPN, head on every level) at `inShape`. */
  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    this.checkInput(inShape);
    const backbone = this.backbone.cost(inShape, ctx);
    const stages = this.backbone.stageShapes(inShape, ctx).slice(this.firstStage);
    const fpn = this.fpn.levelCosts(stages, ctx);
    // The head's weights are shared by the levels: its rows carry parameters on the first level only
    // (and one row holds the per-level scales), so the rows sum to the totals (`@adaptnet/flops`' costOf checks this).
    const head: LayerCost[] = fpn.shapes.flatMap((s, level) =>
      this.head.levelCost(s, ctx).map((l) => (level === 0 ? l : { ...l, params: 0 })),
    );
    const scales: LayerCost = {
      name: `${this.head.name}.scales`,
      kind: 'scale',
      macs: 0,
      params: this.head.scales.length,
      outShape: [this.head.scales.length],
    };
    const layers = [...backbone.layers, ...fpn.layers, ...head, scales];
    // The head's weights are shared by the levels: count its parameters once.
    const headParams = this.head.levelCost(fpn.shapes[0] as number[], ctx).reduce((a, l) => a + l.params, 0) + this.head.scales.length;
    const n = inShape[0] as number;
    const points = fpn.shapes.reduce((a, s) => a + (s[1] as number) * (s[2] as number), 0);
    return {
      macs: layers.reduce((a, l) => a + l.macs, 0),
      params: backbone.params + fpn.layers.reduce((a, l) => a + l.params, 0) + headParams,
      outShape: [n, points, this.numClasses + 5],
      layers,
    };
  }
}

/** What a detector adds to a classification backbone's spec. */
export interface DetectorSpecOptions extends Omit<DetectorSpec, 'format' | 'version' | 'backbone'> {
  /** Override the backbone's stem (`'imagenet'`: stride 2). Weights transfer only where the stem's shapes agree (MobileNets: yes; ResNet, ShuffleNet: no). Default: the classifier's. */
  readonly input?: 'imagenet' | 'small';
}

/**
 * A detector spec on the backbone a classification checkpoint describes (its `ModelSpec`: registry
 * name, options, BN keying), so that `initBackboneFrom` can copy the classifier's weights.
 */
export function detectorSpecFor(
  classifier: { readonly architecture: string; readonly options: { readonly [key: string]: unknown }; readonly norm: NormOptions },
  options: DetectorSpecOptions,
): DetectorSpec {
  const { input, ...rest } = options;
  const backboneOptions = JSON.parse(JSON.stringify({ ...classifier.options, ...(input === undefined ? {} : { input }) })) as {
    [key: string]: Json;
  };
  return {
    format: DETECTOR_SPEC_FORMAT,
    version: DETECTOR_SPEC_VERSION,
    backbone: {
      architecture: classifier.architecture,
      options: backboneOptions,
      norm: JSON.parse(JSON.stringify(classifier.norm)) as NormOptions,
    },
    ...rest,
  };
}
