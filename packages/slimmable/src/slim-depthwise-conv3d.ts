import { type Cost, type ForwardContext, leafCost, Rng } from '@adaptnet/core';
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

/** TF 'same' padding of one axis: [before, after]. */
function samePads(inSize: number, k: number, stride: number): [number, number] {
  const total = Math.max(0, (Math.ceil(inSize / stride) - 1) * stride + k - inSize);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Channel-wise (depthwise) 3D convolution for X3D. tfjs `conv3d` has no groups, so it is built as a
 * sum over the kd temporal taps of depthwise 2D convolutions on the frames each tap reads
 * (frames folded into the batch): kd depthwise passes instead of a dense C×C kernel.
 * Kernel [kd, kh, kw, C, 1], sliced on axis 3.
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
    const [n, d] = x.shape as [number, number, number, number, number];
    const [kd, kh, kw] = this.k as [number, number, number];
    const [sd, sh, sw] = this.strides;
    return tf.tidy(() => {
      // Pad depth (and, when explicit, height/width) here; TF 'same' on height/width is left to depthwiseConv2d.
      let pads: [number, number][];
      let spatialMode: 'same' | 'valid';
      if (this.padding === 'same') {
        pads = [samePads(d, kd, sd), [0, 0], [0, 0]];
        spatialMode = 'same';
      } else {
        const p = this.padding === 'valid' ? [0, 0, 0] : expandTuple(this.name, 'padding', this.padding, 3, 0);
        pads = p.map((v): [number, number] => [v, v]);
        spatialMode = 'valid';
      }
      const padded = pads.some(([a, b]) => a > 0 || b > 0) ? tf.pad(x, [[0, 0], ...pads, [0, 0]]) : x;
      const [, dp, hp, wp] = padded.shape as [number, number, number, number, number];
      const od = Math.floor((dp - kd) / sd) + 1;
      const kernel = sliceAxis(this.kernel, 3, c, 0, full);
      const taps: tf.Tensor[] = [];
      for (let a = 0; a < kd; a++) {
        const frames =
          sd === 1
            ? tf.slice(padded, [0, a, 0, 0, 0], [n, od, hp, wp, c])
            : tf.stridedSlice(padded, [0, a, 0, 0, 0], [n, a + sd * (od - 1) + 1, hp, wp, c], [1, sd, 1, 1, 1]);
        const tapKernel = tf.reshape(tf.slice(kernel, [a, 0, 0, 0, 0], [1, kh, kw, c, 1]), [kh, kw, c, 1]);
        taps.push(
          tf.depthwiseConv2d(tf.reshape(frames, [n * od, hp, wp, c]) as tf.Tensor4D, tapKernel as tf.Tensor4D, [sh, sw], spatialMode),
        );
      }
      const sum = taps.length === 1 ? (taps[0] as tf.Tensor) : tf.addN(taps);
      const [, oh, ow] = sum.shape as [number, number, number, number];
      const y = tf.reshape(sum, [n, od, oh, ow, c]);
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
