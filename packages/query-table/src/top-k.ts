import { ConfigRangeError, ShapeError } from '@adaptnet/core';

export interface TopKCounts {
  readonly top1: number;
  readonly top5: number;
}

/**
 * Counts the rows of `logits` ([N, classes], row-major) whose label is among the 1 / 5 highest
 * logits. The label's rank is the number of classes with a strictly higher logit plus the number of
 * lower-index classes with an equal one, so ties go to the lower class index (as `tf.topk`'s
 * stable order) and a row counts the same on every backend. A NaN label logit is never correct.
 */
export function countTopK(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): TopKCounts {
  const n = labels.length;
  if (!Number.isInteger(classes) || classes < 1 || logits.length !== n * classes) {
    throw new ShapeError(`countTopK: ${logits.length} logits do not make ${n} rows of ${classes} classes`);
  }
  let top1 = 0;
  let top5 = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new ConfigRangeError(`label ${y} (sample ${i} of the batch) is outside the model's classes: [0, ${classes - 1}]`);
    }
    const base = i * classes;
    const zy = logits[base + y] as number;
    let rank = 0;
    if (Number.isNaN(zy)) rank = Number.POSITIVE_INFINITY;
    else {
      for (let j = 0; j < classes && rank < 5; j++) {
        const z = logits[base + j] as number;
        if (z > zy || (z === zy && j < y)) rank++;
      }
    }
    if (rank < 1) top1++;
    if (rank < 5) top5++;
  }
  return { top1, top5 };
}
