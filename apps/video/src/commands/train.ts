import { ConfigError, type Range } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import type { VideoSource } from '@adaptnet/data';
import { clipFramesFor, MODEL_DIR, parseTrainConfig, readConfigFile, type TrainConfig, Trainer, type TrainSummary } from '@adaptnet/train';
import { checkInputFile, INPUT_LIMITS, RunFolder } from '@adaptnet/train/node';
import { defaultNormalization, isMovingActions, loadSplit, MOVING_ACTIONS_FRAMES, trainStream } from '../data.js';
import { checkResolution } from '../limits.js';
import { architectureId, buildModel, framesOf, modelSpecOf } from '../model.js';
import type { Output } from '../output.js';
import { type ArchitectureName, RUN_SPEC, type RunManifest, recipeOf } from '../run-manifest.js';
import { evalCommand } from './evaluate.js';

/** The strategies `adaptnet-video train` offers. */
export const TRAIN_STRATEGIES = ['mutualnet', 'usnet', 'individual'] as const;

/** Flags of `train`; undefined ones come from `--config` or the defaults. */
export interface TrainFlags {
  readonly out?: string;
  readonly config?: string;
  readonly strategy?: string;
  readonly architecture?: string;
  readonly dataset?: string;
  readonly dataDir?: string;
  readonly trainClips?: number;
  readonly testClips?: number;
  readonly distractors?: number;
  readonly widthMin?: number;
  readonly widthMax?: number;
  readonly resolutions?: readonly number[];
  readonly frames?: readonly number[];
  readonly stride?: number;
  readonly width?: number;
  readonly resolution?: number;
  readonly clipFrames?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly seed?: number;
  readonly checkpointEvery?: number;
  readonly resume?: boolean;
  readonly force?: boolean;
  /** Evaluate the full network on the test clips after training (default true). */
  readonly eval?: boolean;
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
}

export const DEFAULT_RUN_DIR = 'runs/video';

/** Keys a config file may hold besides the trainer's own (TrainConfig). */
const APP_KEYS = [
  'architecture',
  'dataset',
  'dataDir',
  'trainClips',
  'testClips',
  'distractors',
  'side',
  'stride',
  'evalCropFraction',
] as const;

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The default recipe: MutualNet on the small Slow, moving Fashion-MNIST actions (one moving item,
 * no distractors) rendered at 64 px, a 6-frame window 3 frames apart (the whole 16-frame clip)
 * trained at 24/16/12 px × 6/4/2 frames, batches of 16 at learning rate 0.05 (0.1 per 32 clips).
 * Chosen to finish in minutes on two CPU cores.
 */
export const DEFAULTS = {
  architecture: 'slow-small' as ArchitectureName,
  dataset: 'moving-fashion',
  strategy: 'mutualnet',
  side: 64,
  stride: 3,
  resolutions: [24, 16, 12],
  frames: [6, 4, 2],
  lr: 0.05,
  widthRange: { min: 0.63, max: 1 },
  trainClips: 1000,
  testClips: 400,
  distractors: 0,
  epochs: 3,
  batchSize: 16,
};

export interface PreparedRun {
  readonly manifest: RunManifest;
  readonly train: VideoSource;
  /** The config file's contents (empty without --config). */
  readonly configFile: Record<string, unknown>;
}

