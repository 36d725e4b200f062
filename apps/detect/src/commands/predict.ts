import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { initBackend, writeFileAtomic } from '@adaptnet/core/node';
import { calibrateDetector, type DetectionSample, detect } from '@adaptnet/detection';
import { formatMflops } from '@adaptnet/flops';
import { weightsFingerprint } from '@adaptnet/query-table';
import { type CliOutput, StaleArtefactError } from '@adaptnet/train/node';
import { loadSplit } from '../data.js';
import { type DrawnDetection, drawDetections, formatDetection } from '../draw.js';
import { readImage } from '../image.js';
import { trainConfigOf, trainedSizes } from '../measure.js';
import { detectorCost } from '../model.js';
import { loadVerifiedDetector, openRun, rebuildTableCommand } from '../run-folder.js';
import { type BudgetFlags, selectConfig } from './query.js';
import { TABLE_FILE } from './table.js';

export interface PredictFlags extends BudgetFlags {
  readonly run: string;
  readonly image: string;
  /** Output PNG (default `<image without extension>.detections.png`). */
  readonly out?: string;
  readonly width?: number;
  readonly size?: number;
  readonly scoreThreshold?: number;
  /** Convert an image with another channel count than the detector's. */
  readonly convert?: boolean;
  readonly calibrationSamples?: number;
  /** Replace an existing `--out` file. */
  readonly force?: boolean;
}

export interface PredictResult {
  readonly config: SubnetConfig;
  readonly detections: readonly DrawnDetection[];
  readonly png: string;
}

/** Default score threshold of drawn detections (evaluation keeps everything above 0.05, as COCO detectors do). */
export const DRAW_SCORE_THRESHOLD = 0.3;

/**
 * The PNG to write, refusing what would lose something before any work: the input image, a
 * folder, a missing folder, or an existing `--out` file without `force`. The default
 * `<image>.detections.png` is predict's own output and is replaced.
 */
function outputPng(flags: PredictFlags): string {
  const png = flags.out ?? `${flags.image.replace(/\.[^./]+$/, '')}.detections.png`;
  if (resolve(png) === resolve(flags.image)) throw new ConfigError(`--out ${png} is the input image; give another file`);
  if (existsSync(png)) {
    if (statSync(png).isDirectory()) throw new ConfigError(`--out ${png} is a folder; give a .png file`);
    if (flags.out !== undefined && !flags.force) throw new ConfigError(`--out ${png} exists; pass --force to replace it`);
  } else if (!existsSync(dirname(resolve(png)))) {
    throw new ConfigError(`--out ${png}: the folder ${dirname(png)} does not exist`);
  }
  return png;
}

/**
 * `adaptnet-detect predict`: picks the configuration (the table's best within a budget, or
 * --width/--size), detects objects in one image, prints them and writes a PNG with the boxes,
 * class names and scores drawn.
 */
export async function predictCommand(flags: PredictFlags, out: CliOutput): Promise<PredictResult> {
  const png = outputPng(flags);
  const folder = await openRun(flags.run);
  const recipe = folder.recipe;
  const image = await readImage(flags.image, recipe.data.channels, { convert: flags.convert ?? false });
  const train = trainConfigOf(recipe, folder.path('run.json'));
  const ownWidth = train.strategy === 'individual' ? (train.width ?? train.widthRange?.max ?? 1) : (train.widthRange?.max ?? 1);
  const { config, table } = await selectConfig(folder, flags, trainedSizes(train), ownWidth);
  await initBackend({ log: false });
  const { detector } = await loadVerifiedDetector(folder);
  try {
    const { min, max } = detector.widthRange;
    if (config.width < min || config.width > max)
      throw new ConfigError(`--width ${config.width} is outside the detector's width range [${min}, ${max}]`);
    if (table !== undefined && table.statisticsFor(config) !== undefined) {
      // The table was measured on these weights (checked) and carries the configuration's BN statistics.
      if (table.model.weightsSha256 !== weightsFingerprint(detector)) {
        throw new StaleArtefactError(
          TABLE_FILE,
          `${folder.path(TABLE_FILE)} was measured on other weights`,
          rebuildTableCommand(folder.dir),
        );
      }
      table.applyStatistics(detector, config);
    } else {
      const calibration = await loadSplit(recipe.data.dir, 'train', recipe.data.channels, {
        count: recipe.data.trainSubset,
        seed: train.seed,
      });
      await calibrateDetector(detector, calibration.samples.slice(0, flags.calibrationSamples ?? 64), [config]);
    }
    const sample: DetectionSample = { imageId: 1, ...image, objects: [] };
    const found = (detect(detector, [sample], config, { scoreThreshold: flags.scoreThreshold ?? DRAW_SCORE_THRESHOLD })[0] ?? []).map(
      (d): DrawnDetection => ({
        label: d.label,
        score: d.score,
        bbox: [d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]],
      }),
    );
    await writeFileAtomic(png, await drawDetections(image, found, recipe.data.classNames));
    const { macs } = detectorCost(detector, config);
    out.result(
      `width ${config.width} size ${config.resolution}: ${formatMflops(macs)}, ${found.length} detection(s) with score >= ${flags.scoreThreshold ?? DRAW_SCORE_THRESHOLD}`,
    );
    for (const d of found) out.result(formatDetection(d, recipe.data.classNames));
    out.result(`image: ${png}`);
    return { config, detections: found, png };
  } finally {
    detector.dispose();
  }
}
