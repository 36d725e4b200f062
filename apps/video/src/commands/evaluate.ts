import { existsSync } from 'node:fs';
import type { Backbone } from '@adaptnet/backbones';
import { ConfigError } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { formatMflops } from '@adaptnet/flops';
import { type EvaluateGridOptions, evaluateGrid, type QueryTable } from '@adaptnet/query-table';
import { evaluateGridToFile, saveQueryTable } from '@adaptnet/query-table/node';
import { recordTableAndPlot, setAsideOnNewSettings, tableReport, whyTableCannotResume } from '@adaptnet/train/node';
import { calibrationStream, evalStream, loadSplit, splitSpec } from '../data.js';
import { checkResolution, EVAL_BATCH } from '../limits.js';
import { architectureId, framesOf } from '../model.js';
import type { Output } from '../output.js';
import { loadVerifiedModel, openRun, rebuildTableCommand, TABLE_FILE } from '../run-folder.js';
import type { RunManifest } from '../run-manifest.js';

export { PLOT_FILE, TABLE_FILE } from '../run-folder.js';

/** Calibration clips per configuration when not given (of the training split). */
export const DEFAULT_CALIBRATION_CLIPS = 200;

export interface MeasureOptions {
  readonly calibrationClips?: number;
  readonly maxBatches?: number;
  readonly latencyRuns?: number;
  readonly views?: number;
  readonly log?: (line: string) => void;
  readonly checkpointPath?: string;
  /** With `checkpointPath`: what to do with a table there measured with other settings (refused without). */
  readonly onSettingsChanged?: (differences: readonly string[]) => Promise<void>;
}

export interface VideoGrid {
  readonly widths?: readonly number[];
  readonly resolutions: readonly number[];
  readonly frames: readonly number[];
  readonly widthStep?: number;
}

/** Calibrates and evaluates `model` (a run's network) over a width × resolution × frames grid on the test clips. */
export async function measureGrid(
  manifest: RunManifest,
  model: Backbone,
  grid: VideoGrid,
  options: MeasureOptions = {},
): Promise<QueryTable> {
  const spec = splitSpec(manifest);
  const [test, train] = await Promise.all([loadSplit(spec, 'test'), loadSplit(spec, 'train')]);
  const samples = Math.min(options.calibrationClips ?? DEFAULT_CALIBRATION_CLIPS, train.size);
  const val = evalStream(test, manifest.data, EVAL_BATCH, options.views ?? 1);
  const calib = calibrationStream(train, manifest.data, samples, manifest.train.seed, EVAL_BATCH);
  const gridOptions: EvaluateGridOptions = {
    calibrationSamples: samples,
    disposeBatches: true,
    architecture: architectureId(manifest.model),
    log: options.log ?? false,
    ...(options.maxBatches === undefined ? {} : { maxBatches: options.maxBatches }),
    ...(options.latencyRuns === undefined ? {} : { latency: { runs: options.latencyRuns } }),
  };
  const val0 = () => val.epoch(0);
  const calib0 = () => calib.epoch(0);
  return options.checkpointPath === undefined
    ? evaluateGrid(model, grid, val0, calib0, gridOptions)
    : evaluateGridToFile(options.checkpointPath, model, grid, val0, calib0, {
        ...gridOptions,
        ...(options.onSettingsChanged === undefined ? {} : { onSettingsChanged: options.onSettingsChanged }),
      });
}

/** The trained resolutions and frame counts of a run (individual: its one configuration). */
export function trainedPoints(manifest: RunManifest): { resolutions: readonly number[]; frames: readonly number[] } {
  const t = manifest.train;
  const frames = framesOf(t);
  if (t.strategy === 'individual') {
    return { resolutions: [t.resolution ?? Math.max(...t.resolutions)], frames: [t.frameCount ?? Math.max(...frames)] };
  }
  if (t.strategy === 'usnet') return { resolutions: [Math.max(...t.resolutions)], frames: [Math.max(...frames)] };
  return { resolutions: t.resolutions, frames };
}

