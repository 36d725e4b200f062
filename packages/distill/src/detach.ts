import * as tf from '@tensorflow/tfjs-core';

const stopGradient = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/**
 * The value of `x` as a constant for autodiff: tfjs has no stop_gradient, so this is an identity
 * whose gradient is zero. A teacher passed through it receives no gradient from its students.
 */
export function detach<T extends tf.Tensor>(x: T): T {
  return stopGradient(x) as T;
}
