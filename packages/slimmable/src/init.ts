import type { Rng } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Kaiming normal, fan-out mode (torchvision's conv init for these backbones). */
export function heNormalVariable(rng: Rng, shape: number[], fanOut: number): tf.Variable {
  const std = Math.sqrt(2 / fanOut);
  const data = Float32Array.from({ length: product(shape) }, () => rng.normal() * std);
  return tf.tidy(() => tf.variable(tf.tensor(data, shape), true));
}

/** PyTorch's Linear default: uniform in ±1/√fanIn. */
export function uniformVariable(rng: Rng, shape: number[], fanIn: number): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  const data = Float32Array.from({ length: product(shape) }, () => rng.uniform(-bound, bound));
  return tf.tidy(() => tf.variable(tf.tensor(data, shape), true));
}

export function zerosVariable(shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape), true));
}
