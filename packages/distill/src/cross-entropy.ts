import { ConfigError, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { detach } from './detach.js';
import { asRows, checkSameShape } from './logits.js';

export interface CrossEntropyOptions {
  /** ε in [0, 1]: the target is (1 − ε)·onehot(y) + ε/C. Default 0. */
  readonly labelSmoothing?: number;
}

/**
 * Mean over rows of −Σ_c q_c log softmax(z)_c, with log-softmax (stable for any logit scale).
 * `labels` are class indices with the logits' shape minus the class axis, each in [0, C).
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, options: CrossEntropyOptions = {}): tf.Scalar {
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ConfigError(`labelSmoothing must be in [0, 1], got ${eps}`);
  const expected = logits.shape.slice(0, -1);
  if (labels.rank !== expected.length || labels.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `labels have shape [${labels.shape.join(', ')}], expected [${expected.join(', ')}] for logits [${logits.shape.join(', ')}]`,
    );
  }
  return tf.tidy((): tf.Scalar => {
    const z = asRows('logits', logits);
    const classes = z.shape[1];
    const logp = tf.logSoftmax(z);
    const onehot = tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), classes);
    const target = eps === 0 ? onehot : tf.add(tf.mul(onehot, 1 - eps), eps / classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), -1))) as tf.Scalar;
  });
}

/**
 * Mean over rows of −Σ_c q_c log softmax(z)_c for target probabilities `targets` (same shape as
 * the logits). The targets are labels: they receive no gradient.
 */
export function softCrossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  checkSameShape('logits', logits, 'targets', targets);
  return tf.tidy((): tf.Scalar => {
    const logp = tf.logSoftmax(asRows('logits', logits));
    const q = detach(asRows('targets', targets));
    return tf.neg(tf.mean(tf.sum(tf.mul(q, logp), -1))) as tf.Scalar;
  });
}
