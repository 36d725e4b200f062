import type { Rng } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * PyTorch's default for Conv and Linear weights (kaiming_uniform with a = √5): uniform in
 * ±1/√fanIn. The reference recipe (docs/reference-recipe.md) trains with these defaults; Kaiming
 * normal with fan-out starts most layers ~2.4× larger, which with BN after every conv lowers the
 * effective learning rate and measurably slowed early training here.
 */
export function uniformVariable(rng: Rng, shape: number[], fanIn: number): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  const data = Float32Array.from({ length: product(shape) }, () => rng.uniform(-bound, bound));
  return tf.tidy(() => tf.variable(tf.tensor(data, shape), true));
}

export function zerosVariable(shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape), true));
}
