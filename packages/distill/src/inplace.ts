import { ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { type CrossEntropyOptions, crossEntropy } from './cross-entropy.js';
import { type KlDistillOptions, klDistill } from './kl.js';

export interface InplaceDistillOptions extends CrossEntropyOptions, KlDistillOptions {}

/**
 * MutualNet / US-Net inplace distillation (MutualNet Eq. 3–5): `logits[0]` is the full network,
 * trained on the labels; every other subnet mimics the full network's detached prediction.
 * Returns CE(z_full, y) + Σ_{i≥1} KL(p_full ‖ p_i).
 */
export function inplaceDistillLoss(logits: readonly tf.Tensor[], labels: tf.Tensor, options: InplaceDistillOptions = {}): tf.Scalar {
  const [full, ...subnets] = logits;
  if (!full) throw new ShapeError('inplaceDistillLoss needs the full network logits first, got an empty list');
  return tf.tidy(() => {
    const terms: tf.Scalar[] = [crossEntropy(full, labels, options)];
    for (const z of subnets) terms.push(klDistill(z, full, options));
    return terms.length === 1 ? (terms[0] as tf.Scalar) : tf.addN(terms);
  });
}
