import { existsSync } from 'node:fs';
import { initBackend } from '@adaptnet/core/node';
import { DetectionBatch, evaluateDetector } from '@adaptnet/detection';
import type { GridEvaluator, MetricInfo, MetricRow, QueryTable } from '@adaptnet/query-table';
import { evaluateGridToFile } from '@adaptnet/query-table/node';
import {
  type CliOutput,
  PLOT_FILE,
  recordTableAndPlot,
  setAsideOnNewSettings,
  TABLE_FILE,
  tableReport,
  tableSha256,
  whyTableCannotResume,
} from '@adaptnet/train/node';
import { DETECT_BATCH, squareInput } from '../grid-model.js';
import { DEFAULT_CALIBRATION_SAMPLES, evaluationData, trainConfigOf, trainedSizes } from '../measure.js';
import { loadVerifiedDetector, openRun, rebuildTableCommand } from '../run-folder.js';

export { PLOT_FILE, TABLE_FILE, tableSha256 };

/** The table's metric: COCO box AP@[.5:.95], ties broken by AP50. */
export const BOX_AP_METRIC: MetricInfo = { name: 'box AP', secondary: 'AP50' };

export interface TableFlags {
  readonly run: string;
  readonly widthStep?: number;
  readonly calibrationSamples?: number;
  /** Evaluate on the first n validation images. */
  readonly maxImages?: number;
  readonly png?: boolean;
}

/**
 * `adaptnet-detect table`: for every width step × trained size, calibrates the backbone's BN on
 * training images and measures COCO box AP on the validation split (`@adaptnet/query-table`'s grid
 * evaluation with a box-AP evaluator); MACs are the whole detector's on an S × S input. Writes
 * table.json (resumable; BN statistics of the frontier configurations inside, so `predict` needs
 * no data), the AP–MFLOPs plot, and prints the frontier.
 */
export async function tableCommand(flags: TableFlags, out: CliOutput): Promise<QueryTable<MetricRow>> {
  const folder = await openRun(flags.run, { lock: true, log: (line) => out.info(line) });
  try {
    const train = trainConfigOf(folder.recipe, folder.path('run.json'));
    await initBackend({ log: (line) => out.info(line) });
    const { detector, record } = await loadVerifiedDetector(folder);
    try {
      const path = folder.path(TABLE_FILE);
      if (existsSync(path)) {
        const why = await whyTableCannotResume(folder, detector, { rebuild: rebuildTableCommand(folder.dir), metric: BOX_AP_METRIC.name });
        if (why !== undefined)
          out.info(`[table] ${path} cannot be resumed (${why}); moved it to ${await folder.setAside(TABLE_FILE)} and starting over`);
      }
      const samples = flags.calibrationSamples ?? DEFAULT_CALIBRATION_SAMPLES;
      const data = await evaluationData(folder.recipe, train, { calibrationSamples: samples });
      const batchOptions = { normalize: detector.spec.normalize, sizeDivisor: Math.max(...detector.strides) };
      const calibration = function* () {
        for (let i = 0; i < data.calibration.length; i += DETECT_BATCH) {
          yield new DetectionBatch(data.calibration.slice(i, i + DETECT_BATCH), batchOptions);
        }
      };
      const evaluate: GridEvaluator = async (_model, config, context) => {
        const val = context.maxBatches === undefined ? data.val : data.val.slice(0, context.maxBatches);
        const { evaluation } = evaluateDetector(detector, data.gt, val, config, { batchSize: DETECT_BATCH });
        return { value: evaluation.stats[0] as number, secondary: evaluation.stats[1] as number, samples: val.length };
      };
      const range = train.widthRange ?? detector.widthRange;
      const widths = train.strategy === 'individual' ? [train.width ?? range.max] : undefined;
      const table = await evaluateGridToFile(
        path,
        squareInput(detector),
        { resolutions: trainedSizes(train), ...(widths === undefined ? { widthStep: flags.widthStep ?? 0.25 } : { widths }) },
        null,
        calibration,
        {
          evaluate,
          metric: BOX_AP_METRIC,
          calibrationSamples: data.calibration.length,
          disposeBatches: true,
          architecture: 'adaptnet-detector',
          log: (line) => out.info(line),
          onSettingsChanged: setAsideOnNewSettings(folder, (line) => out.info(line)),
          // One "batch" is one validation image here: --max-images.
          ...(flags.maxImages === undefined ? {} : { maxBatches: flags.maxImages }),
        },
      );
      const plot = await recordTableAndPlot(folder, table, path, {
        modelSha256: record.sha256,
        title: `${train.strategy} detector on Fashion-MNIST detection`,
        png: flags.png,
      });
      for (const line of tableReport(table, path, plot, { steps: true })) out.result(line);
      return table;
    } finally {
      detector.dispose();
    }
  } finally {
    await folder.close();
  }
}
