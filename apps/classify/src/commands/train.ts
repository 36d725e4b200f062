import { mkdir } from 'node:fs/promises';
import type { Range } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import type { ImageDataset, ImageSource } from '@adaptnet/data';
import { parseTrainConfig, readConfigFile, type TrainConfig, Trainer, type TrainSummary } from '@adaptnet/train';
import { defaultNormalization, loadSplit, trainStream } from '../data.js';
import { architectureId, buildModel, modelSpecOf } from '../model.js';
import type { Output } from '../output.js';
import { type ArchitectureName, type RunManifest, writeRunManifest } from '../run-manifest.js';

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
  readonly resume?: boolean;
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
}

/** Resolves flags + config file into a run manifest (validated), loading the training split. */
export async function prepareRun(flags: TrainFlags): Promise<PreparedRun> {
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
  return { manifest, train: data };
}

/** `adaptnet-classify train`: trains (or resumes) a run and writes its weights to `<out>/model`. */
export async function trainCommand(flags: TrainFlags, out: Output): Promise<TrainSummary> {
  const { manifest, train } = await prepareRun(flags);
  await initBackend({ log: (line) => out.info(line) });
  await mkdir(flags.out, { recursive: true });
  await writeRunManifest(flags.out, manifest);
  const model = buildModel(manifest.model, manifest.train);
  const stream = trainStream(train, manifest.data, manifest.train.batchSize, manifest.train.seed);
  const trainer = new Trainer({
    model,
    config: manifest.train,
    data: stream,
    outDir: flags.out,
    architecture: architectureId(manifest.model),
    spec: modelSpecOf(manifest.model, manifest.train),
    progress: flags.progress ?? 'auto',
    log: (line) => out.info(line),
  });
  out.info(
    `[train] ${manifest.train.strategy} on ${manifest.data.dataset} (${stream.source.size} images, ${stream.batchesPerEpoch} batches of ${manifest.train.batchSize} per epoch), ${manifest.model.architecture}, widths [${manifest.model.widthRange.min}, ${manifest.model.widthRange.max}], resolutions ${manifest.train.resolutions.join('/')}, ${manifest.train.epochs} epoch(s) = ${trainer.totalSteps} steps`,
  );
  try {
    const summary = await trainer.fit({ resume: flags.resume ?? false });
    out.info(
      `[train] done: ${summary.steps} steps in ${summary.seconds.toFixed(1)} s (${summary.imagesPerSecond.toFixed(0)} img/s); weights in ${summary.modelDir}`,
    );
    return summary;
  } finally {
    trainer.dispose();
    model.dispose();
  }
}
