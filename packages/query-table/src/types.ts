import type { SubnetConfig } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * One batch of labelled images, resizable to any resolution (`@adaptnet/data`'s
 * `MultiResolutionBatch` has exactly these members; typed here structurally).
 */
export interface EvalBatch {
  /** Class indices, int32. */
  readonly labels: tf.Tensor1D;
  /** The batch's images at `resolution`; owned (and cached) by the batch. */
  images(resolution: number): tf.Tensor4D;
  dispose(): void;
}

/** Called once per configuration, so it must be re-iterable, e.g. `() => stream.epoch(0)`. */
export type EvalBatchSource = () => AsyncIterable<EvalBatch> | Iterable<EvalBatch>;

/** One measured configuration. Accuracies are fractions in [0, 1]. */
export interface TableRow {
  readonly config: SubnetConfig;
  /** `configKey(config)`. */
  readonly key: string;
  /** Multiply-adds per image (`@adaptnet/flops`). */
  readonly macs: number;
  /** Parameters of the active subnet. */
  readonly params: number;
  readonly top1: number;
  readonly top5: number;
  /** Validation samples the accuracies were counted on. */
  readonly samples: number;
  /** Median latency of one forward pass (batch `settings.latency.batchSize`), when measured. */
  readonly latencyMs?: number;
}

/** What a table can be queried by. */
export type CostKind = 'macs' | 'latencyMs';

export type Budget = { readonly maxMacs: number } | { readonly maxLatencyMs: number };

export interface GridSpec {
  /** Default: `defaultWidths(model.widthRange, widthStep)`. */
  readonly widths?: readonly number[];
  /** The resolutions the model was trained at. */
  readonly resolutions: readonly number[];
  /** Default 0.05 (MutualNet §3.4). */
  readonly widthStep?: number;
}

/** The resolved grid a table was built over. */
export interface GridInfo {
  readonly widths: readonly number[];
  readonly resolutions: readonly number[];
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
