import { ConfigError, type Cost, type ForwardContext, leafCost, Module, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Group normalisation (Wu & He 2018) over NHWC: statistics per sample and per group of channels,
 * over H, W and the group's channels, then a per-channel affine. It keeps no running statistics
 * and never looks across the batch, so it computes the same function in training and inference,
 * for any batch size and any input size (only the spatial extent averaged over changes).
 */
export class GroupNorm extends Module {
  readonly channels: number;
  readonly groups: number;
  readonly epsilon: number;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(name: string, channels: number, groups: number, epsilon = 1e-5) {
    super(name);
    if (!Number.isInteger(groups) || groups <= 0 || channels % groups !== 0) {
      throw new ConfigError(`${name}: groups must be a positive divisor of channels ${channels}, got ${groups}`);
    }
    this.channels = channels;
    this.groups = groups;
    this.epsilon = epsilon;
    this.gamma = this.addVariable(
      'gamma',
      tf.tidy(() => tf.variable(tf.ones([channels]), true)),
      'bn-gamma',
    );
    this.beta = this.addVariable(
      'beta',
      tf.tidy(() => tf.variable(tf.zeros([channels]), true)),
      'bn-beta',
    );
  }

  forward(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    if (x.rank !== 4 || c !== this.channels) {
      throw new ShapeError(`${this.name}: input must be [N, H, W, ${this.channels}], got [${x.shape.join(', ')}]`);
    }
    // Written so that every op reduces over one contiguous block of axes (H·W of [N, H·W, C]) or
    // broadcasts a [N, 1, C] per-channel tensor: the forms the native backend runs natively, also
    // in the gradient. Moments over [1, 2, 4] of [N, H, W, G, C/G] fall back to tfjs-cpu's
    // transposing reductions there. Channels go to groups and back by two small matmuls.
    return tf.tidy(() => {
      const count = h * w * (c / this.groups);
      const toGroups = this.groupMatrix();
      const toChannels = tf.transpose(toGroups);
      const perChannel = (g: tf.Tensor): tf.Tensor => tf.reshape(tf.matMul(g as tf.Tensor2D, toChannels), [n, 1, c]);
      const x3 = tf.reshape(x, [n, h * w, c]);
      const mean = tf.div(tf.matMul(tf.sum(x3, 1) as tf.Tensor2D, toGroups), count);
      const centred = tf.sub(x3, perChannel(mean));
      const variance = tf.div(tf.matMul(tf.sum(tf.square(centred), 1) as tf.Tensor2D, toGroups), count);
      const scale = tf.mul(perChannel(tf.rsqrt(tf.add(variance, this.epsilon))), this.gamma);
      return tf.reshape(tf.add(tf.mul(centred, scale), this.beta), [n, h, w, c]);
    });
  }

  /** [C, G]: 1 where channel c belongs to group g. */
  private groupMatrix(): tf.Tensor2D {
    const size = this.channels / this.groups;
    const m = new Float32Array(this.channels * this.groups);
    for (let ch = 0; ch < this.channels; ch++) m[ch * this.groups + Math.floor(ch / size)] = 1;
    return tf.tensor2d(m, [this.channels, this.groups]);
  }

  cost(inShape: readonly number[], _ctx: ForwardContext): Cost {
    return leafCost({ name: this.name, kind: 'group-norm', macs: 0, params: 2 * this.channels, outShape: [...inShape] });
  }
}
