import { ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

/** Classes on the last axis; every other position (batch, and pixels for dense prediction) is a row. */
export function asRows(name: string, logits: tf.Tensor): tf.Tensor2D {
  if (logits.rank < 2) throw new ShapeError(`${name} must have rank >= 2 (classes last), got shape [${logits.shape.join(', ')}]`);
  const classes = logits.shape[logits.rank - 1] as number;
  return tf.reshape(logits, [-1, classes]);
}

export function checkSameShape(aName: string, a: tf.Tensor, bName: string, b: tf.Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${aName} has shape [${a.shape.join(', ')}] but ${bName} has shape [${b.shape.join(', ')}]`);
  }
}
