import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '@adaptnet/core/files';
import { CocoDataset, parseJsonText } from '../dataset.js';
import { CocoError } from '../errors.js';
import { type CocoDetection, parseResults } from '../results.js';
import type { CocoResultJson } from '../schema.js';

/** Largest JSON file read by default (V8 strings stop near 512 MiB; COCO's train2017 instances are 448 MB). */
export const DEFAULT_MAX_JSON_BYTES = 512 * 1024 * 1024;

export interface ReadJsonOptions {
  /** Refuse larger files (default 512 MiB). */
  readonly maxBytes?: number;
}

/** Reads a regular file of at most `maxBytes` and parses it as JSON; every failure is a one-line `CocoError`. */
export async function readJsonFile(path: string, options: ReadJsonOptions = {}): Promise<unknown> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CocoError('E_COCO_FILE', code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? String(e)})`);
  }
  if (!info.isFile()) throw new CocoError('E_COCO_FILE', `${path} is not a regular file; give a COCO JSON file`);
  if (info.size > maxBytes) {
    throw new CocoError('E_COCO_FILE', `${path} is ${info.size} bytes, more than the limit of ${maxBytes} bytes`);
  }
  return parseJsonText(await readFile(path, 'utf8'), path);
}

/** Reads and validates a COCO instances file (e.g. `instances_val2017.json`). */
export async function readCocoDataset(path: string, options: ReadJsonOptions = {}): Promise<CocoDataset> {
  return CocoDataset.fromJson(await readJsonFile(path, options), path);
}

/** Reads and validates a COCO results file against its ground truth. */
export async function readCocoResults(path: string, dataset: CocoDataset, options: ReadJsonOptions = {}): Promise<CocoDetection[]> {
  return parseResults(await readJsonFile(path, options), dataset, path);
}

/** Writes results JSON (see `toResultsJson`) atomically: readers see the old file or the new one. */
export async function writeCocoResults(path: string, rows: readonly CocoResultJson[]): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(rows));
}
