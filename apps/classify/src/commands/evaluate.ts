import { existsSync } from 'node:fs';
import type { Backbone } from '@adaptnet/backbones';
import { ConfigError } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { PreparedCache, preparedForward } from '@adaptnet/export';
import { formatMflops } from '@adaptnet/flops';
import { type EvaluateGridOptions, evaluateGrid, type QueryTable } from '@adaptnet/query-table';
import { evaluateGridToFile, saveQueryTable } from '@adaptnet/query-table/node';
import { recordTableAndPlot, setAsideOnNewSettings, tableReport, whyTableCannotResume } from '@adaptnet/train/node';
import { calibrationStream, evalStream, loadSplit } from '../data.js';
import { checkResolution } from '../limits.js';
import { architectureId } from '../model.js';
import type { Output } from '../output.js';
import { loadVerifiedModel, openRun, rebuildTableCommand, TABLE_FILE } from '../run-folder.js';
import type { RunManifest } from '../run-manifest.js';

export { PLOT_FILE, TABLE_FILE } from '../run-folder.js';

export interface MeasureOptions {
  readonly calibrationSamples?: number;
  readonly maxBatches?: number;
  readonly latencyRuns?: number;
  readonly log?: (line: string) => void;
  readonly checkpointPath?: string;
  /** With `checkpointPath`: what to do with a table there measured with other settings (refused without). */
  readonly onSettingsChanged?: (differences: readonly string[]) => Promise<void>;
}

/** Calibrates and evaluates `model` (a run's network) over a width × resolution grid on the test split. */
export async function measureGrid(
  manifest: RunManifest,
  model: Backbone,
  grid: { widths?: readonly number[]; resolutions: readonly number[]; widthStep?: number },
  options: MeasureOptions = {},
): Promise<QueryTable> {
  if (manifest.train.strategy === 'resizable') {
    throw new ConfigError(
      'tables of resizable networks (per-stage scales) are not supported yet; evaluate them with `eval`-style code from @adaptnet/query-table',
    );
  }
  const dataSpec = { dataset: manifest.data.dataset, ...(manifest.data.dir === undefined ? {} : { dir: manifest.data.dir }) };
  const [test, train] = await Promise.all([loadSplit(dataSpec, 'test'), loadSplit(dataSpec, 'train')]);
  const samples = Math.min(options.calibrationSamples ?? 2000, train.size);
  const val = evalStream(test, manifest.data);
  const calib = calibrationStream(train, manifest.data, samples, manifest.train.seed);
  // Each configuration is calibrated, then prepared once (sliced, BN folded) and evaluated on the fused path.
  const cache = new PreparedCache(model, { maxEntries: 1 });
  const gridOptions: EvaluateGridOptions = {
    forward: preparedForward(cache),
    calibrationSamples: samples,
    disposeBatches: true,
    architecture: architectureId(manifest.model),
    log: options.log ?? false,
    ...(options.maxBatches === undefined ? {} : { maxBatches: options.maxBatches }),
    ...(options.latencyRuns === undefined ? {} : { latency: { runs: options.latencyRuns } }),
  };
  const val0 = () => val.epoch(0);
  const calib0 = () => calib.epoch(0);
  try {
    return await (options.checkpointPath === undefined
      ? evaluateGrid(model, grid, val0, calib0, gridOptions)
      : evaluateGridToFile(options.checkpointPath, model, grid, val0, calib0, {
          ...gridOptions,
          ...(options.onSettingsChanged === undefined ? {} : { onSettingsChanged: options.onSettingsChanged }),
        }));
  } finally {
    cache.dispose();
  }
}

/** The grid a run's strategy trained: widths × resolutions (individual: its one configuration). */
export function trainedGrid(
  manifest: RunManifest,
  widthStep?: number,
): { widths?: readonly number[]; resolutions: readonly number[]; widthStep?: number } {
  const t = manifest.train;
  if (t.strategy === 'individual')
    return { widths: [t.width ?? manifest.model.widthRange.max], resolutions: [t.resolution ?? Math.max(...t.resolutions)] };
  if (t.strategy === 'rsnet') return { widths: [manifest.model.widthRange.max], resolutions: t.resolutions };
  if (t.strategy === 'usnet') return { resolutions: [Math.max(...t.resolutions)], ...(widthStep === undefined ? {} : { widthStep }) };
  return { resolutions: t.resolutions, ...(widthStep === undefined ? {} : { widthStep }) };
}

