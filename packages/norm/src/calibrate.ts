import { ConfigError, configKey, type Module, ShapeError, type SubnetConfig } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { type CalibrationContext, CalibrationSession } from './calibration-session.js';
import { findBatchNorms } from './registry.js';
import type { SwitchableBatchNorm } from './switchable-batch-norm.js';

type Batches = Iterable<tf.Tensor> | AsyncIterable<tf.Tensor>;

/**
 * Input batches (first axis = samples). A function is called once per configuration, so one-shot
 * generators work and each configuration may get its own resolution; a plain iterable (e.g. an
 * array) is iterated afresh for each configuration.
 */
export type BatchSource = Batches | ((config: SubnetConfig) => Batches);

export interface CalibrateOptions {
  /** Samples (images or clips) per configuration. Default 2000 (US-Net: enough for accurate statistics). */
  readonly samples?: number;
  /** Dispose each batch after use. Default false: the caller owns the batches. */
  readonly disposeBatches?: boolean;
  /** Called after each configuration is calibrated (for progress bars over long grids). */
  readonly onProgress?: (report: CalibrationReport, done: number, total: number) => void;
}

export interface CalibrationReport {
  readonly config: SubnetConfig;
  readonly configKey: string;
  readonly samples: number;
  /** Batches taken from the source (the last one possibly sliced). */
  readonly batches: number;
  /** Paths of the BN layers calibrated, with the key each stored its statistics under. */
  readonly layers: readonly { readonly path: string; readonly key: string }[];
}

function open(source: BatchSource, config: SubnetConfig): Iterator<tf.Tensor> | AsyncIterator<tf.Tensor> {
  const batches = typeof source === 'function' ? source(config) : source;
  return Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : batches[Symbol.iterator]();
}

/**
 * Post-statistics of BatchNorm (US-Net / MutualNet): for each configuration, runs the model on
 * exactly `samples` samples, every SwitchableBatchNorm normalising with batch statistics and
 * accumulating the exact pooled mean and variance of its inputs (float64, not an EMA), then
 * replaces that configuration's running statistics with mean and unbiased variance. The source
 * is read only as far as needed: the batch that reaches `samples` is sliced and no further batch
 * is requested. Nothing is written for a configuration whose run fails.
 */
export async function calibrate(
  model: Module,
  batches: BatchSource,
  configs: readonly SubnetConfig[],
  options: CalibrateOptions = {},
): Promise<CalibrationReport[]> {
  const samples = options.samples ?? 2000;
  if (!Number.isInteger(samples) || samples <= 0) throw new ConfigError(`calibrate: samples must be a positive integer, got ${samples}`);
  if (configs.length === 0) throw new ConfigError('calibrate: no configurations given');
  const paths = new Map(findBatchNorms(model).map(({ path, bn }) => [bn, path]));
  const reports: CalibrationReport[] = [];
  for (const config of configs) {
    const session = new CalibrationSession();
    const ctx: CalibrationContext = { config, training: false, bnCalibration: session };
    const it = open(batches, config);
    let seen = 0;
    let pulled = 0;
    try {
      while (seen < samples) {
        const next = await it.next();
        if (next.done) {
          throw new ConfigError(
            `calibrate: ${configKey(config)} needs ${samples} samples but the batches ended after ${seen}; pass { samples: ${seen} } or more batches`,
          );
        }
        pulled++;
        const batch = next.value;
        if (!(batch instanceof tf.Tensor) || batch.rank < 1 || (batch.shape[0] as number) < 1) {
          throw new ShapeError(`calibrate: batch ${pulled} must be a tensor with samples on its first axis`);
        }
        const take = Math.min(batch.shape[0] as number, samples - seen);
        const x =
          take < (batch.shape[0] as number)
            ? tf.slice(
                batch,
                batch.shape.map(() => 0),
                [take, ...batch.shape.slice(1)],
              )
            : batch;
        try {
          tf.dispose(tf.tidy(() => model.forward(x, ctx)));
        } finally {
          if (x !== batch) x.dispose();
          if (options.disposeBatches) batch.dispose();
        }
        seen += take;
      }
    } finally {
      await it.return?.();
    }
    const results = session.results<SwitchableBatchNorm>();
    if (results.size === 0) {
      throw new ConfigError(
        `calibrate: no SwitchableBatchNorm recorded statistics for ${configKey(config)}; the model must pass the forward context on to its layers`,
      );
    }
    const layers: { path: string; key: string }[] = [];
    for (const [bn, stats] of results) {
      const key = bn.keyFor(config);
      bn.setStatistics(key, stats.mean, stats.variance);
      layers.push({ path: paths.get(bn) ?? bn.name, key });
    }
    const report: CalibrationReport = { config, configKey: configKey(config), samples: seen, batches: pulled, layers };
    reports.push(report);
    options.onProgress?.(report, reports.length, configs.length);
  }
  return reports;
}
