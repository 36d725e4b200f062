import type { Module } from '@adaptnet/core';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * sha256 over the names, shapes and values of the trainable variables. BN running statistics are
 * not trainable, so calibrating a configuration does not change the fingerprint; retraining does.
 */
export function weightsFingerprint(model: Module): string {
  const hash = sha256.create();
  for (const [name, v] of model.namedVariables()) {
    if (!v.trainable) continue;
    hash.update(utf8ToBytes(`${name}:${v.dtype}[${v.shape.join(',')}]`));
    const values = v.dataSync();
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return bytesToHex(hash.digest());
}
