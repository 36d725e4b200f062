import type { Backbone } from '@adaptnet/backbones';
import { ConfigError, ConfigRangeError, configKey, ShapeError, type SubnetConfig } from '@adaptnet/core';
import type { SwitchableBatchNorm } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import { compileSubnet } from './compile.js';
import { compileRunner, type Runner } from './run.js';
import { type PreparedStep, stepTensors } from './steps.js';

export interface PrepareOptions {
  /**
   * Run the whole subnet as ONE kernel call (AdaptNetRunPlan) where the backend has it (native:
   * oneDNN primitives, reordered weights and activation buffers built once per input shape, freed
   * when this subnet is disposed). Default true; false: one fused kernel per layer, as on cpu and
   * wasm. Networks with a step the plan has no op for (ShuffleNetV2, resizes) run per layer anyway.
   */
  readonly wholeNet?: boolean;
}

/** The storage identity of a tensor: tfjs gives a variable new storage (`dataId`) on every `assign`. */
type DataId = tf.Tensor['dataId'];

/**
 * One configuration of an adaptive backbone made ready for inference: every layer's weights sliced
 * to the configuration, every BatchNorm folded into the convolution before it with the
 * configuration's calibrated statistics, and a forward function of fused kernels (convolution + bias
 * + ReLU/ReLU6 in one `FusedConv2D` / `FusedDepthwiseConv2D`, the classifier one `_FusedMatMul`)
 * that makes no tidy scopes and frees each intermediate as soon as it is consumed.
 *
 * It remembers what it was computed from — the storage of every variable it read and every BN
 * layer's `version` — so `isCurrent()` tells when weights were updated or statistics recalibrated
 * or imported since. It owns its tensors: `dispose()` frees them.
 */
export class PreparedSubnet {
  readonly config: SubnetConfig;
  /** `configKey(config)`. */
  readonly key: string;
  readonly steps: readonly PreparedStep[];
  /** Bytes of the prepared weights (float32), what this configuration adds to the model's own. */
  readonly bytes: number;
  /** Number of prepared weight tensors. */
  readonly tensorCount: number;
  /** Multiply-adds of one image (the adaptive model's `cost`). */
  readonly macs: number;
  /** Milliseconds `prepareSubnet` took (checking, slicing and folding). */
  readonly prepareMs: number;
  private readonly inChannels: number;
  private readonly run: Runner;
  private readonly variables: readonly tf.Variable[];
  private readonly stamps: readonly DataId[];
  private readonly batchNorms: readonly SwitchableBatchNorm[];
  private readonly versions: readonly number[];
  private disposed = false;

  /** Use `prepareSubnet`. */
  constructor(model: Backbone, config: SubnetConfig, options: PrepareOptions = {}, now: () => number = () => performance.now()) {
    const t0 = now();
    // Validates width, scales and shapes exactly as `forward` would, before anything is allocated.
    this.macs = model.cost(model.inputShape(config), { config, training: false }).macs;
    const { steps, sources } = compileSubnet(model, config);
    this.config = config;
    this.key = configKey(config);
    this.steps = steps;
    this.inChannels = model.inChannels;
    const tensors = stepTensors(steps);
    // The subnet owns these until dispose(): an enclosing tf.tidy (a cache miss inside
    // `tf.tidy(() => cache.predict(x, c))`) must not free them when it ends.
    for (const t of tensors) tf.keep(t);
    this.tensorCount = tensors.length;
    this.bytes = tensors.reduce((n, t) => n + t.size * 4, 0);
    this.variables = sources.variables;
    this.stamps = sources.variables.map((v) => v.dataId);
    this.batchNorms = sources.batchNorms;
    this.versions = sources.batchNorms.map((bn) => bn.version);
    this.run = compileRunner(steps, options.wholeNet ?? true);
    this.prepareMs = now() - t0;
  }

  /**
   * Whether the weights and BN statistics it was prepared from are unchanged: no variable it read
   * was assigned (optimizer step, checkpoint load, `setStatistics`, `calibrate`, `importStatistics`)
   * and no BN layer it read wrote to its sets. Checks identities only: no tensor is read.
   */
  isCurrent(): boolean {
    if (this.disposed) return false;
    for (let i = 0; i < this.variables.length; i++) {
      const v = this.variables[i] as tf.Variable;
      if (v.isDisposed || v.dataId !== this.stamps[i]) return false;
    }
    for (let i = 0; i < this.batchNorms.length; i++)
      if ((this.batchNorms[i] as SwitchableBatchNorm).version !== this.versions[i]) return false;
    return true;
  }

  /**
   * Logits for `x` (`[N, r, r, C]`, normalised as in training, at the configuration's resolution).
   * Returns a new tensor the caller disposes; `x` is left alone. Runs whatever it was prepared
   * from: check `isCurrent()` (or use a `PreparedCache`, which does) after weights may have changed.
   */
  predict(x: tf.Tensor): tf.Tensor {
    if (this.disposed) throw new ConfigError(`prepared subnet ${this.key} was disposed (evicted or invalidated); prepare it again`);
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new ShapeError(`prepared subnet ${this.key}: input must be [N, H, W, ${this.inChannels}], got shape [${x.shape.join(', ')}]`);
    }
    return this.run(x);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of stepTensors(this.steps)) t.dispose();
  }
}

/**
 * Slices and folds `model` at `config` once (see `PreparedSubnet`). The configuration's BN
 * statistics must exist: calibrate it or import a query table's statistics first; otherwise the BN
 * layer's `ConfigRangeError` names the key. Video configurations (`frames`) are refused.
 */
export function prepareSubnet(model: Backbone, config: SubnetConfig, options: PrepareOptions = {}): PreparedSubnet {
  if (!Number.isInteger(config.resolution) || config.resolution <= 0) {
    throw new ConfigRangeError(`prepareSubnet: resolution must be a positive integer, got ${config.resolution}`);
  }
  if (config.frames !== undefined) throw new ConfigError('prepareSubnet: video configurations (frames) have no prepared 2D form');
  return new PreparedSubnet(model, config, options);
}
