import { CheckpointError, type Module } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Detector } from './detector.js';

export interface TransferReport {
  /** Backbone variables copied from the source. */
  readonly copied: readonly string[];
  /** Source variables with no place in the detector's backbone (the classifier, calibrated BN sets). */
  readonly ignored: readonly string[];
}

/**
 * Initialises the detector's backbone from a classification network of the same architecture and
 * options (e.g. `loadModel(run/model)` of an `adaptnet-classify` run): every backbone variable
 * (convolutions, BN affine, BN running statistics) is copied by name; the classifier and the
 * classifier's per-configuration calibrated BN statistics are left out (detection re-calibrates
 * per configuration after training). A missing variable or a shape mismatch is a
 * `CheckpointError` naming it, and then nothing is written.
 */
export function initBackboneFrom(detector: Detector, source: Module, where = 'the classification model'): TransferReport {
  const target = detector.backbone.namedVariables();
  const from = source.namedVariables();
  const missing = [...target.keys()].filter((k) => !from.has(k));
  if (missing.length > 0) {
    throw new CheckpointError(
      'E_CHECKPOINT_MISMATCH',
      `${where} does not fit the detector's backbone (${detector.spec.backbone.architecture}): missing [${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}]`,
    );
  }
  for (const [name, v] of target) {
    const s = from.get(name) as tf.Variable;
    if (!tf.util.arraysEqual(s.shape, v.shape)) {
      throw new CheckpointError('E_CHECKPOINT_MISMATCH', `${where}: '${name}' is [${s.shape}], the detector's backbone has [${v.shape}]`);
    }
  }
  for (const [name, v] of target) v.assign(from.get(name) as tf.Variable);
  return { copied: [...target.keys()], ignored: [...from.keys()].filter((k) => !target.has(k)) };
}
