import { type Cost, depthwiseConv3d, type ForwardContext, leafCost, type Pads3d, Rng, samePads3d } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ChannelPlan, SlimCommonOptions, SlimSide } from './channels.js';
import { uniformVariable, zerosVariable } from './init.js';
import { checkPadding, expandTuple, outSize, type Padding } from './padding.js';
import { sliceAxis } from './slice.js';
import { SlimLayer } from './slim-layer.js';

export interface SlimDepthwiseConv3dOptions extends SlimCommonOptions {
  /** Channels (in = out) at the maximum width. */
  readonly channels: number;
  readonly kernelSize: number | readonly [number, number, number];
  readonly strides?: number | readonly [number, number, number];
  readonly padding?: Padding;
  readonly useBias?: boolean;
  readonly channelsSide?: SlimSide;
  readonly rng?: Rng;
}

/**
 * Channel-wise (depthwise) 3D convolution for X3D, through core's `depthwiseConv3d` (one oneDNN
 * grouped convolution on `native`; elsewhere kd depthwise 2D passes, since tfjs `conv3d` has no
 * groups). Kernel [kd, kh, kw, C, 1], sliced on axis 3.
 */
export class SlimDepthwiseConv3d extends SlimLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly channelPlan: ChannelPlan;
  private readonly k: number[];
  private readonly strides: [number, number, number];
  private readonly padding: Padding;

  constructor(name: string, options: SlimDepthwiseConv3dOptions) {
    super(name, options);
    this.channelPlan = this.plan('input', options.channels, { ...options.channelsSide, fixedTail: 0 });
    this.k = expandTuple(name, 'kernelSize', options.kernelSize, 3, 1);
    this.strides = expandTuple(name, 'strides', options.strides ?? 1, 3, 1) as [number, number, number];
    this.padding = checkPadding(name, options.padding ?? 'same', 3);
    const [kd, kh, kw] = this.k as [number, number, number];
    const rng = options.rng ?? new Rng(0);
    this.kernel = this.addVariable(
      'kernel',
      uniformVariable(rng, [kd, kh, kw, this.channelPlan.full, 1], kd * kh * kw),
      'depthwise-weight',
    );
    this.bias = options.useBias ? this.addVariable('bias', zerosVariable([this.channelPlan.full]), 'bias') : undefined;
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const width = this.width(ctx);
    this.checkRank(x.shape, 5, 'NDHWC');
    const c = this.channelPlan.check(x.shape[4], width);
    const full = this.channelPlan.full;
    const spatial = x.shape.slice(1, 4) as number[];
    return tf.tidy(() => {
      let pads: Pads3d;
      if (this.padding === 'same') {
        pads = spatial.map((n, i) => samePads3d(n, this.k[i] as number, this.strides[i] as number)) as unknown as Pads3d;
      } else {
        const p = this.padding === 'valid' ? [0, 0, 0] : expandTuple(this.name, 'padding', this.padding, 3, 0);
        pads = p.map((v): [number, number] => [v, v]) as unknown as Pads3d;
      }
      const kernel = sliceAxis(this.kernel, 3, c, 0, full);
      const y = depthwiseConv3d(x as tf.Tensor5D, kernel as tf.Tensor5D, this.strides, pads);
      return this.bias ? tf.add(y, sliceAxis(this.bias, 0, c, 0, full)) : y;
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const width = this.width(ctx);
    this.checkRank(inShape, 5, 'NDHWC');
    const [n, d, h, w, ch] = inShape as [number, number, number, number, number];
    const c = this.channelPlan.check(ch, width);
    const [kd, kh, kw] = this.k as [number, number, number];
    const od = outSize(d, kd, this.strides[0], this.padding, 0);
    const oh = outSize(h, kh, this.strides[1], this.padding, 1);
    const ow = outSize(w, kw, this.strides[2], this.padding, 2);
    return leafCost({
      name: this.name,
      kind: 'depthwise-conv3d',
      macs: n * od * oh * ow * kd * kh * kw * c,
      params: kd * kh * kw * c + (this.bias ? c : 0),
      outShape: [n, od, oh, ow, c],
    });
  }
}
