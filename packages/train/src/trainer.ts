import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AdaptNetError,
  assertGradientsRegistered,
  CHECKPOINT_MANIFEST,
  CheckpointError,
  ConfigError,
  configKey,
  type ModelSpec,
} from '@adaptnet/core';
import { saveModule } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from './config.js';
import { MetricsLog } from './metrics-log.js';
import { SgdOptimizer } from './optimizer.js';
import { createProgress, type ProgressMode, type StepReport } from './progress.js';
import { learningRate } from './schedule.js';
import { clipFramesFor, createStrategy, type TrainableModel, trainedFrames, trainedWidthRange } from './strategies/create.js';
import type { SubnetLoss, TrainBatch, TrainingStrategy } from './strategies/strategy.js';
import { checkResumable, loadTrainState, saveTrainState, type TrainPosition } from './train-state.js';
import { trainableParameters } from './weight-decay.js';

/** A batch the trainer owns once yielded (`@adaptnet/data`'s `MultiResolutionBatch` and `VideoBatch` are). */
export interface OwnedTrainBatch extends TrainBatch {
  dispose(): void;
}

/** The training data: `@adaptnet/data`'s `BatchStream` (images) and `VideoStream` (clips) are. */
export interface TrainData {
  readonly batchesPerEpoch: number;
  /** Frames per clip of video data (`VideoStream.frames`); checked against what the model needs (`clipFramesFor`). */
  readonly frames?: number;
  epoch(epoch: number, options?: { startBatch?: number }): AsyncIterableIterator<OwnedTrainBatch>;
}

export interface TrainerOptions {
  readonly model: TrainableModel;
  readonly config: TrainConfig;
  readonly data: TrainData;
  /** Checkpoints (`<outDir>/train-state`), final weights (`<outDir>/model`) and `metrics.jsonl`; none without it. */
  readonly outDir?: string;
  /** Architecture id stored in checkpoints and checked on resume. Default: the model's name. */
  readonly architecture?: string;
  /** Stored in the saved weights' header so `loadModel` rebuilds the network (see `modelSpecFor`). */
  readonly spec?: ModelSpec;
  /** Default 'auto': a bar on a TTY, a line every 50 steps otherwise. */
  readonly progress?: ProgressMode;
  /** Where progress lines go. Default: stderr. */
  readonly log?: (line: string) => void;
  /** Extra fields for the final weights' header `meta` (e.g. the run's recipe hash). */
  readonly weightsMeta?: Readonly<Record<string, unknown>>;
}

export interface FitOptions {
  /** Continue from `<outDir>/train-state` when it exists. */
  readonly resume?: boolean;
  /** Stop after this many iterations in total (the schedule still spans the configured epochs). */
  readonly stopAtStep?: number;
}

export interface StepResult {
  readonly step: number;
  readonly lr: number;
  readonly loss: number;
  readonly losses: readonly SubnetLoss[];
}

export interface TrainSummary {
  readonly steps: number;
  readonly totalSteps: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** Mean loss of each subnet key over the last epoch's steps run in this call. */
  readonly lastLosses: Readonly<Record<string, number>>;
  readonly resumedFrom?: number;
  readonly modelDir?: string;
}

/** A loss that is NaN or infinite: training stops, the last good checkpoint is kept. */
export class TrainingDivergedError extends AdaptNetError {
  constructor(message: string) {
    super('E_TRAINING_DIVERGED', message);
  }
}

export const TRAIN_STATE_DIR = 'train-state';
export const MODEL_DIR = 'model';
export const METRICS_FILE = 'metrics.jsonl';

/**
 * Trains an adaptive network with one of the strategies: per iteration the strategy's sampler
 * picks the subnets, their gradients are summed, and one SGD update follows with the iteration's
 * learning rate. Writes resumable checkpoints every `checkpointEvery` iterations and at every
 * epoch end (atomically), the deployable weights at the end, and a JSONL metrics log.
 */
