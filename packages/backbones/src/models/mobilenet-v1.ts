import { ConfigError, type Cost, type ForwardContext, Module, sequentialCost } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, type BackboneOptions, type FeatureStep, resolveBackboneOptions } from '../backbone.js';
import type { Activation } from '../layers/activation.js';
import { type BuildContext, buildContext } from '../layers/build-options.js';
import { ConvBnAct } from '../layers/conv-bn-act.js';

/** A depthwise-separable block: output channels (at width 1) and stride. */
export type SeparableBlockSpec = readonly [channels: number, stride: number];

/** The 13 blocks of MobileNetV1 (Howard et al. 2017, Table 1). */
export const MOBILENET_V1_BLOCKS: readonly SeparableBlockSpec[] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

/**
 * The six blocks of the small-input MobileNetV1 the classification app trains on Fashion-MNIST
 * (docs/reference-recipe.md): 64, 128 (s2), 128, 256 (s2), 256, 512 (s2). Use with `input: 'small'`.
 */
export const MOBILENET_V1_FASHION_MNIST_BLOCKS: readonly SeparableBlockSpec[] = MOBILENET_V1_BLOCKS.slice(0, 6);

export interface MobileNetV1Options extends BackboneOptions {
  /** Default `MOBILENET_V1_BLOCKS`. */
  readonly blocks?: readonly SeparableBlockSpec[];
  /** Stem output channels at width 1. Default 32. */
  readonly stemChannels?: number;
  /** Default 'relu6'. */
  readonly activation?: Activation;
}

/** Depthwise 3×3 conv-BN-act then pointwise 1×1 conv-BN-act. */
export class DepthwiseSeparableBlock extends Module {
  readonly dw: ConvBnAct;
  readonly pw: ConvBnAct;

  constructor(name: string, build: BuildContext, inChannels: number, outChannels: number, stride: number, activation: Activation) {
    super(name);
    this.dw = this.addModule(
      'dw',
      new ConvBnAct(`${name}.dw`, build, {
        inChannels,
        outChannels: inChannels,
        kernelSize: 3,
        strides: stride,
        depthwise: true,
        activation,
      }),
    );
    this.pw = this.addModule('pw', new ConvBnAct(`${name}.pw`, build, { inChannels, outChannels, kernelSize: 1, activation }));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => this.pw.forward(this.dw.forward(x, ctx), ctx));
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return sequentialCost([(s) => this.dw.cost(s, ctx), (s) => this.pw.cost(s, ctx)], inShape);
  }
}

/**
 * MobileNetV1, every layer slimmable; the image input and the classifier's outputs never slim.
 * ImageNet stem: 3×3 stride-2 conv; `input: 'small'`: 3×3 stride-1 conv (blocks unchanged).
 */
export class MobileNetV1 extends Backbone {
  constructor(options: MobileNetV1Options = {}, name = 'mobilenet_v1') {
    const o = resolveBackboneOptions(name, options);
    const build = buildContext(name, options);
    super(name, o.inChannels, build.widthRange);
    const blocks = options.blocks ?? MOBILENET_V1_BLOCKS;
    if (blocks.length === 0) throw new ConfigError(`${name}: blocks is empty`);
    for (const [c, s] of blocks) {
      if (!Number.isInteger(c) || c <= 0 || !Number.isInteger(s) || s < 1) {
        throw new ConfigError(`${name}: each block must be [channels > 0, stride >= 1] integers, got [${c}, ${s}]`);
      }
    }
    const activation = options.activation ?? 'relu6';
    const stemChannels = options.stemChannels ?? 32;
    const stemStride = o.input === 'small' ? 1 : 2;
    const features: FeatureStep[] = [];
    const stem = this.addModule(
      'stem',
      new ConvBnAct(`${name}.stem`, build, {
        inChannels: o.inChannels,
        outChannels: stemChannels,
        kernelSize: 3,
        strides: stemStride,
        input: { slim: false },
        activation,
      }),
    );
    features.push({ module: stem, stride: stemStride });
    let ch = stemChannels;
    blocks.forEach(([c, s], i) => {
      const block = this.addModule(`block${i + 1}`, new DepthwiseSeparableBlock(`${name}.block${i + 1}`, build, ch, c, s, activation));
      features.push({ module: block, stride: s });
      ch = c;
    });
    const head: Module[] = o.includeTop ? this.classifierHead(build, ch, o.numClasses) : [];
    this.setLayout(features, head, o.resizable);
  }
}
