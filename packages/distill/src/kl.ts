import { ConfigError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { detach } from './detach.js';
import { asRows, checkSameShape } from './logits.js';

export interface KlDistillOptions {
  /** Softens both distributions: p = softmax(z / T). Default 1. */
  readonly temperature?: number;
  /**
   * Multiply by T² (Hinton et al.) so that gradient magnitudes do not shrink as T grows.
   * Default true; no effect at T = 1.
   */
  readonly scaleByTemperatureSquared?: boolean;
}

/**
 * KL(p_teacher ‖ p_student), mean over rows (classes on the last axis), from logits via
 * log-softmax. The teacher is detached: no gradient reaches it.
 */
export function klDistill(student: tf.Tensor, teacher: tf.Tensor, options: KlDistillOptions = {}): tf.Scalar {
  const t = options.temperature ?? 1;
  if (!(Number.isFinite(t) && t > 0)) throw new ConfigError(`temperature must be a finite number > 0, got ${t}`);
  checkSameShape('student', student, 'teacher', teacher);
  return tf.tidy((): tf.Scalar => {
    const scale = (z: tf.Tensor) => (t === 1 ? z : tf.div(z, t));
    const logq = tf.logSoftmax(scale(asRows('student', student)));
    const logp = tf.logSoftmax(scale(detach(asRows('teacher', teacher))));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(logp), tf.sub(logp, logq)), -1)) as tf.Scalar;
    return (options.scaleByTemperatureSquared ?? true) && t !== 1 ? tf.mul(kl, t * t) : kl;
  });
}
