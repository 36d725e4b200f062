import type { Module } from '@adaptnet/core';
import { SwitchableBatchNorm } from './switchable-batch-norm.js';

export interface FoundBatchNorm {
  /** Dotted path of the layer in the model (the layer's own name when the model is the layer). */
  readonly path: string;
  readonly bn: SwitchableBatchNorm;
}

/** Every SwitchableBatchNorm in `model`, depth first in registration order. */
export function findBatchNorms(model: Module): FoundBatchNorm[] {
  const found: FoundBatchNorm[] = [];
  for (const [path, m] of model.namedModules()) {
    if (m instanceof SwitchableBatchNorm) found.push({ path: path === '' ? m.name : path, bn: m });
  }
  return found;
}
