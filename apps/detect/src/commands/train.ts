import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, type Range } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { createDetectionStrategy, DetectionData, type Detector } from '@adaptnet/detection';
import { DETECTOR_ARCHITECTURE, initBackboneFromCheckpoint } from '@adaptnet/detection/node';
import { MODEL_DIR, parseTrainConfig, readConfigFile, type TrainConfig, Trainer, type TrainSummary } from '@adaptnet/train';
import { type CliOutput, checkInputFile, checkInputSide, INPUT_LIMITS, RunFolder } from '@adaptnet/train/node';
import { loadSplit, readSplitGroundTruth } from '../data.js';
import { DETECT_BATCH } from '../grid-model.js';
import { BACKBONES, type BackboneName, buildDetector, detectorSpecFor } from '../model.js';
import { formatOf } from '../run-folder.js';
import { RUN_SPEC, type RunRecipe, TOOL } from '../run-manifest.js';

export const DETECT_STRATEGIES = ['mutualnet', 'usnet', 'individual'] as const;

/** Flags of `train`; undefined ones come from `--config` or the defaults. */
export interface TrainFlags {
  readonly out: string;
  readonly data: string;
  readonly config?: string;
  readonly strategy?: string;
  readonly backbone?: string;
  readonly backboneFrom?: string;
  readonly trainSubset?: number;
  readonly widthMin?: number;
  readonly widthMax?: number;
  readonly sizes?: readonly number[];
  readonly width?: number;
  readonly size?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly seed?: number;
  readonly channels?: number;
  readonly headConvs?: number;
  readonly checkpointEvery?: number;
  readonly resume?: boolean;
  readonly force?: boolean;
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
}

/**
 * The default recipe: shorter sides 64/48/32 — the paper's 600/480/360/240 (ratios 1 to 0.4)
 * scaled to the 48–64 px canvases, ratios 1, 0.75, 0.5 — widths 0.25–1, batches of 8, SGD with Nesterov
 * momentum at 0.02, 100 warm-up steps or a fifth of a shorter run (focal-loss detectors diverge without), cosine to 0.
 */
export const DEFAULT_RECIPE = {
  backbone: 'mobilenet-v1-fashion',
  strategy: 'mutualnet',
  resolutions: [64, 48, 32],
  epochs: 3,
  batchSize: 8,
  lr: 0.02,
  warmupSteps: 100,
} as const;

/** Keys a config file may hold besides the trainer's own (TrainConfig). */
const APP_KEYS = ['backbone', 'data', 'trainSubset', 'channels', 'headConvs', 'backboneFrom'] as const;

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface PreparedRun {
  readonly recipe: RunRecipe;
  readonly train: TrainConfig;
  readonly configFile: Record<string, unknown>;
}

/** sha256 over a checkpoint folder's files (names and bytes), to record which weights initialised a run. */
async function folderSha256(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(dir)).sort()) {
    hash.update(name);
    hash.update(await readFile(join(dir, name)));
  }
  return hash.digest('hex');
}

