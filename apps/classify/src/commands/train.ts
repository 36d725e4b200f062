import { ConfigError, type Range } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import type { ImageDataset, ImageSource } from '@adaptnet/data';
import { MODEL_DIR, parseTrainConfig, readConfigFile, type TrainConfig, Trainer, type TrainSummary } from '@adaptnet/train';
import { checkInputFile, INPUT_LIMITS, RunFolder } from '@adaptnet/train/node';
import { defaultNormalization, loadSplit, trainStream } from '../data.js';
import { checkResolution } from '../limits.js';
import { architectureId, buildModel, modelSpecOf } from '../model.js';
import type { Output } from '../output.js';
import { type ArchitectureName, RUN_SPEC, type RunManifest, recipeOf } from '../run-manifest.js';

/** Flags of `train`; undefined ones come from `--config` or the defaults. */
export interface TrainFlags {
  readonly out: string;
  readonly config?: string;
  readonly strategy?: string;
  readonly architecture?: string;
  readonly dataset?: string;
  readonly dataDir?: string;
  readonly trainSubset?: number;
  readonly widthMin?: number;
  readonly widthMax?: number;
  readonly resolutions?: readonly number[];
  readonly width?: number;
  readonly resolution?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly seed?: number;
  /** Checkpoint every n steps (default: a quarter epoch, at most 500 steps). */
  readonly checkpointEvery?: number;
  readonly resume?: boolean;
  /** Start over in a non-empty --out: its contents move to `<out>.replaced-<UTC time>`. */
  readonly force?: boolean;
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
}

/** Keys a config file may hold besides the trainer's own (TrainConfig). */
const APP_KEYS = ['architecture', 'dataset', 'dataDir', 'trainSubset', 'evalCropFraction'] as const;

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Fashion-MNIST defaults: the reference recipe. */
const DEFAULTS = { architecture: 'mobilenet-v1-fashion', dataset: 'fashion-mnist', strategy: 'mutualnet', resolutions: [28, 24, 20, 16] };

export interface PreparedRun {
  readonly manifest: RunManifest;
  readonly train: ImageDataset | ImageSource;
  /** The config file's contents (empty without --config). */
  readonly configFile: Record<string, unknown>;
}

/** Resolves flags + config file into a run manifest (validated), loading the training split. */
export async function prepareRun(flags: TrainFlags): Promise<PreparedRun> {
  if (flags.config !== undefined) await checkInputFile(flags.config, INPUT_LIMITS.configBytes, 'config file');
  const file = flags.config === undefined ? {} : await readConfigFile(flags.config);
  const app = Object.fromEntries(APP_KEYS.filter((k) => k in file).map((k) => [k, file[k]])) as Record<string, unknown>;
  const trainerFile = Object.fromEntries(Object.entries(file).filter(([k]) => !(APP_KEYS as readonly string[]).includes(k)));
  const widthRange: Range | undefined =
    flags.widthMin !== undefined || flags.widthMax !== undefined ? { min: flags.widthMin ?? 0.25, max: flags.widthMax ?? 1 } : undefined;
  const overrides = defined({
    strategy: flags.strategy,
    resolutions: flags.resolutions,
    width: flags.width,
    resolution: flags.resolution,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    seed: flags.seed,
    checkpointEvery: flags.checkpointEvery,
    widthRange,
  });
  const merged: Record<string, unknown> = { strategy: DEFAULTS.strategy, resolutions: DEFAULTS.resolutions, ...trainerFile, ...overrides };
  if (flags.lr !== undefined) merged.optimizer = { ...((merged.optimizer as object | undefined) ?? {}), lr: flags.lr };
  const train: TrainConfig = parseTrainConfig(merged, flags.config ?? 'train options');
  const architecture = (flags.architecture ?? (app.architecture as string | undefined) ?? DEFAULTS.architecture) as ArchitectureName;
  const dataset = flags.dataset ?? (app.dataset as string | undefined) ?? DEFAULTS.dataset;
  const dataDir = flags.dataDir ?? (app.dataDir as string | undefined);
  const trainSubset = flags.trainSubset ?? (app.trainSubset as number | undefined);
  const data = await loadSplit({ dataset, ...(dataDir === undefined ? {} : { dir: dataDir }) }, 'train');
  for (const r of [...train.resolutions, ...(train.resolution === undefined ? [] : [train.resolution])]) {
    checkResolution(r, data.channels, train.batchSize);
  }
  const small = Math.max(data.height ?? 0, data.width ?? 0) <= 64;
  const norm = defaultNormalization(dataset);
  const manifest: RunManifest = {
    format: 'adaptnet-classify-run',
    version: 1,
    model: {
      architecture,
      input: small ? 'small' : 'imagenet',
      inChannels: data.channels,
      numClasses: data.numClasses,
      widthRange: train.widthRange ?? { min: 0.25, max: 1 },
      seed: train.seed,
    },
    data: {
      dataset,
      ...(dataDir === undefined ? {} : { dir: dataDir }),
      ...(trainSubset === undefined ? {} : { trainSubset }),
      height: data.height ?? Math.max(...train.resolutions),
      width: data.width ?? Math.max(...train.resolutions),
      classNames: [...data.classNames],
      normalize: { mean: [...norm.mean], std: [...norm.std] },
      evalCropFraction: (app.evalCropFraction as number | undefined) ?? (small ? 1 : 0.875),
    },
    train,
  };
  return { manifest, train: data, configFile: file };
}

