import {
  CheckpointError,
  type CheckpointHeader,
  checkpointWeightsPath,
  decodeCheckpointWeights,
  type ModelSpec,
  parseCheckpointHeader,
} from '@adaptnet/core';
import { findBatchNorms } from '@adaptnet/norm';
import type { Backbone } from './backbone.js';
import { MissingModelSpecError, restoreModel } from './model-spec.js';

/** A checkpoint already in memory: its `model.json` (text or parsed) and its weights file. */
export interface CheckpointFiles {
  readonly manifest: string | object;
  readonly weights: Uint8Array | ArrayBuffer;
}

export interface LoadModelOptions {
  /** The spec to build from when the header has none (checkpoints written before specs). */
  readonly spec?: ModelSpec;
  /** Default `globalThis.fetch`. */
  readonly fetch?: (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown>; arrayBuffer(): Promise<ArrayBuffer> }>;
}

export interface LoadedModel {
  readonly model: Backbone;
  readonly spec: ModelSpec;
  readonly header: CheckpointHeader;
  /** Keys of the calibrated BN sets restored (`'config'` policy), e.g. `w0.500-r24`; sorted. */
  readonly calibrated: readonly string[];
}

/** The spec a header carries, or the given one; neither is a `MissingModelSpecError`. */
export function specOf(header: CheckpointHeader, where: string, spec?: ModelSpec): ModelSpec {
  const found = header.spec ?? spec;
  if (found === undefined) throw new MissingModelSpecError(where);
  return found;
}

/** Rebuilds a model from a parsed header and its weight bytes (the shared part of both loaders). */
export async function modelFromCheckpoint(
  header: CheckpointHeader,
  weights: Uint8Array,
  where: string,
  spec?: ModelSpec,
): Promise<LoadedModel> {
  const resolved = specOf(header, where, spec);
  const tensors = await decodeCheckpointWeights(header, weights, where);
  try {
    const model = restoreModel(resolved, tensors, where);
    const calibrated = new Set<string>();
    for (const { bn } of findBatchNorms(model)) if (bn.policy === 'config') for (const k of bn.keys()) calibrated.add(k);
    return { model, spec: resolved, header, calibrated: [...calibrated].sort() };
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

function toBytes(b: Uint8Array | ArrayBuffer): Uint8Array {
  return b instanceof Uint8Array ? b : new Uint8Array(b);
}

/**
 * Rebuilds a trained network, its weights and its calibrated BN sets from a checkpoint, with no
 * application code: from the URL of its `model.json` (fetched, weights resolved next to it; a URL
 * ending in `/` means `<url>model.json`) or from files already in memory. Portable (browser, Node).
 * The caller disposes `model`.
 */
export async function loadModel(source: string | URL | CheckpointFiles, options: LoadModelOptions = {}): Promise<LoadedModel> {
  if (typeof source === 'object' && !(source instanceof URL)) {
    const json = typeof source.manifest === 'string' ? parseJson(source.manifest, 'checkpoint manifest') : source.manifest;
    const header = parseCheckpointHeader(json, 'checkpoint manifest');
    return modelFromCheckpoint(header, toBytes(source.weights), 'checkpoint', options.spec);
  }
  const fetchFn = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (fetchFn === undefined)
    throw new CheckpointError('E_CHECKPOINT_MISSING', 'loadModel(url) needs fetch (Node >= 18 or a browser), or pass options.fetch');
  const text = String(source);
  const manifestUrl = text.endsWith('/') ? `${text}model.json` : text;
  const get = async (url: string) => {
    const res = await fetchFn(url).catch((e: unknown) => {
      throw new CheckpointError('E_CHECKPOINT_MISSING', `cannot fetch ${url}: ${(e as Error).message}`);
    });
    if (!res.ok) throw new CheckpointError('E_CHECKPOINT_MISSING', `cannot fetch ${url}: HTTP ${res.status}`);
    return res;
  };
  let json: unknown;
  try {
    json = await (await get(manifestUrl)).json();
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `${manifestUrl} is not valid JSON: ${(e as Error).message}`);
  }
  const header = parseCheckpointHeader(json, manifestUrl);
  // The weights file name is a bare file name (the header schema checks it): it sits next to model.json.
  const weightsUrl = `${manifestUrl.slice(0, manifestUrl.lastIndexOf('/') + 1)}${checkpointWeightsPath(header)}`;
  const bytes = new Uint8Array(await (await get(weightsUrl)).arrayBuffer());
  return modelFromCheckpoint(header, bytes, manifestUrl, options.spec);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}
