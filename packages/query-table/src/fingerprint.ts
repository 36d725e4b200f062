import { createHash } from 'node:crypto';
import type { Module } from '@adaptnet/core';

/**
 * sha256 over the names, shapes and values of the trainable variables. BN running statistics are
 * not trainable, so calibrating a configuration does not change the fingerprint; retraining does.
 */
export function weightsFingerprint(model: Module): string {
  const hash = createHash('sha256');
  for (const [name, v] of model.namedVariables()) {
    if (!v.trainable) continue;
    hash.update(`${name}:${v.dtype}[${v.shape.join(',')}]`);
    const values = v.dataSync();
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}
