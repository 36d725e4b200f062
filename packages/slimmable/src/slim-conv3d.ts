import { type Cost, conv3dPadded, type ForwardContext, leafCost, type Pads3d, Rng } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ChannelPlan, SlimCommonOptions, SlimInputSide, SlimSide } from './channels.js';
import { uniformVariable, zerosVariable } from './init.js';
import { checkPadding, expandTuple, outSize, type Padding } from './padding.js';
import { sliceAxis } from './slice.js';
import { SlimLayer } from './slim-layer.js';

export interface SlimConv3dOptions extends SlimCommonOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  /** [kd, kh, kw] or one number for all three. */
  readonly kernelSize: number | readonly [number, number, number];
  readonly strides?: number | readonly [number, number, number];
  readonly padding?: Padding;
  readonly useBias?: boolean;
  readonly input?: SlimInputSide;
  readonly output?: SlimSide;
  readonly rng?: Rng;
}

/** 3D convolution on NDHWC; kernel [kd, kh, kw, in, out] sliced on axes 3 and 4. */
export class SlimConv3d extends SlimLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly inPlan: ChannelPlan;
  readonly outPlan: ChannelPlan;
  private readonly k: number[];
  private readonly strides: [number, number, number];
  private readonly padding: Padding;

  constructor(name: string, options: SlimConv3dOptions) {
    super(name, options);
    this.inPlan = this.plan('input', options.inChannels, options.input);
    this.outPlan = this.plan('output', options.outChannels, { ...options.output, fixedTail: 0 });
    this.k = expandTuple(name, 'kernelSize', options.kernelSize, 3, 1);
    this.strides = expandTuple(name, 'strides', options.strides ?? 1, 3, 1) as [number, number, number];
    this.padding = checkPadding(name, options.padding ?? 'same', 3);
    const [kd, kh, kw] = this.k as [number, number, number];
    const rng = options.rng ?? new Rng(0);
    this.kernel = this.addVariable(
      'kernel',
      uniformVariable(rng, [kd, kh, kw, this.inPlan.full, this.outPlan.full], kd * kh * kw * this.inPlan.full),
      'conv-weight',
    );
    this.bias = options.useBias ? this.addVariable('bias', zerosVariable([this.outPlan.full]), 'bias') : undefined;
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const width = this.width(ctx);
    this.checkRank(x.shape, 5, 'NDHWC');
    const cin = this.inPlan.check(x.shape[4], width);
    const cout = this.outPlan.active(width);
    const tail = this.inPlan.fixedTail;
    return tf.tidy(() => {
      const w = sliceAxis(sliceAxis(this.kernel, 3, cin - tail, tail, this.inPlan.full), 4, cout, 0, this.outPlan.full);
      // Explicit padding: one AdaptNetConv3D kernel where the backend has it (no padded copy).
      const y =
        this.padding === 'same' || this.padding === 'valid'
          ? tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, this.strides, this.padding)
          : conv3dPadded(
              x as tf.Tensor5D,
              w as tf.Tensor5D,
              this.strides,
              expandTuple(this.name, 'padding', this.padding, 3, 0).map((p) => [p, p]) as unknown as Pads3d,
            );
      return this.bias ? tf.add(y, sliceAxis(this.bias, 0, cout, 0, this.outPlan.full)) : y;
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const width = this.width(ctx);
    this.checkRank(inShape, 5, 'NDHWC');
    const [n, d, h, w, c] = inShape as [number, number, number, number, number];
    const cin = this.inPlan.check(c, width);
    const cout = this.outPlan.active(width);
    const [kd, kh, kw] = this.k as [number, number, number];
    const od = outSize(d, kd, this.strides[0], this.padding, 0);
    const oh = outSize(h, kh, this.strides[1], this.padding, 1);
    const ow = outSize(w, kw, this.strides[2], this.padding, 2);
    const weights = kd * kh * kw * cin * cout;
    return leafCost({
      name: this.name,
      kind: 'conv3d',
      macs: n * od * oh * ow * weights,
      params: weights + (this.bias ? cout : 0),
      outShape: [n, od, oh, ow, cout],
    });
  }
}