export class Trainer {
  readonly model: TrainableModel;
  readonly config: TrainConfig;
  readonly strategy: TrainingStrategy;
  readonly optimizer: SgdOptimizer;
  readonly totalSteps: number;
  private readonly data: TrainData;
  private readonly outDir: string | undefined;
  private readonly architecture: string;
  private readonly spec: ModelSpec | undefined;
  private readonly progressMode: ProgressMode;
  private readonly log: (line: string) => void;
  /** Extra fields for the final weights' header `meta`; may be set until `fit` saves them. */
  weightsMeta: Readonly<Record<string, unknown>>;
  private position: TrainPosition;

  constructor(options: TrainerOptions) {
    assertGradientsRegistered();
    this.model = options.model;
    this.config = options.config;
    this.data = options.data;
    this.outDir = options.outDir;
    this.architecture = options.architecture ?? options.model.name;
    this.spec = options.spec;
    this.progressMode = options.progress ?? 'auto';
    this.weightsMeta = options.weightsMeta ?? {};
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    if (!Number.isInteger(this.data.batchesPerEpoch) || this.data.batchesPerEpoch <= 0) {
      throw new ConfigError(`the training data has ${this.data.batchesPerEpoch} batches per epoch; it needs at least one full batch`);
    }
    trainedWidthRange(this.config, this.model);
    trainedFrames(this.config, this.model);
    const clipFrames = clipFramesFor(this.config, this.model);
    if (clipFrames !== undefined && this.data.frames !== undefined && this.data.frames < clipFrames) {
      throw new ConfigError(
        `the training clips have ${this.data.frames} frames; ${this.model.name} trained at frames [${this.config.frames?.join(', ')}] needs ${clipFrames} per clip (make the VideoStream with frames: ${clipFrames})`,
      );
    }
    this.totalSteps = Math.max(1, Math.round(this.config.epochs * this.data.batchesPerEpoch));
    this.strategy = createStrategy(this.config, this.model);
    const opt = this.config.optimizer;
    const params = [...trainableParameters(this.model, opt.weightDecay, opt.decay), ...this.strategy.extraParameters];
    this.optimizer = new SgdOptimizer(params, { momentum: opt.momentum, nesterov: opt.nesterov });
    this.position = { step: 0, epoch: 0, batchInEpoch: 0, samplerState: this.strategy.sampler.state(), elapsedSeconds: 0 };
  }

  get step(): number {
    return this.position.step;
  }

  /** Learning rate of iteration `step` under the configured schedule. */
  learningRate(step: number): number {
    const s = this.config.schedule;
    return learningRate(step, {
      kind: s.kind,
      baseLr: this.config.optimizer.lr,
      totalSteps: this.totalSteps,
      warmupSteps: s.warmupSteps,
      finalLr: s.finalLr,
    });
  }

  /**
   * One iteration on `batch` (the caller keeps ownership of it): sample subnets, sum their
   * gradients, update. Throws TrainingDivergedError, without updating, when a loss is not finite.
   */
  trainStep(batch: TrainBatch): StepResult {
    const configs = this.strategy.sampler.next();
    const lr = this.learningRate(this.position.step);
    const { grads, losses, total } = this.strategy.gradients(this.model, batch, configs, this.optimizer.parameters);
    try {
      const bad = losses.find((l) => !Number.isFinite(l.loss));
      if (bad !== undefined || !Number.isFinite(total)) {
        const what = bad ? `subnet ${configKey(bad.config)} loss ${bad.loss}` : `total loss ${total}`;
        throw new TrainingDivergedError(
          `training diverged at step ${this.position.step + 1} (${what}, lr ${lr.toExponential(3)})${this.outDir ? `; the last good checkpoint is in ${join(this.outDir, TRAIN_STATE_DIR)}` : ''}; lower the learning rate or add warm-up`,
        );
      }
      this.optimizer.step(grads, lr);
    } finally {
      tf.dispose([...grads.values()]);
    }
    this.position = { ...this.position, step: this.position.step + 1 };
    return { step: this.position.step, lr, loss: total, losses };
  }