export interface TableFlags {
  readonly run: string;
  readonly widthStep?: number;
  readonly calibrationSamples?: number;
  readonly latencyRuns?: number;
  readonly maxBatches?: number;
  readonly png?: boolean;
}

/** `adaptnet-classify table`: the query table next to the weights, its plot, and the frontier. */
export async function tableCommand(flags: TableFlags, out: Output): Promise<QueryTable> {
  const { folder, manifest } = await openRun(flags.run, { lock: true, log: (line) => out.info(line) });
  try {
    await initBackend({ log: (line) => out.info(line) });
    const { model, record } = await loadVerifiedModel(folder, manifest);
    try {
      const path = folder.path(TABLE_FILE);
      if (existsSync(path)) {
        const why = await whyTableCannotResume(folder, model, { rebuild: rebuildTableCommand(folder.dir) });
        if (why !== undefined)
          out.info(`[table] ${path} cannot be resumed (${why}); moved it to ${await folder.setAside(TABLE_FILE)} and starting over`);
      }
      const table = await measureGrid(manifest, model, trainedGrid(manifest, flags.widthStep), {
        checkpointPath: path,
        onSettingsChanged: setAsideOnNewSettings(folder, (line) => out.info(line)),
        log: (line) => out.info(line),
        ...(flags.calibrationSamples === undefined ? {} : { calibrationSamples: flags.calibrationSamples }),
        ...(flags.latencyRuns === undefined ? {} : { latencyRuns: flags.latencyRuns }),
        ...(flags.maxBatches === undefined ? {} : { maxBatches: flags.maxBatches }),
      });
      await saveQueryTable(table, path);
      const plot = await recordTableAndPlot(folder, table, path, {
        modelSha256: record.sha256,
        title: `${manifest.train.strategy} ${manifest.model.architecture} on ${manifest.data.dataset}`,
        png: flags.png,
      });
      for (const line of tableReport(table, path, plot)) out.result(line);
      return table;
    } finally {
      model.dispose();
    }
  } finally {
    await folder.close();
  }
}

export interface EvalFlags {
  readonly run: string;
  readonly width?: number;
  readonly resolution?: number;
  readonly calibrationSamples?: number;
  readonly maxBatches?: number;
  /** Evaluate a resolution the run did not train (refused otherwise). */
  readonly allowUntrained?: boolean;
}

/** The resolutions a run trained: those of its table's grid (US-Net and individual runs: one). */
export function trainedResolutions(manifest: RunManifest): readonly number[] {
  return trainedGrid(manifest).resolutions;
}

/** `adaptnet-classify eval`: calibrate and evaluate one configuration (default: the full network). */
export async function evalCommand(flags: EvalFlags, out: Output): Promise<QueryTable> {
  const { folder, manifest } = await openRun(flags.run);
  const trained = trainedResolutions(manifest);
  const resolution = flags.resolution ?? Math.max(...trained);
  checkResolution(resolution, manifest.model.inChannels, undefined, '--resolution');
  if (!trained.includes(resolution)) {
    if (!flags.allowUntrained) {
      throw new ConfigError(
        `--resolution ${resolution}: resolution ${resolution} was not trained (trained: ${trained.join(', ')}); pass --allow-untrained to evaluate it anyway`,
      );
    }
    out.info(`[eval] note: resolution ${resolution} was not trained (trained: ${trained.join(', ')}); expect lower accuracy`);
  }
  await initBackend({ log: (line) => out.info(line) });
  const { model } = await loadVerifiedModel(folder, manifest);
  try {
    const width = flags.width ?? manifest.model.widthRange.max;
    const table = await measureGrid(
      manifest,
      model,
      { widths: [width], resolutions: [resolution] },
      {
        ...(flags.calibrationSamples === undefined ? {} : { calibrationSamples: flags.calibrationSamples }),
        ...(flags.maxBatches === undefined ? {} : { maxBatches: flags.maxBatches }),
      },
    );
    const row = table.rows[0];
    if (row) {
      out.result(
        `width ${row.config.width} resolution ${row.config.resolution}: ${formatMflops(row.macs)}, ${row.params} params, top-1 ${(row.top1 * 100).toFixed(2)}%, top-5 ${(row.top5 * 100).toFixed(2)}% on ${row.samples} images`,
      );
    }
    return table;
  } finally {
    model.dispose();
  }
}
