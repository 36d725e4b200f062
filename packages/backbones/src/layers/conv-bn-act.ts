import { type Cost, type ForwardContext, Module, sequentialCost } from '@adaptnet/core';
import type { SwitchableBatchNorm } from '@adaptnet/norm';
import { SlimConv2d, SlimDepthwiseConv2d, type SlimInputSide, type SlimSide } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';
import { type Activation, activate } from './activation.js';
import { newBatchNorm } from './batch-norm.js';
import type { BuildContext } from './build-options.js';

export interface ConvBnActOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  /** Default 1. */
  readonly strides?: number;
  /** Depthwise (in = out = `outChannels`, multiplier 1); `output` then describes its channels. */
  readonly depthwise?: boolean;
  readonly input?: SlimInputSide;
  readonly output?: SlimSide;
  readonly activation: Activation;
}

/**
 * Convolution (explicit symmetric padding ⌊k/2⌋, PyTorch style, no bias) → SwitchableBatchNorm →
 * activation. Explicit padding keeps the published shapes (TF 'same' is asymmetric at stride 2).
 */
export class ConvBnAct extends Module {
  readonly conv: SlimConv2d | SlimDepthwiseConv2d;
  readonly bn: SwitchableBatchNorm;
  readonly activation: Activation;
  readonly kernelSize: number;
  /** Padding is ⌊kernelSize/2⌋ on every side. */
  readonly strides: number;

  constructor(name: string, build: BuildContext, options: ConvBnActOptions) {
    super(name);
    const common = {
      kernelSize: options.kernelSize,
      strides: options.strides ?? 1,
      padding: Math.floor(options.kernelSize / 2),
      widthRange: build.widthRange,
      divisor: build.divisor,
      rng: build.rng,
    };
    this.conv = this.addModule(
      'conv',
      options.depthwise
        ? new SlimDepthwiseConv2d(`${name}.conv`, { ...common, channels: options.outChannels, channelsSide: options.output ?? {} })
        : new SlimConv2d(`${name}.conv`, {
            ...common,
            inChannels: options.inChannels,
            outChannels: options.outChannels,
            input: options.input ?? {},
            output: options.output ?? {},
          }),
    );
    this.bn = this.addModule('bn', newBatchNorm(`${name}.bn`, build, options.outChannels));
    this.activation = options.activation;
    this.kernelSize = options.kernelSize;
    this.strides = options.strides ?? 1;
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => activate(this.bn.forward(this.conv.forward(x, ctx), ctx), this.activation));
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return sequentialCost([(s) => this.conv.cost(s, ctx), (s) => this.bn.cost(s, ctx)], inShape);
  }
}