  /** Runs until the configured epochs are done (or `stopAtStep`), checkpointing as configured. */
  async fit(options: FitOptions = {}): Promise<TrainSummary> {
    let resumedFrom: number | undefined;
    if (options.resume) resumedFrom = await this.restore();
    const stopAt = Math.min(this.totalSteps, options.stopAtStep ?? this.totalSteps);
    const metrics = this.outDir ? new MetricsLog(join(this.outDir, METRICS_FILE)) : undefined;
    if (metrics) await metrics.truncateAfter(this.position.step);
    const progress = createProgress(this.progressMode, this.log);
    if (resumedFrom !== undefined) progress.message(`[train] resumed at step ${resumedFrom}/${this.totalSteps}`);
    const started = performance.now();
    const startStep = this.position.step;
    let images = 0;
    const epochLosses = new Map<string, { sum: number; n: number }>();
    try {
      while (this.position.step < stopAt) {
        const { epoch, batchInEpoch } = this.position;
        const batches = this.data.epoch(epoch, { startBatch: batchInEpoch });
        let index = batchInEpoch;
        epochLosses.clear();
        try {
          for await (const batch of batches) {
            let result: StepResult;
            try {
              result = this.trainStep(batch);
              images += batch.size;
            } finally {
              batch.dispose();
            }
            index++;
            const epochDone = index >= this.data.batchesPerEpoch;
            this.position = {
              ...this.position,
              epoch: epochDone ? epoch + 1 : epoch,
              batchInEpoch: epochDone ? 0 : index,
              samplerState: this.strategy.sampler.state(),
              elapsedSeconds: this.position.elapsedSeconds,
            };
            const report = this.report(result, epoch, images, started);
            for (const [k, v] of Object.entries(report.losses)) {
              const acc = epochLosses.get(k) ?? { sum: 0, n: 0 };
              epochLosses.set(k, { sum: acc.sum + v, n: acc.n + 1 });
            }
            progress.update(report);
            metrics?.add({ ...report, configs: result.losses.map((l) => configKey(l.config)), time: new Date().toISOString() });
            const every = this.config.checkpointEvery;
            const finished = result.step >= stopAt;
            if (epochDone || finished || (every > 0 && result.step % every === 0)) {
              await metrics?.flush();
              await this.checkpoint(started);
            }
            if (epochDone || finished) break;
          }
        } finally {
          await batches.return?.();
        }
        if (this.position.step < stopAt && this.position.epoch === epoch && this.position.batchInEpoch === batchInEpoch) {
          throw new ConfigError(`the training data yielded no batch for epoch ${epoch + 1} (from batch ${batchInEpoch})`);
        }
      }
    } catch (e) {
      await metrics?.flush().catch(() => undefined);
      if (e instanceof TrainingDivergedError) progress.message(`[train] ${e.message}`);
      throw e;
    } finally {
      progress.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    let modelDir: string | undefined;
    if (this.outDir && this.position.step >= this.totalSteps) modelDir = await this.saveWeights();
    const lastLosses = Object.fromEntries([...epochLosses].map(([k, { sum, n }]) => [k, sum / n]));
    return {
      steps: this.position.step - startStep,
      totalSteps: this.totalSteps,
      seconds,
      imagesPerSecond: images / Math.max(seconds, 1e-9),
      lastLosses,
      ...(resumedFrom === undefined ? {} : { resumedFrom }),
      ...(modelDir === undefined ? {} : { modelDir }),
    };
  }

  /** Saves the model's variables (weights, BN statistics) for deployment in `<outDir>/model`. */
  async saveWeights(dir = this.outDir ? join(this.outDir, MODEL_DIR) : undefined): Promise<string> {
    if (dir === undefined) throw new ConfigError('saveWeights needs a directory (no outDir was given)');
    await saveModule(dir, this.model, {
      architecture: this.architecture,
      ...(this.spec === undefined ? {} : { spec: this.spec }),
      trainedSpace: {
        strategy: this.config.strategy,
        widthRange: trainedWidthRange(this.config, this.model),
        resolutions: this.config.resolutions,
        ...(this.config.frames === undefined ? {} : { frames: this.config.frames }),
      },
      meta: { ...this.weightsMeta, trainConfig: this.config, steps: this.position.step },
    });
    return dir;
  }

  /** Loads `<outDir>/train-state` when present; returns the step resumed at, or undefined. */
  async restore(): Promise<number | undefined> {
    if (this.outDir === undefined) throw new ConfigError('resume needs an output directory holding a training state');
    const dir = join(this.outDir, TRAIN_STATE_DIR);
    // No manifest: nothing to resume. A manifest whose weights are missing is a broken state, not an absent one.
    if (!existsSync(join(dir, CHECKPOINT_MANIFEST))) return undefined;
    const state = await loadTrainState(dir, this.architecture);
    try {
      checkResumable(state.config, this.config, dir);
      const vars = this.model.namedVariables();
      const missing = [...vars.keys()].filter((k) => !state.tensors.model.has(k));
      const unknown = [...state.tensors.model.keys()].filter((k) => !vars.has(k));
      if (missing.length > 0 || unknown.length > 0) {
        throw new CheckpointError(
          'E_CHECKPOINT_MISMATCH',
          `training state ${dir} does not match the model: missing [${missing.slice(0, 5).join(', ')}], unknown [${unknown.slice(0, 5).join(', ')}]`,
        );
      }
      for (const [name, v] of vars) {
        const t = state.tensors.model.get(name) as tf.Tensor;
        if (!tf.util.arraysEqual(t.shape, v.shape)) {
          throw new CheckpointError('E_CHECKPOINT_MISMATCH', `'${name}' is [${t.shape}] in ${dir}, the model has [${v.shape}]`);
        }
      }
      this.optimizer.loadState(state.tensors.optimizer);
      for (const p of this.strategy.extraParameters) {
        const t = state.tensors.extra.get(p.name);
        if (t === undefined) throw new CheckpointError('E_CHECKPOINT_MISMATCH', `training state ${dir} has no '${p.name}'`);
        p.variable.assign(t);
      }
      for (const [name, v] of vars) v.assign(state.tensors.model.get(name) as tf.Tensor);
      this.strategy.sampler.setState(state.position.samplerState);
      this.position = state.position;
      return state.position.step;
    } finally {
      for (const group of Object.values(state.tensors)) for (const t of group.values()) t.dispose();
    }
  }

  dispose(): void {
    this.optimizer.dispose();
    this.strategy.dispose();
  }

  private async checkpoint(started: number): Promise<void> {
    if (this.outDir === undefined) return;
    await mkdir(this.outDir, { recursive: true });
    const position = { ...this.position, elapsedSeconds: this.position.elapsedSeconds + (performance.now() - started) / 1000 };
    await saveTrainState(
      join(this.outDir, TRAIN_STATE_DIR),
      this.architecture,
      this.config,
      {
        model: this.model.namedVariables(),
        optimizer: this.optimizer.state(),
        extra: new Map(this.strategy.extraParameters.map((p) => [p.name, p.variable])),
      },
      position,
    );
  }

  private report(result: StepResult, epoch: number, images: number, started: number): StepReport {
    const losses: Record<string, number> = {};
    result.losses.forEach((l, i) => {
      losses[this.strategy.subnetLabel(i, l.config)] = l.loss;
    });
    return {
      step: result.step,
      totalSteps: this.totalSteps,
      epoch,
      lr: result.lr,
      loss: result.loss,
      losses,
      imagesPerSecond: images / Math.max((performance.now() - started) / 1000, 1e-9),
    };
  }
}
