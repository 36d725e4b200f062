import { type Cost, type ForwardContext, leafCost, Rng } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ChannelPlan, SlimCommonOptions, SlimInputSide, SlimSide } from './channels.js';
import { uniformVariable, zerosVariable } from './init.js';
import { checkPadding, conv2dPad, expandTuple, outSize, type Padding } from './padding.js';
import { sliceAxis } from './slice.js';
import { SlimLayer } from './slim-layer.js';

export interface SlimConv2dOptions extends SlimCommonOptions {
  /** Input channels at the maximum width (the fixed tail included). */
  readonly inChannels: number;
  /** Output channels at the maximum width. */
  readonly outChannels: number;
  readonly kernelSize: number | readonly [number, number];
  /** Default 1. */
  readonly strides?: number | readonly [number, number];
  /** Default 'same'. */
  readonly padding?: Padding;
  /** Default false (a BN follows). */
  readonly useBias?: boolean;
  readonly input?: SlimInputSide;
  readonly output?: SlimSide;
  /** Weight init stream. Default `new Rng(0)`. */
  readonly rng?: Rng;
}

/** 2D convolution whose kernel [kh, kw, in, out] is held at the maximum width and sliced on axes 2 and 3. */
export class SlimConv2d extends SlimLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly inPlan: ChannelPlan;
  readonly outPlan: ChannelPlan;
  private readonly k: number[];
  private readonly strides: [number, number];
  private readonly padding: Padding;

  constructor(name: string, options: SlimConv2dOptions) {
    super(name, options);
    this.inPlan = this.plan('input', options.inChannels, options.input);
    this.outPlan = this.plan('output', options.outChannels, { ...options.output, fixedTail: 0 });
    this.k = expandTuple(name, 'kernelSize', options.kernelSize, 2, 1);
    this.strides = expandTuple(name, 'strides', options.strides ?? 1, 2, 1) as [number, number];
    this.padding = checkPadding(name, options.padding ?? 'same', 2);
    const [kh, kw] = this.k as [number, number];
    const rng = options.rng ?? new Rng(0);
    this.kernel = this.addVariable(
      'kernel',
      uniformVariable(rng, [kh, kw, this.inPlan.full, this.outPlan.full], kh * kw * this.inPlan.full),
      'conv-weight',
    );
    this.bias = options.useBias ? this.addVariable('bias', zerosVariable([this.outPlan.full]), 'bias') : undefined;
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const width = this.width(ctx);
    this.checkRank(x.shape, 4, 'NHWC');
    const cin = this.inPlan.check(x.shape[3], width);
    const cout = this.outPlan.active(width);
    const tail = this.inPlan.fixedTail;
    return tf.tidy(() => {
      const w = sliceAxis(sliceAxis(this.kernel, 2, cin - tail, tail, this.inPlan.full), 3, cout, 0, this.outPlan.full);
      const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, this.strides, conv2dPad(this.padding));
      return this.bias ? tf.add(y, sliceAxis(this.bias, 0, cout, 0, this.outPlan.full)) : y;
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const width = this.width(ctx);
    this.checkRank(inShape, 4, 'NHWC');
    const [n, h, w, c] = inShape as [number, number, number, number];
    const cin = this.inPlan.check(c, width);
    const cout = this.outPlan.active(width);
    const [kh, kw] = this.k as [number, number];
    const oh = outSize(h, kh, this.strides[0], this.padding, 0);
    const ow = outSize(w, kw, this.strides[1], this.padding, 1);
    const weights = kh * kw * cin * cout;
    return leafCost({
      name: this.name,
      kind: 'conv2d',
      macs: n * oh * ow * weights,
      params: weights + (this.bias ? cout : 0),
      outShape: [n, oh, ow, cout],
    });
  }
}
