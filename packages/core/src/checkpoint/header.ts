import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { CheckpointError } from '../errors.js';
import { modelSpecSchema } from '../model-spec.js';

export const CHECKPOINT_FORMAT = 'adaptnet-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;
export const CHECKPOINT_MANIFEST = 'model.json';

export const weightEntrySchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
});

export const checkpointHeaderSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  formatVersion: z.literal(CHECKPOINT_FORMAT_VERSION),
  architecture: z.string().min(1),
  /** What rebuilds the network (`loadModel`); absent in checkpoints written before model specs. */
  spec: modelSpecSchema.optional(),
  /** Trained configuration ranges etc.; opaque JSON to this package. */
  trainedSpace: z.unknown().optional(),
  meta: z.record(z.string(), z.unknown()).default({}),
  weightsManifest: z
    .array(z.object({ paths: z.array(z.string().regex(/^[\w.-]+$/)).length(1), weights: z.array(weightEntrySchema) }))
    .length(1),
  checksum: z.object({ algorithm: z.literal('sha256'), value: z.string().regex(/^[0-9a-f]{64}$/) }),
  byteLength: z.number().int().nonnegative(),
});

/** The JSON manifest: tfjs's weights-manifest layout plus AdaptNet's header fields. */
export type CheckpointHeader = z.infer<typeof checkpointHeaderSchema>;

/** Validates a parsed checkpoint manifest; `where` names it in the error. Portable (no file access). */
export function parseCheckpointHeader(json: unknown, where: string): CheckpointHeader {
  const parsed = checkpointHeaderSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const what = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown problem';
    throw new CheckpointError(
      'E_CHECKPOINT_FORMAT',
      `${where} is not an ${CHECKPOINT_FORMAT} v${CHECKPOINT_FORMAT_VERSION} manifest (${what})`,
    );
  }
  return parsed.data;
}

/** The weights file a header names (relative to the manifest). */
export function checkpointWeightsPath(header: CheckpointHeader): string {
  return (header.weightsManifest[0] as CheckpointHeader['weightsManifest'][number]).paths[0] as string;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined)
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', 'cannot verify checkpoint weights: crypto.subtle is unavailable');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', copy.buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks a checkpoint's weight bytes against its header (size, sha256) and decodes them into named
 * tensors the caller owns. Portable: uses Web Crypto, so it runs in browsers and Node ≥ 20.
 */
export async function decodeCheckpointWeights(header: CheckpointHeader, bytes: Uint8Array, where: string): Promise<Map<string, tf.Tensor>> {
  if (bytes.byteLength !== header.byteLength) {
    throw new CheckpointError(
      'E_CHECKPOINT_CORRUPT',
      `checkpoint weights ${where} have ${bytes.byteLength} bytes, the manifest says ${header.byteLength} (truncated?)`,
    );
  }
  if ((await sha256Hex(bytes)) !== header.checksum.value) {
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `checkpoint weights ${where} fail the sha256 check (modified or corrupt)`);
  }
  const group = header.weightsManifest[0] as CheckpointHeader['weightsManifest'][number];
  const expected = group.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (expected !== bytes.byteLength) {
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `manifest weights need ${expected} bytes, ${where} has ${bytes.byteLength}`);
  }
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  const tensors = new Map<string, tf.Tensor>();
  let offset = 0;
  for (const w of group.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const values = w.dtype === 'int32' ? new Int32Array(aligned.buffer, offset, n) : new Float32Array(aligned.buffer, offset, n);
    tensors.set(w.name, tf.tensor(values.slice(), w.shape, w.dtype));
    offset += 4 * n;
  }
  return tensors;
}
