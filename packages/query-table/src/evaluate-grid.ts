import { CheckpointError, ConfigError, configKey, type Module, type Range, type SubnetConfig } from '@adaptnet/core';
import { costOf } from '@adaptnet/flops';
import { type BnStatistics, calibrate, exportStatistics } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import { accuracyOf } from './accuracy.js';
import { weightsFingerprint } from './fingerprint.js';
import { formatRowLine } from './format.js';
import { gridConfigs, resolveGrid } from './grid.js';
import { inputsAt } from './inputs.js';
import { type LatencyOptions, measureLatency } from './latency.js';
import { QueryTable } from './query-table.js';
import { compactStatistics } from './statistics.js';
import {
  type EvalBatchSource,
  type GridSettings,
  type GridSpec,
  type MetricInfo,
  type MetricRow,
  type RowInit,
  type TableModelInfo,
  type TableRow,
  TOP1_METRIC,
} from './types.js';

/**
 * A model `evaluateGrid` can measure: any Module; `widthRange` gives the default widths,
 * `inputShape(config)` the cost's input and, for video models, the clip each configuration reads
 * (`[1, T, S, S, C]` → `inputs({ resolution: S, frames: T })`; SlowFast's is the full clip).
 */
export type GridModel = Module & {
  readonly widthRange?: Range;
  inputShape?(config: SubnetConfig): readonly number[];
};

/** What an evaluator measures at one configuration (the model is calibrated for it and in inference mode). */
export interface MetricResult {
  /** The table's metric; higher is better. */
  readonly value: number;
  /** The tie-breaking metric, exactly when `metric.secondary` is set. */
  readonly secondary?: number;
  /** Evaluation samples (predictions) the value was computed on. */
  readonly samples: number;
  /** Samples averaged per prediction (multi-view testing). Default 1. */
  readonly views?: number;
}

export interface EvaluatorContext {
  /** `options.maxBatches`, when set: evaluate at most this many batches. */
  readonly maxBatches?: number;
}

/**
 * Measures the metric of `model` at `config`, e.g. box AP of a detector built on it. Called once per
 * configuration, after BN calibration; run the model with `makeContext(config, false)`.
 */
export type GridEvaluator = (model: GridModel, config: SubnetConfig, context: EvaluatorContext) => Promise<MetricResult>;

export interface EvaluateGridOptions {
  /** Calibration samples per configuration. Default 2000 (US-Net / MutualNet). */
  readonly calibrationSamples?: number;
  /** Measure latency: median of `runs` passes on `batchSize` images (default 1) on the current backend. Default false. */
  readonly latency?: LatencyOptions | false;
  /** A partial (or complete) table: its rows of this grid are kept, not re-run. */
  readonly resumeFrom?: QueryTable<MetricRow>;
  /**
   * Called with the partial table after every row and with the complete table at the end, so an
   * interrupted run can resume (`evaluateGridToFile` in `@adaptnet/query-table/node` writes it to a file).
   */
  readonly checkpoint?: (table: QueryTable<MetricRow>) => Promise<void>;
  /** After every row measured in this run; `done` counts resumed rows too. */
  readonly onProgress?: (row: MetricRow, done: number, total: number) => void;
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
   * statistics are calibrated, with a function from inputs to logits (a new tensor) as the result,
   * e.g. `@adaptnet/export`'s `preparedForward(cache)`. Default `model.forward` in inference mode.
   * Top-1 tables only: a custom `evaluate` runs the model its own way.
   */
  readonly forward?: (model: GridModel, config: SubnetConfig) => (x: tf.Tensor) => tf.Tensor;
}

