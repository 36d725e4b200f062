import type { ConvBnAct } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import { SlimDepthwiseConv2d } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';

/** A convolution's kernel and bias for one configuration, BatchNorm folded in. */
export interface FoldedConv {
  readonly depthwise: boolean;
  /** Conv2D: [kh, kw, in, out]; depthwise: [kh, kw, channels, 1]. */
  readonly kernel: tf.Tensor4D;
  readonly bias: tf.Tensor1D;
  readonly outChannels: number;
}

/** The leading `head` and last `tail` entries of `axis` (the slim layers' channel layout). */
function take(t: tf.Tensor, axis: number, head: number, tail: number): tf.Tensor {
  const full = t.shape[axis] as number;
  if (head + tail === full) return t;
  const at = (start: number, count: number) =>
    tf.slice(
      t,
      t.shape.map((_, i) => (i === axis ? start : 0)),
      t.shape.map((d, i) => (i === axis ? count : d)),
    );
  return tail === 0 ? at(0, head) : tf.concat([at(0, head), at(full - tail, tail)], axis);
}

/**
 * Slices `block.conv` to `inChannels` → its active outputs at `config.width`, then folds the
 * configuration's BN set: W' = W · γ/√(σ² + ε) per output channel, b = β − μ · γ/√(σ² + ε).
 * Throws the BN layer's named error when the configuration has no calibrated set.
 */
export function foldConvBn(block: ConvBnAct, inChannels: number, config: SubnetConfig): FoldedConv {
  const { conv, bn } = block;
  const values = bn.values(bn.keyFor(config));
  return tf.tidy(() => {
    let kernel: tf.Tensor;
    let out: number;
    const depthwise = conv instanceof SlimDepthwiseConv2d;
    if (depthwise) {
      out = conv.channelPlan.check(inChannels, config.width);
      kernel = take(conv.kernel, 2, out, 0);
    } else {
      const cin = conv.inPlan.check(inChannels, config.width);
      out = conv.outPlan.active(config.width);
      const tail = conv.inPlan.fixedTail;
      kernel = take(take(conv.kernel, 2, cin - tail, tail), 3, out, 0);
    }
    const gamma = tf.tensor1d(values.gamma.subarray(0, out));
    const beta = tf.tensor1d(values.beta.subarray(0, out));
    const mean = tf.tensor1d(values.mean.subarray(0, out));
    const variance = tf.tensor1d(values.variance.subarray(0, out));
    const scale = tf.div(gamma, tf.sqrt(tf.add(variance, bn.epsilon)));
    // Depthwise kernels carry their channels on axis 2, convolutions their outputs on axis 3.
    const folded = depthwise ? tf.mul(kernel, tf.reshape(scale, [1, 1, out, 1])) : tf.mul(kernel, scale);
    let bias = tf.sub(beta, tf.mul(mean, scale));
    if (conv.bias !== undefined) bias = tf.add(bias, tf.mul(take(conv.bias, 0, out, 0), scale));
    return { depthwise, kernel: folded as tf.Tensor4D, bias: bias as tf.Tensor1D, outChannels: out };
  });
}
