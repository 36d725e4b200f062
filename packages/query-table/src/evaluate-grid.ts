import { CheckpointError, ConfigError, configKey, type Module, type Range, type SubnetConfig } from '@adaptnet/core';
import { costOf } from '@adaptnet/flops';
import { type BnStatistics, calibrate, exportStatistics } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import { accuracyOf, imagesAt } from './accuracy.js';
import { weightsFingerprint } from './fingerprint.js';
import { formatRowLine } from './format.js';
import { gridConfigs, resolveGrid } from './grid.js';
import { type LatencyOptions, measureLatency } from './latency.js';
import { QueryTable } from './query-table.js';
import { compactStatistics } from './statistics.js';
import type { EvalBatchSource, GridSettings, GridSpec, TableModelInfo, TableRow } from './types.js';

/** A model `evaluateGrid` can measure: any Module; `widthRange` gives the default widths, `inputShape` the cost's input. */
export type GridModel = Module & {
  readonly widthRange?: Range;
  inputShape?(config: SubnetConfig): readonly number[];
};

export interface EvaluateGridOptions {
  /** Calibration samples per configuration. Default 2000 (US-Net / MutualNet). */
  readonly calibrationSamples?: number;
  /** Measure latency: median of `runs` passes on `batchSize` images (default 1) on the current backend. Default false. */
  readonly latency?: LatencyOptions | false;
  /** A partial (or complete) table: its rows of this grid are kept, not re-run. */
  readonly resumeFrom?: QueryTable;
  /**
   * Called with the partial table after every row and with the complete table at the end, so an
   * interrupted run can resume (`evaluateGridToFile` in `@adaptnet/query-table/node` writes it to a file).
   */
  readonly checkpoint?: (table: QueryTable) => Promise<void>;
  /** After every row measured in this run; `done` counts resumed rows too. */
  readonly onProgress?: (row: TableRow, done: number, total: number) => void;
  /** One line per configuration. Default: stderr when it is a TTY, else silent; false silences it. */
  readonly log?: ((line: string) => void) | false;
  /** Evaluate at most this many validation batches per configuration (quick runs). */
  readonly maxBatches?: number;
  /**
   * Dispose every batch after use, for sources that make fresh batches on each call (e.g.
   * `() => stream.epoch(0)`) when nothing else disposes them. Default false: the batches are the source's.
   */
  readonly disposeBatches?: boolean;
  /** Recorded in the file (e.g. `'mobilenet-v1'`). */
  readonly architecture?: string;
  /**
   * How logits are computed for accuracy and latency: called once per configuration, after its BN
   * statistics are calibrated, with a function from images to logits (a new tensor) as the result,
   * e.g. `@adaptnet/export`'s `preparedForward(cache)`. Default `model.forward` in inference mode.
   */
  readonly forward?: (model: GridModel, config: SubnetConfig) => (x: tf.Tensor) => tf.Tensor;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`evaluateGrid: ${name} must be a positive integer, got ${v}`);
  return v;
}

function resolveSettings(options: EvaluateGridOptions): GridSettings {
  const calibrationSamples = positiveInteger('calibrationSamples', options.calibrationSamples, 2000);
  const maxBatches = options.maxBatches === undefined ? null : positiveInteger('maxBatches', options.maxBatches, 1);
  const l = options.latency;
  if (l === undefined || l === false) return { calibrationSamples, maxBatches, latency: null };
  const warmup = l.warmup ?? 1;
  if (!Number.isInteger(warmup) || warmup < 0) throw new ConfigError(`evaluateGrid: latency.warmup must be an integer >= 0, got ${warmup}`);
  return {
    calibrationSamples,
    maxBatches,
    latency: {
      runs: positiveInteger('latency.runs', l.runs, 0),
      batchSize: positiveInteger('latency.batchSize', l.batchSize, 1),
      warmup,
      backend: tf.getBackend(),
    },
  };
}

function defaultLog(): ((line: string) => void) | undefined {
  // Portable: `process` exists only in Node.
  const stderr = (globalThis as { process?: { stderr?: { isTTY?: boolean; write(s: string): unknown } } }).process?.stderr;
  return stderr?.isTTY ? (line) => stderr.write(`${line}\n`) : undefined;
}

function checkResumable(table: QueryTable, model: TableModelInfo, settings: GridSettings): void {
  const source = 'the table to resume from';
  const theirs = table.model.weightsSha256;
  if (theirs !== undefined && theirs !== model.weightsSha256) {
    throw new CheckpointError(
      'E_CHECKPOINT_MISMATCH',
      `${source} was measured on other weights (sha256 ${theirs.slice(0, 12)}…, this model ${model.weightsSha256?.slice(0, 12)}…); start a new table`,
    );
  }
  const differences = settingsDifferences(table.settings, settings);
  if (differences.length > 0) {
    throw new ConfigError(
      `${source} was measured with other settings (${differences.join('; ')}); resume with the same options or start a new table`,
    );
  }
}