/** Resolves flags + config file into a validated recipe, before anything is written. */
export async function prepareRun(flags: TrainFlags): Promise<PreparedRun> {
  if (flags.config !== undefined) await checkInputFile(flags.config, INPUT_LIMITS.configBytes, 'config file');
  const file = flags.config === undefined ? {} : await readConfigFile(flags.config);
  const app = Object.fromEntries(APP_KEYS.filter((k) => k in file).map((k) => [k, file[k]])) as Record<string, unknown>;
  const trainerFile = Object.fromEntries(Object.entries(file).filter(([k]) => !(APP_KEYS as readonly string[]).includes(k)));
  const widthRange: Range | undefined =
    flags.widthMin !== undefined || flags.widthMax !== undefined ? { min: flags.widthMin ?? 0.25, max: flags.widthMax ?? 1 } : undefined;
  const merged: Record<string, unknown> = {
    strategy: DEFAULT_RECIPE.strategy,
    resolutions: DEFAULT_RECIPE.resolutions,
    epochs: DEFAULT_RECIPE.epochs,
    batchSize: DEFAULT_RECIPE.batchSize,
    optimizer: { lr: DEFAULT_RECIPE.lr },
    ...trainerFile,
    ...defined({
      strategy: flags.strategy,
      resolutions: flags.sizes,
      width: flags.width,
      resolution: flags.size,
      epochs: flags.epochs,
      batchSize: flags.batchSize,
      seed: flags.seed,
      checkpointEvery: flags.checkpointEvery,
      widthRange,
    }),
  };
  if (flags.lr !== undefined) merged.optimizer = { ...((merged.optimizer as object | undefined) ?? {}), lr: flags.lr };
  const train = parseTrainConfig(merged, flags.config ?? 'train options');
  if (!(DETECT_STRATEGIES as readonly string[]).includes(train.strategy)) {
    throw new ConfigError(`strategy '${train.strategy}' does not apply to detection; allowed: ${DETECT_STRATEGIES.join(', ')}`);
  }
  const range = train.widthRange ?? { min: 0.25, max: 1 };
  if (train.strategy === 'individual') {
    const w = train.width ?? range.max;
    if (w < range.min || w > range.max) throw new ConfigError(`width ${w} is outside the trained width range [${range.min}, ${range.max}]`);
  }
  const backbone = (flags.backbone ?? (app.backbone as string | undefined) ?? DEFAULT_RECIPE.backbone) as BackboneName;
  if (!(BACKBONES as readonly string[]).includes(backbone))
    throw new ConfigError(`backbone '${backbone}' is unknown; allowed: ${BACKBONES.join(', ')}`);
  const given = flags.data ?? (app.data as string | undefined);
  if (given === undefined)
    throw new ConfigError('--data is required: a detection data folder (create one with: adaptnet-detect make-data --out <dir>)');
  const dataDir = resolve(given);
  const trainSubset = flags.trainSubset ?? (app.trainSubset as number | undefined);
  const gt = await readSplitGroundTruth(dataDir, 'train');
  const classNames: string[] = [];
  for (const c of gt.categories) classNames[gt.labelOf(c.id)] = c.name;
  const channels = 1 as const; // make-data writes grey scenes
  // Checked before anything is written: a side too large for memory would fail mid-run.
  for (const side of [...train.resolutions, ...(train.resolution === undefined ? [] : [train.resolution])]) {
    checkInputSide(side, {
      valuesPerPixel: channels,
      batch: Math.max(train.batchSize, DETECT_BATCH),
      flag: train.resolution === side ? '--size' : '--sizes',
      what: 'grey scenes',
    });
  }
  const detector = detectorSpecFor(
    {
      backbone,
      inChannels: channels,
      numClasses: gt.numClasses,
      widthRange: range,
      seed: train.seed,
      ...defined({
        channels: flags.channels ?? (app.channels as number | undefined),
        headConvs: flags.headConvs ?? (app.headConvs as number | undefined),
      }),
    },
    train,
  );
  const backboneFrom = flags.backboneFrom ?? (app.backboneFrom as string | undefined);
  let from: RunRecipe['model']['backboneFrom'];
  if (backboneFrom !== undefined) {
    const modelDir = join(resolve(backboneFrom), MODEL_DIR);
    const format = await formatOf(resolve(backboneFrom));
    if (typeof format === 'string' && format !== 'adaptnet-classify-run') {
      throw new ConfigError(
        `--backbone-from ${backboneFrom} holds a run of format ${format}, not an adaptnet-classify run; give the folder of a trained classifier (adaptnet-classify train --out <dir>)`,
      );
    }
    let sha: string;
    try {
      sha = await folderSha256(modelDir);
    } catch {
      throw new ConfigError(
        `--backbone-from ${backboneFrom}: no trained weights in ${modelDir} (an adaptnet-classify run's folder is expected)`,
      );
    }
    from = { run: resolve(backboneFrom), modelSha256: sha };
  }
  const recipe: RunRecipe = {
    model: { detector: detector as unknown as Record<string, unknown>, ...(from === undefined ? {} : { backboneFrom: from }) },
    data: { dir: dataDir, ...(trainSubset === undefined ? {} : { trainSubset }), channels, classNames },
    train: train as unknown as Record<string, unknown>,
  };
  return { recipe, train, configFile: file };
}

/** Checkpoints per epoch when `checkpointEvery` is not given: a kill loses at most a quarter epoch. */
const CHECKPOINTS_PER_EPOCH = 4;

