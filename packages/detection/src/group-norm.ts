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
    return tf.tidy(() => {
      const g = tf.reshape(x, [n, h, w, this.groups, c / this.groups]);
      const { mean, variance } = tf.moments(g, [1, 2, 4], true);
      const normed = tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(tf.reshape(normed, [n, h, w, c]), this.gamma), this.beta);
    });
  }

  cost(inShape: readonly number[], _ctx: ForwardContext): Cost {
    return leafCost({ name: this.name, kind: 'group-norm', macs: 0, params: 2 * this.channels, outShape: [...inShape] });
  }
}
