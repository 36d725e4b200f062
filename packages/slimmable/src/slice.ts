import * as tf from '@tensorflow/tfjs-core';

/**
 * The leading `head` entries of `axis` plus its last `tail` entries (of `full`). The slice's
 * gradient pads with zeros, so inactive entries get exactly zero gradient.
 */
export function sliceAxis(t: tf.Tensor, axis: number, head: number, tail: number, full: number): tf.Tensor {
  if (head + tail === full) return t;
  // Fresh arrays per slice: tfjs keeps the attribute arrays for the gradient by reference.
  const at = (start: number, count: number): tf.Tensor => {
    const begin = t.shape.map((_, i) => (i === axis ? start : 0));
    const size = t.shape.map((d, i) => (i === axis ? count : d));
    return tf.slice(t, begin, size);
  };
  const lead = at(0, head);
  return tail === 0 ? lead : tf.concat([lead, at(full - tail, tail)], axis);
}
