import type { InputSize, SubnetConfig } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * One batch of labelled images or clips, made at any input size: the batch interface training
 * reads too (`@adaptnet/data`'s `MultiResolutionBatch` and `VideoBatch`, `@adaptnet/detection`'s
 * `DetectionBatch`; typed here structurally). Image batches give `[N, r, r, C]` whatever
 * `size.frames` says; clip batches `[samples, frames, r, r, C]`. With `views` > 1 every clip is
 * `views` consecutive samples (e.g. K temporal windows × spatial crops), whose scores are averaged
 * per clip.
 */
export interface EvalBatch {
  /** Class indices, int32, one per sample (a clip's views share its label). */
  readonly labels: tf.Tensor1D;
  /** Samples per clip. Default 1. */
  readonly views?: number;
  /** The batch's input at `size`; owned (and cached) by the batch. */
  inputs(size: InputSize): tf.Tensor;
  dispose(): void;
}

/** Called once per configuration, so it must be re-iterable, e.g. `() => stream.epoch(0)`. */
export type EvalBatchSource<B = EvalBatch> = () => AsyncIterable<B> | Iterable<B>;

/** The metric a table ranks configurations by (higher is better). */
export interface MetricInfo {
  /** E.g. `'top-1'` (the default, classification) or `'box AP'`. */
  readonly name: string;
  /** A second metric that breaks ties between equal values (`'top-5'` for top-1), if any. */
  readonly secondary?: string;
}

/** The classification metric: top-1, ties broken by top-5. */
export const TOP1_METRIC: MetricInfo = Object.freeze({ name: 'top-1', secondary: 'top-5' });

/** One measured configuration, for any metric. */
export interface MetricRow {
  readonly config: SubnetConfig;
  /** `configKey(config)`. */
  readonly key: string;
  /** Multiply-adds of one forward pass on one sample, i.e. per view (`@adaptnet/flops`). */
  readonly macs: number;
  /** Samples averaged per prediction (multi-view testing): the cost of one prediction is `macs × views`. */
  readonly views: number;
  /** Parameters of the active subnet. */
  readonly params: number;
  /** The table's metric (`QueryTable.metric.name`); higher is better. Accuracies are fractions in [0, 1]. */
  readonly value: number;
  /** The tie-breaking metric (`metric.secondary`), when the table has one. */
  readonly secondary?: number;
  /** Evaluation samples (clips or images; a multi-view clip counts once) the metric was computed on. */
  readonly samples: number;
  /** Median latency of one forward pass (batch `settings.latency.batchSize`), when measured. */
  readonly latencyMs?: number;
}

/** A row of a classification table (metric `top-1`): `top1` = `value`, `top5` = `secondary`. */
export interface TableRow extends MetricRow {
  readonly top1: number;
  readonly top5: number;
}

/**
 * What the `QueryTable` constructor takes per row: the metric as `value` (and `secondary`), or,
 * for top-1 tables, as `top1` / `top5`; `views` defaults to 1.
 */
export interface RowInit {
  readonly config: SubnetConfig;
  readonly key: string;
  readonly macs: number;
  readonly views?: number;
  readonly params: number;
  readonly value?: number;
  readonly secondary?: number;
  readonly top1?: number;
  readonly top5?: number;
  readonly samples: number;
  readonly latencyMs?: number;
}

/** The configuration dimensions a frontier step can change. */
export type Dimension = 'width' | 'spatial' | 'temporal';

/** What a frontier step changes: one dimension, or `'several'` (the paper's black segments). */
export type StepChange = Dimension | 'several';

/** A frontier row and what changed from the previous (cheaper) frontier row. */
export interface FrontierStep<R extends MetricRow = TableRow> {
  readonly row: R;
  /** `null` for the cheapest row. */
  readonly change: StepChange | null;
  /** The dimensions that differ from the previous frontier row (empty for the first). */
  readonly dimensions: readonly Dimension[];
}

/** What a table can be queried by. */
export type CostKind = 'macs' | 'latencyMs';

/**
 * How a command-line tool spells a budget, for its errors: the value the user typed is the limit ÷
 * `per` (e.g. `{ name: '--max-mflops', per: 1e6 }` for a `maxMacs` budget).
 */
export interface BudgetFlag {
  readonly name: string;
  readonly per: number;
}

export type Budget =
  | { readonly maxMacs: number; readonly flag?: BudgetFlag }
  | { readonly maxLatencyMs: number; readonly flag?: BudgetFlag };

export interface GridSpec {
  /** Default: `defaultWidths(model.widthRange, widthStep)`. */
  readonly widths?: readonly number[];
  /** The resolutions the model was trained at. */
  readonly resolutions: readonly number[];
  /** Video models: the clip lengths (`SubnetConfig.frames`) the model was trained at. Absent: a 2D grid. */
  readonly frames?: readonly number[];
  /** Default 0.05 (MutualNet §3.4). */
  readonly widthStep?: number;
}

/** The resolved grid a table was built over. */
export interface GridInfo {
  readonly widths: readonly number[];
  readonly resolutions: readonly number[];
  /** Present for width × spatial × temporal grids. */
  readonly frames?: readonly number[];
}

/** Identifies the weights a table was measured on. */
export interface TableModelInfo {
  /** `Module.name`. */
  readonly name: string;
  /** E.g. the registry name `'mobilenet-v1'`, when the caller gives it. */
  readonly architecture?: string;
  /** Trainable parameters at full size. */
  readonly parameters?: number;
  /** sha256 over the trainable variables (names, shapes, values); calibration does not change it. */
  readonly weightsSha256?: string;
}

export interface LatencySettings {
  readonly runs: number;
  readonly batchSize: number;
  readonly warmup: number;
  /** The tfjs backend the latencies were measured on. */
  readonly backend: string;
}

/** How the rows were measured; a resumed run must use the same settings. */
export interface GridSettings {
  readonly calibrationSamples: number;
  readonly maxBatches: number | null;
  readonly latency: LatencySettings | null;
}
