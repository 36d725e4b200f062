import { type Cost, type ForwardContext, leafCost, Rng } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ChannelPlan, SlimCommonOptions, SlimSide } from './channels.js';
import { uniformVariable, zerosVariable } from './init.js';
import { checkPadding, conv2dPad, expandTuple, outSize, type Padding } from './padding.js';
import { sliceAxis } from './slice.js';
import { SlimLayer } from './slim-layer.js';

export interface SlimDepthwiseConv2dOptions extends SlimCommonOptions {
  /** Channels (in = out) at the maximum width. */
  readonly channels: number;
  readonly kernelSize: number | readonly [number, number];
  readonly strides?: number | readonly [number, number];
  readonly padding?: Padding;
  readonly useBias?: boolean;
  /** How the channels follow the width (e.g. ratio 6 after an MBv2 expansion). */
  readonly channelsSide?: SlimSide;
  readonly rng?: Rng;
}

/** Depthwise 2D convolution (multiplier 1): kernel [kh, kw, C, 1] sliced on axis 2. */
export class SlimDepthwiseConv2d extends SlimLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly channelPlan: ChannelPlan;
  private readonly k: number[];
  private readonly strides: [number, number];
  private readonly padding: Padding;

  constructor(name: string, options: SlimDepthwiseConv2dOptions) {
    super(name, options);
    this.channelPlan = this.plan('input', options.channels, { ...options.channelsSide, fixedTail: 0 });
    this.k = expandTuple(name, 'kernelSize', options.kernelSize, 2, 1);
    this.strides = expandTuple(name, 'strides', options.strides ?? 1, 2, 1) as [number, number];
    this.padding = checkPadding(name, options.padding ?? 'same', 2);
    const [kh, kw] = this.k as [number, number];
    const rng = options.rng ?? new Rng(0);
    this.kernel = this.addVariable('kernel', uniformVariable(rng, [kh, kw, this.channelPlan.full, 1], kh * kw), 'depthwise-weight');
    this.bias = options.useBias ? this.addVariable('bias', zerosVariable([this.channelPlan.full]), 'bias') : undefined;
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const width = this.width(ctx);
    this.checkRank(x.shape, 4, 'NHWC');
    const c = this.channelPlan.check(x.shape[3], width);
    const full = this.channelPlan.full;
    return tf.tidy(() => {
      const w = sliceAxis(this.kernel, 2, c, 0, full);
      const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, this.strides, conv2dPad(this.padding));
      return this.bias ? tf.add(y, sliceAxis(this.bias, 0, c, 0, full)) : y;
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const width = this.width(ctx);
    this.checkRank(inShape, 4, 'NHWC');
    const [n, h, w, ch] = inShape as [number, number, number, number];
    const c = this.channelPlan.check(ch, width);
    const [kh, kw] = this.k as [number, number];
    const oh = outSize(h, kh, this.strides[0], this.padding, 0);
    const ow = outSize(w, kw, this.strides[1], this.padding, 1);
    return leafCost({
      name: this.name,
      kind: 'depthwise-conv2d',
      macs: n * oh * ow * kh * kw * c,
      params: kh * kw * c + (this.bias ? c : 0),
      outShape: [n, oh, ow, c],
    });
  }
}