/** Resolves flags + config file into a run manifest (validated), loading the training clips. */
export async function prepareRun(flags: TrainFlags): Promise<PreparedRun> {
  if (flags.config !== undefined) await checkInputFile(flags.config, INPUT_LIMITS.configBytes, 'config file');
  const file = flags.config === undefined ? {} : await readConfigFile(flags.config);
  const app = Object.fromEntries(APP_KEYS.filter((k) => k in file).map((k) => [k, file[k]])) as Record<string, unknown>;
  const trainerFile = Object.fromEntries(Object.entries(file).filter(([k]) => !(APP_KEYS as readonly string[]).includes(k)));
  const widthRange: Range | undefined =
    flags.widthMin !== undefined || flags.widthMax !== undefined
      ? { min: flags.widthMin ?? DEFAULTS.widthRange.min, max: flags.widthMax ?? DEFAULTS.widthRange.max }
      : undefined;
  const overrides = defined({
    strategy: flags.strategy,
    resolutions: flags.resolutions,
    frames: flags.frames,
    width: flags.width,
    resolution: flags.resolution,
    frameCount: flags.clipFrames,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    seed: flags.seed,
    checkpointEvery: flags.checkpointEvery,
    widthRange,
  });
  const merged: Record<string, unknown> = {
    strategy: DEFAULTS.strategy,
    resolutions: DEFAULTS.resolutions,
    frames: DEFAULTS.frames,
    widthRange: DEFAULTS.widthRange,
    epochs: DEFAULTS.epochs,
    batchSize: DEFAULTS.batchSize,
    ...trainerFile,
    ...overrides,
  };
  const fileLr = (merged.optimizer as { lr?: number } | undefined)?.lr;
  merged.optimizer = { ...((merged.optimizer as object | undefined) ?? {}), lr: flags.lr ?? fileLr ?? DEFAULTS.lr };
  const train: TrainConfig = parseTrainConfig(merged, flags.config ?? 'train options');
  const frames = framesOf(train);
  const architecture = (flags.architecture ?? (app.architecture as string | undefined) ?? DEFAULTS.architecture) as ArchitectureName;
  const dataset = flags.dataset ?? (app.dataset as string | undefined) ?? DEFAULTS.dataset;
  const dataDir = flags.dataDir ?? (app.dataDir as string | undefined);
  const moving = isMovingActions(dataset);
  const trainClips = flags.trainClips ?? (app.trainClips as number | undefined) ?? (moving ? DEFAULTS.trainClips : undefined);
  const testClips = flags.testClips ?? (app.testClips as number | undefined) ?? (moving ? DEFAULTS.testClips : undefined);
  const distractors = moving ? (flags.distractors ?? (app.distractors as number | undefined) ?? DEFAULTS.distractors) : undefined;
  if (!moving && flags.distractors !== undefined) throw new ConfigError(`--distractors applies to the moving-fashion sets, not ${dataset}`);
  const side = (app.side as number | undefined) ?? (moving ? DEFAULTS.side : Math.max(...train.resolutions));
  const stride = flags.stride ?? (app.stride as number | undefined) ?? (moving ? DEFAULTS.stride : 1);
  const splitSpec = {
    dataset,
    side,
    seed: train.seed,
    ...(dataDir === undefined ? {} : { dir: dataDir }),
    ...(trainClips === undefined ? {} : { trainClips }),
    ...(testClips === undefined ? {} : { testClips }),
    ...(distractors === undefined ? {} : { distractors }),
  };
  const data = await loadSplit(splitSpec, 'train');
  const allResolutions = [...train.resolutions, ...(train.resolution === undefined ? [] : [train.resolution])];
  const small = side <= 64;
  const norm = defaultNormalization(dataset);
  const manifest: RunManifest = {
    format: 'adaptnet-video-run',
    version: 1,
    model: {
      architecture,
      input: architecture.endsWith('-small') ? 'small' : 'imagenet',
      inChannels: data.channels,
      numClasses: data.numClasses,
      widthRange: train.widthRange ?? DEFAULTS.widthRange,
      seed: train.seed,
    },
    data: {
      dataset,
      ...(dataDir === undefined ? {} : { dir: dataDir }),
      ...(trainClips === undefined ? {} : { trainClips }),
      ...(testClips === undefined ? {} : { testClips }),
      ...(distractors === undefined ? {} : { distractors }),
      side,
      clipFrames: Math.max(...frames),
      stride,
      classNames: [...data.classNames],
      normalize: { mean: [...norm.mean], std: [...norm.std] },
      evalCropFraction: (app.evalCropFraction as number | undefined) ?? (small ? 1 : 0.875),
    },
    train,
  };
  // The window the stream samples: the full network's frames (SlowFast: α × those, for its fast pathway).
  const probe = buildModel(manifest);
  const clipFrames = clipFramesFor(train, probe) ?? Math.max(...frames);
  probe.dispose();
  if (moving && (clipFrames - 1) * stride + 1 > MOVING_ACTIONS_FRAMES) {
    throw new ConfigError(
      `a window of ${clipFrames} frames ${stride} apart spans ${(clipFrames - 1) * stride + 1} frames; the moving-actions clips have ${MOVING_ACTIONS_FRAMES}: lower --frames or --stride`,
    );
  }
  for (const r of allResolutions) checkResolution(r, data.channels, clipFrames, train.batchSize, '--resolutions');
  return { manifest: { ...manifest, data: { ...manifest.data, clipFrames } }, train: data, configFile: file };
}