/** Checkpoints per epoch when `checkpointEvery` is not given: a kill loses at most a quarter epoch (and never more than 500 steps). */
const CHECKPOINTS_PER_EPOCH = 4;

/**
 * `adaptnet-classify train`: trains (or resumes) a run and writes its weights to `<out>/model`.
 * Everything is validated before the run folder is touched; the folder is locked while training.
 */
export async function trainCommand(flags: TrainFlags, out: Output): Promise<TrainSummary> {
  const prepared = await prepareRun(flags);
  let manifest = prepared.manifest;
  await initBackend({ log: (line) => out.info(line) });
  const model = buildModel(manifest.model, manifest.train);
  let trainer: Trainer | undefined;
  let folder: RunFolder<ReturnType<typeof recipeOf>> | undefined;
  try {
    const stream = trainStream(prepared.train, manifest.data, manifest.train.batchSize, manifest.train.seed);
    if (stream.batchesPerEpoch < 1) {
      throw new ConfigError(
        `--batch-size ${manifest.train.batchSize} is larger than the ${stream.source.size} training images; use at most ${stream.source.size}`,
      );
    }
    if (!configuredCheckpointEvery(flags, prepared.configFile)) {
      const every = Math.min(500, Math.max(1, Math.ceil(stream.batchesPerEpoch / CHECKPOINTS_PER_EPOCH)));
      manifest = { ...manifest, train: { ...manifest.train, checkpointEvery: every } };
    }
    trainer = new Trainer({
      model,
      config: manifest.train,
      data: stream,
      outDir: flags.out,
      architecture: architectureId(manifest.model),
      spec: modelSpecOf(manifest.model, manifest.train),
      progress: flags.progress ?? 'auto',
      log: (line) => out.info(line),
    });
    folder = await RunFolder.create(flags.out, recipeOf(manifest), RUN_SPEC, {
      ...(flags.resume === undefined ? {} : { resume: flags.resume }),
      ...(flags.force === undefined ? {} : { force: flags.force }),
      resumeMayChange: ['train.checkpointEvery'],
      command: 'adaptnet-classify train',
      log: (line) => out.info(line),
    });
    trainer.weightsMeta = { recipeSha256: folder.recipeSha256 };
    out.info(
      `[train] ${manifest.train.strategy} on ${manifest.data.dataset} (${stream.source.size} images, ${stream.batchesPerEpoch} batches of ${manifest.train.batchSize} per epoch), ${manifest.model.architecture}, widths [${manifest.model.widthRange.min}, ${manifest.model.widthRange.max}], resolutions ${manifest.train.resolutions.join('/')}, ${manifest.train.epochs} epoch(s) = ${trainer.totalSteps} steps, checkpoint every ${manifest.train.checkpointEvery}`,
    );
    const summary = await trainer.fit({ resume: flags.resume ?? false });
    if (summary.modelDir !== undefined) await folder.recordCheckpoint(MODEL_DIR);
    out.info(
      `[train] done: ${summary.steps} steps in ${summary.seconds.toFixed(1)} s (${summary.imagesPerSecond.toFixed(0)} img/s); weights in ${summary.modelDir}`,
    );
    return summary;
  } finally {
    trainer?.dispose();
    model.dispose();
    await folder?.close();
  }
}

function configuredCheckpointEvery(flags: TrainFlags, file: Record<string, unknown>): boolean {
  return flags.checkpointEvery !== undefined || 'checkpointEvery' in file;
}
