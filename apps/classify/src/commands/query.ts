import { ConfigError } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { BatchStream, createImageDataset } from '@adaptnet/data';
import { PreparedCache } from '@adaptnet/export';
import { formatMflops } from '@adaptnet/flops';
import type { Budget, TableRow } from '@adaptnet/query-table';
import { INPUT_LIMITS, readInputFile } from '@adaptnet/train/node';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import type { Output } from '../output.js';
import { checkTableMatchesWeights, loadVerifiedModel, loadVerifiedTable, openRun, retrainCommand, TABLE_FILE } from '../run-folder.js';

export interface BudgetFlags {
  readonly maxMflops?: number;
  readonly maxMs?: number;
}

/** `--max-mflops` / `--max-ms` → a table budget; neither → the most accurate configuration. */
export function budgetOf(flags: BudgetFlags): Budget | undefined {
  if (flags.maxMflops !== undefined && flags.maxMs !== undefined)
    throw new ConfigError('give one budget: --max-mflops or --max-ms, not both');
  if (flags.maxMflops !== undefined) return { maxMacs: flags.maxMflops * 1e6, flag: { name: '--max-mflops', per: 1e6 } };
  if (flags.maxMs !== undefined) return { maxLatencyMs: flags.maxMs, flag: { name: '--max-ms', per: 1 } };
  return undefined;
}

export function describeRow(row: TableRow): string {
  const latency = row.latencyMs === undefined ? '' : `, ${row.latencyMs.toFixed(2)} ms`;
  return `width ${row.config.width} resolution ${row.config.resolution}: ${formatMflops(row.macs)}${latency}, top-1 ${(row.top1 * 100).toFixed(2)}%`;
}

export interface QueryFlags extends BudgetFlags {
  readonly run: string;
  readonly table?: string;
  readonly json?: boolean;
}

/** `adaptnet-classify query`: the best configuration within a budget. */
export async function queryCommand(flags: QueryFlags, out: Output): Promise<TableRow> {
  const budget = budgetOf(flags);
  const { folder } = await openRun(flags.run);
  if (flags.table === undefined) await folder.verifyCheckpoint('model', retrainCommand(flags.run));
  const table = await loadVerifiedTable(folder, flags.table);
  const row = budget === undefined ? (table.frontier[table.frontier.length - 1] as TableRow) : table.query(budget);
  out.result(flags.json ? JSON.stringify(row) : describeRow(row));
  return row;
}

export interface PredictFlags extends BudgetFlags {
  readonly run: string;
  readonly image: string;
  readonly table?: string;
  /** Dark object on a light background (photos of clothes) → light on dark, as Fashion-MNIST is. */
  readonly invert?: boolean;
  readonly top?: number;
}

export interface Prediction {
  readonly row: TableRow;
  readonly classes: readonly { readonly name: string; readonly probability: number }[];
}

/**
 * `adaptnet-classify predict`: picks the configuration for the budget from the table, installs its
 * stored BN statistics (no recalibration), and classifies one image.
 */
export async function predictCommand(flags: PredictFlags, out: Output): Promise<Prediction> {
  const budget = budgetOf(flags);
  const bytes = await readInputFile(flags.image, INPUT_LIMITS.imageBytes, 'image');
  const { folder, manifest } = await openRun(flags.run);
  const table = await loadVerifiedTable(folder, flags.table);
  const row = budget === undefined ? (table.frontier[table.frontier.length - 1] as TableRow) : table.query(budget);
  const { height, width } = manifest.data;
  const channels = manifest.model.inChannels;
  let decoded: Buffer;
  try {
    let img = sharp(bytes).removeAlpha().resize(width, height, { fit: 'fill' });
    img = channels === 1 ? img.grayscale() : img.toColourspace('srgb');
    if (flags.invert) img = img.negate();
    decoded = await img.raw().toBuffer();
  } catch (e) {
    throw new ConfigError(`cannot decode image ${flags.image} (JPEG, PNG, WebP, GIF, TIFF or SVG expected): ${(e as Error).message}`);
  }
  const pixels = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  const one = createImageDataset({
    name: flags.image,
    height,
    width,
    channels,
    classNames: manifest.data.classNames,
    pixels: pixels.slice(0, height * width * channels),
    labels: Int32Array.of(0),
  });
  await initBackend({ log: false });
  const { model } = await loadVerifiedModel(folder, manifest);
  // The configuration sliced and BN-folded once, run on fused kernels (as `table` measured it).
  const cache = new PreparedCache(model, { maxEntries: 1 });
  try {
    checkTableMatchesWeights(table, model, flags.table ?? folder.path(TABLE_FILE), flags.run);
    table.applyStatistics(model, row.config);
    const stream = new BatchStream(one, {
      batchSize: 1,
      eval: { kind: 'center-crop', cropFraction: manifest.data.evalCropFraction },
      normalize: manifest.data.normalize,
    });
    const classes: { name: string; probability: number }[] = [];
    for await (const batch of stream.epoch(0)) {
      const logits = cache.predict(batch.images(row.config.resolution), row.config);
      const probs = tf.softmax(logits);
      logits.dispose();
      const p = Array.from(probs.dataSync());
      probs.dispose();
      batch.dispose();
      p.forEach((probability, i) => classes.push({ name: manifest.data.classNames[i] ?? String(i), probability }));
    }
    classes.sort((a, b) => b.probability - a.probability);
    const top = classes.slice(0, flags.top ?? 5);
    out.result(`${describeRow(row)}`);
    for (const c of top) out.result(`${(c.probability * 100).toFixed(1).padStart(5)}%  ${c.name}`);
    return { row, classes: top };
  } finally {
    cache.dispose();
    model.dispose();
  }
}