/** The grid a run's strategy trained: widths × resolutions × frames (individual: its one configuration; US-Net: widths only). */
export function trainedGrid(manifest: RunManifest, widthStep?: number): VideoGrid {
  const t = manifest.train;
  const points = trainedPoints(manifest);
  if (t.strategy === 'individual') return { widths: [t.width ?? manifest.model.widthRange.max], ...points };
  return { ...points, ...(widthStep === undefined ? {} : { widthStep }) };
}

/** The default width step: 0.185 gives widths 0.63, 0.815, 1 — a 27-row table (× 3 sizes × 3 frame counts) that two cores build in minutes; MutualNet used 0.05. */
export const DEFAULT_WIDTH_STEP = 0.185;

export interface TableFlags {
  readonly run: string;
  readonly widthStep?: number;
  readonly views?: number;
  readonly calibrationClips?: number;
  readonly latencyRuns?: number;
  readonly maxBatches?: number;
  readonly png?: boolean;
}

/** `adaptnet-video table`: the query table next to the weights, its plot, and the frontier with the dimension each step changes. */
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
      const table = await measureGrid(manifest, model, trainedGrid(manifest, flags.widthStep ?? DEFAULT_WIDTH_STEP), {
        checkpointPath: path,
        onSettingsChanged: setAsideOnNewSettings(folder, (line) => out.info(line)),
        log: (line) => out.info(line),
        ...(flags.views === undefined ? {} : { views: flags.views }),
        ...(flags.calibrationClips === undefined ? {} : { calibrationClips: flags.calibrationClips }),
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
  readonly frames?: number;
  readonly views?: number;
  readonly calibrationClips?: number;
  readonly maxBatches?: number;
  /** Evaluate a resolution or frame count the run did not train (refused otherwise). */
  readonly allowUntrained?: boolean;
}

function checkTrained(what: string, flag: string, value: number, trained: readonly number[], allow: boolean, out: Output): void {
  if (trained.includes(value)) return;
  if (!allow) {
    throw new ConfigError(
      `${flag} ${value}: ${what} ${value} was not trained (trained: ${trained.join(', ')}); pass --allow-untrained to evaluate it anyway`,
    );
  }
  out.info(`[eval] note: ${what} ${value} was not trained (trained: ${trained.join(', ')}); expect lower accuracy`);
}

/** `adaptnet-video eval`: calibrate and evaluate one configuration (default: the full network). */
export async function evalCommand(flags: EvalFlags, out: Output): Promise<QueryTable> {
  const { folder, manifest } = await openRun(flags.run);
  const trained = trainedPoints(manifest);
  const resolution = flags.resolution ?? Math.max(...trained.resolutions);
  const frames = flags.frames ?? Math.max(...trained.frames);
  checkResolution(resolution, manifest.model.inChannels, frames, undefined, '--resolution');
  checkTrained('resolution', '--resolution', resolution, trained.resolutions, flags.allowUntrained ?? false, out);
  checkTrained('frames', '--frames', frames, trained.frames, flags.allowUntrained ?? false, out);
  if (frames > manifest.data.clipFrames) {
    throw new ConfigError(`--frames ${frames} is more than the ${manifest.data.clipFrames} frames of the run's sampled window`);
  }
  await initBackend({ log: (line) => out.info(line) });
  const { model } = await loadVerifiedModel(folder, manifest);
  try {
    const width = flags.width ?? manifest.model.widthRange.max;
    const table = await measureGrid(
      manifest,
      model,
      { widths: [width], resolutions: [resolution], frames: [frames] },
      {
        ...(flags.views === undefined ? {} : { views: flags.views }),
        ...(flags.calibrationClips === undefined ? {} : { calibrationClips: flags.calibrationClips }),
        ...(flags.maxBatches === undefined ? {} : { maxBatches: flags.maxBatches }),
      },
    );
    const row = table.rows[0];
    if (row) {
      out.result(
        `width ${row.config.width} resolution ${row.config.resolution} frames ${row.config.frames}: ${formatMflops(row.macs)} per view${row.views > 1 ? ` × ${row.views} views` : ''}, ${row.params} params, top-1 ${(row.top1 * 100).toFixed(2)}%, top-5 ${(row.top5 * 100).toFixed(2)}% on ${row.samples} clips`,
      );
    }
    return table;
  } finally {
    model.dispose();
  }
}
