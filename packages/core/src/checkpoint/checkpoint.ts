import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';
import type { ModelSpec } from '../model-spec.js';
import type { Module } from '../module.js';
import { writeFileAtomic } from './atomic.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MANIFEST,
  type CheckpointHeader,
  parseCheckpointHeader,
} from './header.js';

export { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, CHECKPOINT_MANIFEST, type CheckpointHeader };

export interface SaveCheckpointOptions {
  readonly architecture: string;
  /** What `loadModel` rebuilds the network from. */
  readonly spec?: ModelSpec;
  readonly trainedSpace?: unknown;
  readonly meta?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  readonly header: CheckpointHeader;
  /** Caller owns these tensors. */
  readonly tensors: Map<string, tf.Tensor>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Saves named tensors as `<dir>/model.json` + one content-addressed `.bin` (tfjs weights-manifest
 * layout, readable by tfjs's io tools). The bin is written first under a name derived from its
 * hash, then the manifest atomically, then stale bins are removed: a crash at any point leaves the
 * previous checkpoint or the new one, both complete.
 */
export async function saveCheckpoint(
  dir: string,
  tensors: ReadonlyMap<string, tf.Tensor>,
  options: SaveCheckpointOptions,
): Promise<CheckpointHeader> {
  await mkdir(dir, { recursive: true });
  const entries: CheckpointHeader['weightsManifest'][number]['weights'] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, t] of tensors) {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') {
      throw new CheckpointError('E_CHECKPOINT_FORMAT', `tensor '${name}' has dtype ${t.dtype}; checkpoints hold float32 or int32`);
    }
    const values = await t.data();
    chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    entries.push({ name, shape: [...t.shape], dtype: t.dtype });
  }
  const byteLength = chunks.reduce((n, c) => n + c.byteLength, 0);
  const bin = new Uint8Array(byteLength);
  let offset = 0;
  for (const c of chunks) {
    bin.set(c, offset);
    offset += c.byteLength;
  }
  const hash = sha256(bin);
  const binName = `weights.${hash.slice(0, 16)}.bin`;
  await writeFileAtomic(join(dir, binName), bin);
  const header: CheckpointHeader = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    architecture: options.architecture,
    ...(options.spec === undefined ? {} : { spec: options.spec }),
    trainedSpace: options.trainedSpace,
    meta: options.meta ?? {},
    weightsManifest: [{ paths: [binName], weights: entries }],
    checksum: { algorithm: 'sha256', value: hash },
    byteLength,
  };
  await writeFileAtomic(join(dir, CHECKPOINT_MANIFEST), `${JSON.stringify(header, null, 2)}\n`);
  for (const f of await readdir(dir)) {
    if (/^weights\.[0-9a-f]{16}\.bin$/.test(f) && f !== binName) await unlink(join(dir, f)).catch(() => undefined);
  }
  return header;
}

async function readOrThrow(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CheckpointError('E_CHECKPOINT_MISSING', `no checkpoint ${what} at ${path}`);
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `cannot read checkpoint ${what} at ${path}: ${(e as Error).message}`);
  }
}

/** Reads and validates a checkpoint header only (cheap: no weights). Never evaluates code. */
export async function readCheckpointHeader(dir: string): Promise<CheckpointHeader> {
  const path = join(dir, CHECKPOINT_MANIFEST);
  const text = (await readOrThrow(path, 'manifest')).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `checkpoint manifest ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseCheckpointHeader(json, path);
}

/**
 * Loads a checkpoint. With `expectArchitecture`, a checkpoint of another architecture is refused
 * before any weight is read. Truncated or modified weight files fail the size/sha256 checks.
 */
export async function loadCheckpoint(dir: string, options: { expectArchitecture?: string } = {}): Promise<LoadedCheckpoint> {
  const header = await readCheckpointHeader(dir);
  if (options.expectArchitecture !== undefined && header.architecture !== options.expectArchitecture) {
    throw new CheckpointError(
      'E_CHECKPOINT_ARCH',
      `checkpoint in ${dir} is for architecture '${header.architecture}', expected '${options.expectArchitecture}'`,
    );
  }
  const group = header.weightsManifest[0] as CheckpointHeader['weightsManifest'][number];
  const binPath = join(dir, group.paths[0] as string);
  const bin = await readOrThrow(binPath, 'weights');
  if (bin.byteLength !== header.byteLength) {
    throw new CheckpointError(
      'E_CHECKPOINT_CORRUPT',
      `checkpoint weights ${binPath} have ${bin.byteLength} bytes, the manifest says ${header.byteLength} (truncated?)`,
    );
  }
  if (sha256(bin) !== header.checksum.value) {
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `checkpoint weights ${binPath} fail the sha256 check (modified or corrupt)`);
  }
  const expectedBytes = group.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (expectedBytes !== bin.byteLength) {
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `manifest weights need ${expectedBytes} bytes, file has ${bin.byteLength}`);
  }
  const tensors = new Map<string, tf.Tensor>();
  let offset = 0;
  // Copy into an aligned buffer: Buffer slices may not be 4-byte aligned.
  const aligned = new Uint8Array(bin.byteLength);
  aligned.set(bin);
  for (const w of group.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const values = w.dtype === 'int32' ? new Int32Array(aligned.buffer, offset, n) : new Float32Array(aligned.buffer, offset, n);
    tensors.set(w.name, tf.tensor(values.slice(), w.shape, w.dtype));
    offset += 4 * n;
  }
  return { header, tensors };
}

/** Saves every variable of a module (weights and BN statistics) under its dotted path. */
export async function saveModule(dir: string, model: Module, options: SaveCheckpointOptions): Promise<CheckpointHeader> {
  return saveCheckpoint(dir, model.namedVariables(), options);
}

/**
 * Restores a module's variables from a checkpoint of the same architecture; every variable must be
 * present with the same shape, and the checkpoint may hold no unknown names.
 */
export async function loadModule(dir: string, model: Module, architecture: string): Promise<CheckpointHeader> {
  const { header, tensors } = await loadCheckpoint(dir, { expectArchitecture: architecture });
  try {
    const vars = model.namedVariables();
    const missing = [...vars.keys()].filter((k) => !tensors.has(k));
    const unknown = [...tensors.keys()].filter((k) => !vars.has(k));
    if (missing.length > 0 || unknown.length > 0) {
      throw new CheckpointError(
        'E_CHECKPOINT_MISMATCH',
        `checkpoint ${dir} does not match the model: missing [${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}], unknown [${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''}]`,
      );
    }
    for (const [name, v] of vars) {
      const t = tensors.get(name) as tf.Tensor;
      if (!tf.util.arraysEqual(t.shape, v.shape) || t.dtype !== v.dtype) {
        throw new CheckpointError(
          'E_CHECKPOINT_MISMATCH',
          `checkpoint variable '${name}' is ${t.dtype}[${t.shape}], the model has ${v.dtype}[${v.shape}]`,
        );
      }
    }
    for (const [name, v] of vars) v.assign(tensors.get(name) as tf.Tensor);
    return header;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