/** Checkpoints per epoch when `checkpointEvery` is not given: a kill loses at most a quarter epoch (and never more than 500 steps). */
const CHECKPOINTS_PER_EPOCH = 4;

/**
 * `adaptnet-video train`: trains (or resumes) a run and writes its weights to `<out>/model`, then
 * (unless `eval: false`) reports the full network's top-1 on the test clips.
 * Everything is validated before the run folder is touched; the folder is locked while training.
 */
export async function trainCommand(flags: TrainFlags, out: Output): Promise<TrainSummary> {
  const dir = flags.out ?? DEFAULT_RUN_DIR;
  const prepared = await prepareRun(flags);
  let manifest = prepared.manifest;
  await initBackend({ log: (line) => out.info(line) });
  const model = buildModel(manifest);
  let trainer: Trainer | undefined;
  let summary: TrainSummary;
  let folder: RunFolder<ReturnType<typeof recipeOf>> | undefined;
  try {
    const stream = trainStream(prepared.train, manifest.data, manifest.train.batchSize, manifest.train.seed);
    if (stream.batchesPerEpoch < 1) {
      throw new ConfigError(
        `--batch-size ${manifest.train.batchSize} is larger than the ${stream.source.size} training clips; use at most ${stream.source.size}`,
      );
    }
    if (flags.checkpointEvery === undefined && !('checkpointEvery' in prepared.configFile)) {
      const every = Math.min(500, Math.max(1, Math.ceil(stream.batchesPerEpoch / CHECKPOINTS_PER_EPOCH)));
      manifest = { ...manifest, train: { ...manifest.train, checkpointEvery: every } };
    }
    trainer = new Trainer({
      model,
      config: manifest.train,
      data: stream,
      outDir: dir,
      architecture: architectureId(manifest.model),
      spec: modelSpecOf(manifest),
      progress: flags.progress ?? 'auto',
      log: (line) => out.info(line),
    });
    folder = await RunFolder.create(dir, recipeOf(manifest), RUN_SPEC, {
      ...(flags.resume === undefined ? {} : { resume: flags.resume }),
      ...(flags.force === undefined ? {} : { force: flags.force }),
      resumeMayChange: ['train.checkpointEvery'],
      command: 'adaptnet-video train',
      log: (line) => out.info(line),
    });
    trainer.weightsMeta = { recipeSha256: folder.recipeSha256 };
    const t = manifest.train;
    out.info(
      `[train] ${t.strategy} ${manifest.model.architecture} on ${manifest.data.dataset} (${stream.source.size} clips, ${stream.batchesPerEpoch} batches of ${t.batchSize} per epoch), widths [${manifest.model.widthRange.min}, ${manifest.model.widthRange.max}], sizes ${t.resolutions.join('/')}, frames ${framesOf(t).join('/')} (window ${manifest.data.clipFrames} × stride ${manifest.data.stride}), ${t.epochs} epoch(s) = ${trainer.totalSteps} steps, checkpoint every ${t.checkpointEvery}`,
    );
    summary = await trainer.fit({ resume: flags.resume ?? false });
    if (summary.modelDir !== undefined) await folder.recordCheckpoint(MODEL_DIR);
    out.info(
      `[train] done: ${summary.steps} steps in ${summary.seconds.toFixed(1)} s (${summary.imagesPerSecond.toFixed(1)} clips/s, ${(summary.seconds / t.epochs).toFixed(1)} s per epoch); weights in ${summary.modelDir}`,
    );
  } finally {
    trainer?.dispose();
    model.dispose();
    await folder?.close();
  }
  if (flags.eval !== false && summary.modelDir !== undefined) {
    // The evaluation's own line is a note here; the result line is the summary below.
    const table = await evalCommand({ run: dir }, { result: (t) => out.info(t), info: (t) => out.info(t) });
    const row = table.rows[0];
    if (row !== undefined) {
      out.result(
        `trained ${dir}: top-1 ${(row.top1 * 100).toFixed(2)}% of ${row.samples} test clips at the full configuration (chance ${(100 / manifest.model.numClasses).toFixed(1)}%); next: adaptnet-video table --run ${dir}`,
      );
    }
  }
  return summary;
}