/**
 * `adaptnet-detect train`: trains (or resumes) a detector and writes its weights to `<out>/model`.
 * Everything is validated before the run folder is touched; the folder is locked while training.
 */
export async function trainCommand(flags: TrainFlags, out: CliOutput): Promise<TrainSummary> {
  const prepared = await prepareRun(flags);
  let { recipe, train } = prepared;
  await initBackend({ log: (line) => out.info(line) });
  const data = await loadSplit(recipe.data.dir, 'train', recipe.data.channels, { count: recipe.data.trainSubset, seed: train.seed });
  const detector: Detector = buildDetector(recipe.model.detector as never);
  let trainer: Trainer | undefined;
  let folder: RunFolder<RunRecipe> | undefined;
  try {
    if (recipe.model.backboneFrom !== undefined) {
      const report = await initBackboneFromCheckpoint(detector, join(recipe.model.backboneFrom.run, MODEL_DIR));
      out.info(
        `[train] backbone initialised from ${recipe.model.backboneFrom.run}: ${report.copied.length} variables copied, ${report.ignored.length} left out (classifier, calibrated BN sets)`,
      );
    }
    const stream = new DetectionData(data.samples, {
      batchSize: train.batchSize,
      seed: train.seed,
      normalize: detector.spec.normalize,
      sizeDivisor: Math.max(...detector.strides),
    });
    if (stream.batchesPerEpoch < 1) {
      throw new ConfigError(
        `--batch-size ${train.batchSize} is larger than the ${data.samples.length} training images; use at most ${data.samples.length}`,
      );
    }
    if (!('schedule' in prepared.configFile)) {
      // Warm-up: 100 steps, or a fifth of a shorter run.
      const total = Math.max(1, Math.round(train.epochs * stream.batchesPerEpoch));
      train = { ...train, schedule: { ...train.schedule, warmupSteps: Math.min(DEFAULT_RECIPE.warmupSteps, Math.floor(total / 5)) } };
      recipe = { ...recipe, train: train as unknown as Record<string, unknown> };
    }
    if (flags.checkpointEvery === undefined && !('checkpointEvery' in prepared.configFile)) {
      const every = Math.min(500, Math.max(1, Math.ceil(stream.batchesPerEpoch / CHECKPOINTS_PER_EPOCH)));
      train = { ...train, checkpointEvery: every };
      recipe = { ...recipe, train: train as unknown as Record<string, unknown> };
    }
    trainer = new Trainer({
      model: detector,
      config: train,
      data: stream,
      outDir: flags.out,
      architecture: DETECTOR_ARCHITECTURE,
      strategy: createDetectionStrategy(train, detector),
      progress: flags.progress ?? 'auto',
      log: (line) => out.info(line),
    });
    folder = await RunFolder.create(flags.out, recipe, RUN_SPEC, {
      ...(flags.resume === undefined ? {} : { resume: flags.resume }),
      ...(flags.force === undefined ? {} : { force: flags.force }),
      resumeMayChange: ['train.checkpointEvery'],
      command: `${TOOL} train`,
      log: (line) => out.info(line),
    });
    trainer.weightsMeta = { recipeSha256: folder.recipeSha256, detector: detector.spec };
    const range = train.widthRange ?? detector.widthRange;
    out.info(
      `[train] ${train.strategy} detector on ${recipe.data.dir} (${data.samples.length} images, ${stream.batchesPerEpoch} batches of ${train.batchSize} per epoch), widths [${range.min}, ${range.max}], sizes ${train.resolutions.join('/')}, ${train.epochs} epoch(s) = ${trainer.totalSteps} steps, checkpoint every ${train.checkpointEvery}`,
    );
    const summary = await trainer.fit({ resume: flags.resume ?? false });
    if (summary.modelDir !== undefined) await folder.recordCheckpoint(MODEL_DIR);
    out.info(
      `[train] done: ${summary.steps} steps in ${summary.seconds.toFixed(1)} s (${summary.imagesPerSecond.toFixed(1)} img/s); weights in ${summary.modelDir}`,
    );
    return summary;
  } finally {
    trainer?.dispose();
    detector.dispose();
    await folder?.close();
  }
}
