import { type Cost, type ForwardContext, leafCost, Rng } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ChannelPlan, SlimCommonOptions, SlimInputSide, SlimSide } from './channels.js';
import { uniformVariable } from './init.js';
import { sliceAxis } from './slice.js';
import { SlimLayer } from './slim-layer.js';

export interface SlimDenseOptions extends SlimCommonOptions {
  readonly inUnits: number;
  readonly outUnits: number;
  /** Default true. */
  readonly useBias?: boolean;
  readonly input?: SlimInputSide;
  /** A classifier's outputs never slim: pass `{ slim: false }`. */
  readonly output?: SlimSide;
  readonly rng?: Rng;
}

/** Fully connected layer on [N, in]; kernel [in, out] sliced on both axes. */
export class SlimDense extends SlimLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly inPlan: ChannelPlan;
  readonly outPlan: ChannelPlan;

  constructor(name: string, options: SlimDenseOptions) {
    super(name, options);
    this.inPlan = this.plan('input', options.inUnits, options.input);
    this.outPlan = this.plan('output', options.outUnits, { ...options.output, fixedTail: 0 });
    const rng = options.rng ?? new Rng(0);
    this.kernel = this.addVariable('kernel', uniformVariable(rng, [this.inPlan.full, this.outPlan.full], this.inPlan.full), 'dense-weight');
    this.bias =
      options.useBias === false ? undefined : this.addVariable('bias', uniformVariable(rng, [this.outPlan.full], this.inPlan.full), 'bias');
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const width = this.width(ctx);
    this.checkRank(x.shape, 2, '[N, units]');
    const cin = this.inPlan.check(x.shape[1], width);
    const cout = this.outPlan.active(width);
    const tail = this.inPlan.fixedTail;
    return tf.tidy(() => {
      const w = sliceAxis(sliceAxis(this.kernel, 0, cin - tail, tail, this.inPlan.full), 1, cout, 0, this.outPlan.full);
      const y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
      return this.bias ? tf.add(y, sliceAxis(this.bias, 0, cout, 0, this.outPlan.full)) : y;
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const width = this.width(ctx);
    this.checkRank(inShape, 2, '[N, units]');
    const [n, c] = inShape as [number, number];
    const cin = this.inPlan.check(c, width);
    const cout = this.outPlan.active(width);
    return leafCost({
      name: this.name,
      kind: 'dense',
      macs: n * cin * cout,
      params: cin * cout + (this.bias ? cout : 0),
      outShape: [n, cout],
    });
  }
}