/** `name: theirs → ours` for every setting that differs (rows measured differently must not mix). */
function settingsDifferences(theirs: GridSettings | undefined, ours: GridSettings): string[] {
  if (theirs === undefined) return ['the table records no settings'];
  const flat = (s: GridSettings): Record<string, unknown> => ({
    calibrationSamples: s.calibrationSamples,
    maxBatches: s.maxBatches,
    latency: s.latency === null ? 'off' : 'on',
    ...(s.latency === null ? {} : Object.fromEntries(Object.entries(s.latency).map(([k, v]) => [`latency.${k}`, v]))),
  });
  const a = flat(theirs);
  const b = flat(ours);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k}: ${String(a[k] ?? '-')} → ${String(b[k] ?? '-')}`);
}

/**
 * MutualNet §3.4 / resizable networks §3.3: for every width × resolution of the grid, calibrates
 * the BN statistics (post-statistics on `calib`), evaluates top-1 / top-5 on `val` in inference
 * mode, joins the exact MACs and parameters from `@adaptnet/flops`, optionally measures latency,
 * and returns the table with its Pareto frontiers and the frontier configurations' statistics.
 * The model keeps the statistics calibrated for every configuration (as `calibrate` does).
 */
export async function evaluateGrid(
  model: GridModel,
  grid: GridSpec,
  val: EvalBatchSource,
  calib: EvalBatchSource,
  options: EvaluateGridOptions = {},
): Promise<QueryTable> {
  const settings = resolveSettings(options);
  const info = resolveGrid(grid, model.widthRange);
  const configs = gridConfigs(info);
  const modelInfo: TableModelInfo = {
    name: model.name,
    ...(options.architecture === undefined ? {} : { architecture: options.architecture }),
    parameters: model.parameterCount(),
    weightsSha256: weightsFingerprint(model),
  };
  const log = options.log === false ? undefined : (options.log ?? defaultLog());
  const disposeBatches = options.disposeBatches ?? false;

  const measured = new Map<string, TableRow>();
  const statistics = new Map<string, BnStatistics>();
  if (options.resumeFrom !== undefined) {
    const table = options.resumeFrom;
    checkResumable(table, modelInfo, settings);
    const inGrid = new Set(configs.map(configKey));
    for (const row of table.rows) if (inGrid.has(row.key)) measured.set(row.key, row);
    for (const row of measured.values()) {
      const stats = table.statisticsFor(row.key);
      if (stats) statistics.set(row.key, stats);
    }
    log?.(`[table] resuming: ${measured.size} of ${configs.length} configurations already measured`);
  }

  const calibrated = async (config: SubnetConfig): Promise<BnStatistics> => {
    await calibrate(model, () => imagesAt(calib, config.resolution, disposeBatches), [config], { samples: settings.calibrationSamples });
    return compactStatistics(exportStatistics(model, config));
  };

  const tableOf = (complete: boolean) =>
    new QueryTable({
      rows: configs.flatMap((c) => measured.get(configKey(c)) ?? []),
      statistics,
      model: modelInfo,
      grid: info,
      settings,
      complete,
    });

  // Kept rows that reach a frontier only because this grid is smaller than the resumed one have
  // no stored statistics: calibrate those again (their accuracy stands; calibration is deterministic).
  const resumed = tableOf(false);
  for (const row of [...resumed.frontier, ...resumed.latencyFrontier]) {
    if (!statistics.has(row.key)) statistics.set(row.key, await calibrated(row.config));
  }

  for (const config of configs) {
    const key = configKey(config);
    if (measured.has(key)) continue;
    const t0 = performance.now();
    const stats = await calibrated(config);
    const run = options.forward?.(model, config);
    const acc = await accuracyOf(model, config, val, {
      ...(run === undefined ? {} : { forward: run }),
      disposeBatches,
      ...(settings.maxBatches === null ? {} : { maxBatches: settings.maxBatches }),
    });
    const imageShape = [1, ...acc.inputShape.slice(1)];
    const cost = costOf(model, config, model.inputShape ? undefined : imageShape);
    const latencyMs = settings.latency
      ? measureLatency(run ?? model, config, [settings.latency.batchSize, ...acc.inputShape.slice(1)], settings.latency)
      : undefined;
    const row: TableRow = {
      config,
      key,
      macs: cost.macs,
      params: cost.params,
      top1: acc.top1,
      top5: acc.top5,
      samples: acc.samples,
      ...(latencyMs === undefined ? {} : { latencyMs }),
    };
    measured.set(key, row);
    statistics.set(key, stats);
    // A row off the frontier of a subset stays off it as rows are added: keep only frontier statistics.
    const partial = tableOf(false);
    for (const k of [...statistics.keys()]) if (partial.statisticsFor(k) === undefined) statistics.delete(k);
    await options.checkpoint?.(partial);
    log?.(formatRowLine(row, measured.size, configs.length, (performance.now() - t0) / 1000));
    options.onProgress?.(row, measured.size, configs.length);
  }

  const table = tableOf(true);
  await options.checkpoint?.(table);
  return table;
}
