import * as tf from '@tensorflow/tfjs-core';

export type Activation = 'relu' | 'relu6' | 'none';

export function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'relu6') return tf.relu6(x);
  return x;
}
