import type { Module } from '@adaptnet/core';
import type { Variable } from '@tensorflow/tfjs-core';
import type { SwitchableBatchNorm } from './switchable-batch-norm.js';

/*
 * core's Module does not list its child modules, only its variables by dotted path. Every
 * SwitchableBatchNorm registers its variables here, which finds the BN layers of any model (and
 * their paths) from `model.namedVariables()`.
 */
const owners = new WeakMap<Variable, { readonly bn: SwitchableBatchNorm; readonly localName: string }>();

export function registerBnVariable(variable: Variable, bn: SwitchableBatchNorm, localName: string): void {
  owners.set(variable, { bn, localName });
}

export interface FoundBatchNorm {
  /** Dotted path of the layer in the model (the layer's own name when the model is the layer). */
  readonly path: string;
  readonly bn: SwitchableBatchNorm;
}

/** Every SwitchableBatchNorm in `model`, in variable order. */
export function findBatchNorms(model: Module): FoundBatchNorm[] {
  const seen = new Set<SwitchableBatchNorm>();
  const found: FoundBatchNorm[] = [];
  for (const [path, variable] of model.namedVariables()) {
    const owner = owners.get(variable);
    if (!owner || seen.has(owner.bn)) continue;
    seen.add(owner.bn);
    const prefix = path.slice(0, path.length - owner.localName.length);
    found.push({ path: prefix === '' ? owner.bn.name : prefix.slice(0, -1), bn: owner.bn });
  }
  return found;
}