/** `evaluateGrid` with another metric than top-1: the evaluator and the metric's name. */
export interface MetricGridOptions extends EvaluateGridOptions {
  /** Measures each configuration (replaces the top-1 / top-5 evaluation on `val`). */
  readonly evaluate: GridEvaluator;
  /** The metric's name (recorded in the table), e.g. `{ name: 'box AP', secondary: 'AP50' }`. */
  readonly metric: MetricInfo;
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

function checkResumable(table: QueryTable<MetricRow>, model: TableModelInfo, settings: GridSettings, metric: MetricInfo): void {
  const source = 'the table to resume from';
  if (table.metric.name !== metric.name || table.metric.secondary !== metric.secondary) {
    throw new ConfigError(
      `${source} measures ${JSON.stringify(table.metric)}, not ${JSON.stringify(metric)}; resume with the same metric or start a new table`,
    );
  }
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

/**
 * The settings that differ between `table` and a build with `options` (`name: theirs → ours`),
 * none when it can be resumed as far as settings go: a caller can move such a table aside and
 * start over instead of having `evaluateGrid` refuse it.
 */
export function gridSettingsDifferences(table: QueryTable<MetricRow>, options: EvaluateGridOptions | MetricGridOptions): string[] {
  return settingsDifferences(table.settings, resolveSettings(options));
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

function checkResult(result: MetricResult, config: SubnetConfig, metric: MetricInfo): RowInit {
  const where = `evaluateGrid: the evaluator's result for ${configKey(config)}`;
  if (typeof result !== 'object' || result === null || !Number.isFinite(result.value)) {
    throw new ConfigError(`${where} must be { value, secondary?, samples, views? } with a finite value, got ${JSON.stringify(result)}`);
  }
  if ((result.secondary !== undefined) !== (metric.secondary !== undefined)) {
    throw new ConfigError(
      metric.secondary === undefined
        ? `${where} has a secondary value, but the metric ${metric.name} names none`
        : `${where} has no secondary value (${metric.secondary})`,
    );
  }
  return {
    config,
    key: configKey(config),
    macs: 0,
    params: 0,
    value: result.value,
    ...(result.secondary === undefined ? {} : { secondary: result.secondary }),
    samples: result.samples,
    views: result.views ?? 1,
  };
}

/**
 * MutualNet §3.4 / resizable networks §3.3 / TPAMI §6.5: for every width × resolution (× frames)
 * of the grid, calibrates the BN statistics (post-statistics on `calib`: images, or clips for
 * configurations with frames), evaluates the metric in inference mode (default: top-1 / top-5 on
 * `val`, multi-view clips averaged; or `options.evaluate`), joins the exact MACs per view and the
 * parameters from `@adaptnet/flops`, optionally measures latency, and returns the table with its
 * Pareto frontiers and the frontier configurations' statistics. The model keeps the statistics
 * calibrated for every configuration (as `calibrate` does).
 */
export function evaluateGrid(
  model: GridModel,
  grid: GridSpec,
  val: EvalBatchSource | null,
  calib: EvalBatchSource,
  options: MetricGridOptions,
): Promise<QueryTable<MetricRow>>;
export function evaluateGrid(
  model: GridModel,
  grid: GridSpec,
  val: EvalBatchSource,
  calib: EvalBatchSource,
  options?: EvaluateGridOptions,
): Promise<QueryTable<TableRow>>;
export async function evaluateGrid(
  model: GridModel,
  grid: GridSpec,
  val: EvalBatchSource | null,
  calib: EvalBatchSource,
  options: EvaluateGridOptions | MetricGridOptions = {},
): Promise<QueryTable<MetricRow>> {
  const settings = resolveSettings(options);
  const custom = 'evaluate' in options && options.evaluate !== undefined ? (options as MetricGridOptions) : undefined;
  if (custom === undefined && typeof val !== 'function') {
    throw new ConfigError('evaluateGrid: val must be a batch source, () => Iterable<EvalBatch>, unless options.evaluate is given');
  }
  if (custom !== undefined && typeof custom.evaluate !== 'function') {
    throw new ConfigError('evaluateGrid: options.evaluate must be a function (model, config, context) => Promise<{ value, samples }>');
  }
  const metric = custom === undefined ? TOP1_METRIC : custom.metric;
  if (custom !== undefined && (typeof metric !== 'object' || metric === null || typeof metric.name !== 'string' || metric.name === '')) {
    throw new ConfigError('evaluateGrid: options.metric must be { name, secondary? } when options.evaluate is given');
  }
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

  const measured = new Map<string, MetricRow>();
  const statistics = new Map<string, BnStatistics>();
  if (options.resumeFrom !== undefined) {
    const table = options.resumeFrom;
    checkResumable(table, modelInfo, settings, metric);
    const inGrid = new Set(configs.map(configKey));
    for (const row of table.rows) if (inGrid.has(row.key)) measured.set(row.key, row);
    for (const row of measured.values()) {
      const stats = table.statisticsFor(row.key);
      if (stats) statistics.set(row.key, stats);
    }
    log?.(`[table] resuming: ${measured.size} of ${configs.length} configurations already measured`);
  }

  /** Calibrates `config` on `calib`; returns the statistics and the shape of its first input. */
  const calibrated = async (config: SubnetConfig): Promise<{ stats: BnStatistics; inputShape: readonly number[] }> => {
    let inputShape: readonly number[] | undefined;
    const inputs = () =>
      inputsAt(model, calib, config, disposeBatches, (shape) => {
        inputShape ??= shape;
      });
    await calibrate(model, inputs, [config], { samples: settings.calibrationSamples });
    return { stats: compactStatistics(exportStatistics(model, config)), inputShape: inputShape as readonly number[] };
  };

  const tableOf = (complete: boolean) =>
    new QueryTable<MetricRow>({
      metric,
      rows: configs.flatMap((c) => measured.get(configKey(c)) ?? []),
      statistics,
      model: modelInfo,
      grid: info,
      settings,
      complete,
    });

  // Kept rows that reach a frontier only because this grid is smaller than the resumed one have
  // no stored statistics: calibrate those again (their metric stands; calibration is deterministic).
  const resumed = tableOf(false);
  for (const row of [...resumed.frontier, ...resumed.latencyFrontier]) {
    if (!statistics.has(row.key)) statistics.set(row.key, (await calibrated(row.config)).stats);
  }

  const maxBatches = settings.maxBatches === null ? {} : { maxBatches: settings.maxBatches };
  for (const config of configs) {
    const key = configKey(config);
    if (measured.has(key)) continue;
    const t0 = performance.now();
    const { stats, inputShape } = await calibrated(config);
    let result: RowInit;
    const run = custom === undefined ? options.forward?.(model, config) : undefined;
    if (custom === undefined) {
      const acc = await accuracyOf(model, config, val as EvalBatchSource, {
        ...(run === undefined ? {} : { forward: run }),
        disposeBatches,
        ...maxBatches,
      });
      result = {
        config,
        key,
        macs: 0,
        params: 0,
        value: acc.top1,
        secondary: acc.top5,
        samples: acc.samples,
        views: acc.views,
      };
    } else {
      result = checkResult(await custom.evaluate(model, config, maxBatches), config, metric);
    }
    const sampleShape = [1, ...inputShape.slice(1)];
    const cost = costOf(model, config, model.inputShape ? undefined : sampleShape);
    const latencyMs = settings.latency
      ? measureLatency(run ?? model, config, [settings.latency.batchSize, ...inputShape.slice(1)], settings.latency)
      : undefined;
    const partialRow = new QueryTable<MetricRow>({
      metric,
      rows: [{ ...result, macs: cost.macs, params: cost.params, ...(latencyMs === undefined ? {} : { latencyMs }) }],
    }).rows[0] as MetricRow;
    measured.set(key, partialRow);
    statistics.set(key, stats);
    // A row off the frontier of a subset stays off it as rows are added: keep only frontier statistics.
    const partial = tableOf(false);
    for (const k of [...statistics.keys()]) if (partial.statisticsFor(k) === undefined) statistics.delete(k);
    await options.checkpoint?.(partial);
    log?.(formatRowLine(partialRow, measured.size, configs.length, (performance.now() - t0) / 1000, metric));
    options.onProgress?.(partialRow, measured.size, configs.length);
  }

  const table = tableOf(true);
  await options.checkpoint?.(table);
  return table;
}
