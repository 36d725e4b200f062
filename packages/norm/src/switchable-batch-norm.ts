import {
  batchNormInfer,
  batchNormTrain,
  ConfigError,
  ConfigRangeError,
  type Cost,
  type ForwardContext,
  leafCost,
  Module,
  ShapeError,
  type SubnetConfig,
} from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { calibrationSessionOf } from './calibration-session.js';
import { type BnKeyPolicy, bnKey, checkPolicy, describePolicy, hasPrivateAffine } from './key-policy.js';

export interface SwitchableBatchNormOptions {
  /** Channels at the maximum width; narrower inputs use the leading channels. */
  readonly channels: number;
  readonly policy: BnKeyPolicy;
  /**
   * Configurations whose keys get a set at construction (γ = 1, β = 0, mean 0, variance 1). Required
   * for every policy with private affine parameters; optional for `'config'`, whose statistics
   * sets are normally created by `calibrate`.
   */
  readonly configs?: readonly SubnetConfig[];
  /** Default 1e-5 (PyTorch; tfjs-layers uses 1e-3). */
  readonly epsilon?: number;
  /** Weight of the new batch in the running statistics. Default 0.1 (PyTorch; tfjs-layers' decay 0.99 is momentum 0.01). */
  readonly momentum?: number;
}

interface BnSet {
  readonly gamma: tf.Variable | undefined;
  readonly beta: tf.Variable | undefined;
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;
  /** Resolution of a set created at construction under the 'resolution' policy. */
  readonly trainedResolution: number | undefined;
}

/** A copy of one key's four tensors (γ/β are the shared ones under the `'config'` policy). */
export interface BnSetValues {
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

export interface InterpolateOptions {
  /** Outside the trained range: `'error'` (default) or `'nearest'`, which uses the nearest trained set and warns. */
  readonly outside?: 'error' | 'nearest';
  /** Where the `'nearest'` warning goes. Default `console.warn`. */
  readonly warn?: (message: string) => void;
}

export interface InterpolationResult {
  readonly key: string;
  /** `'trained'`: the resolution has its own set; `'interpolated'`; `'nearest'`: clamped to the range. */
  readonly mode: 'trained' | 'interpolated' | 'nearest';
  /** The trained resolutions the set came from and the weight of the upper one. */
  readonly lower: number;
  readonly upper: number;
  readonly t: number;
}

function newVariable(init: () => tf.Tensor, trainable: boolean): tf.Variable {
  return tf.tidy(() => tf.variable(init(), trainable));
}

/**
 * BatchNorm with a private set of {γ, β, running mean, running variance} per key, the key derived
 * from the forward context by a policy (see `BnKeyPolicy`); under `'config'` γ/β are shared and
 * only the statistics are private. Inputs may be narrower than `channels` (a slim layer's output):
 * the leading channels of every tensor are used, the active count taken from the input's last dim.
 *
 * PyTorch semantics for parity with the papers: ε = 1e-5, momentum 0.1, unbiased running variance.
 */
export class SwitchableBatchNorm extends Module {
  readonly channels: number;
  readonly policy: BnKeyPolicy;
  readonly epsilon: number;
  readonly momentum: number;
  private readonly sets = new Map<string, BnSet>();
  private writes = 0;
  private readonly sharedGamma: tf.Variable | undefined;
  private readonly sharedBeta: tf.Variable | undefined;

  constructor(name: string, options: SwitchableBatchNormOptions) {
    super(name);
    if (!Number.isInteger(options.channels) || options.channels <= 0) {
      throw new ConfigError(`${name}: channels must be a positive integer, got ${options.channels}`);
    }
    this.channels = options.channels;
    this.policy = checkPolicy(options.policy);
    this.epsilon = options.epsilon ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    if (!(this.epsilon > 0)) throw new ConfigError(`${name}: epsilon must be > 0, got ${this.epsilon}`);
    if (!(this.momentum > 0 && this.momentum <= 1)) throw new ConfigError(`${name}: momentum must be in (0, 1], got ${this.momentum}`);
    const configs = options.configs ?? [];
    if (hasPrivateAffine(this.policy)) {
      if (configs.length === 0) {
        throw new ConfigError(
          `${name}: policy '${describePolicy(this.policy)}' needs the configurations to keep sets for (options.configs is empty)`,
        );
      }
    } else {
      this.sharedGamma = this.addVariable(
        'gamma',
        newVariable(() => tf.ones([this.channels]), true),
        'bn-gamma',
      );
      this.sharedBeta = this.addVariable(
        'beta',
        newVariable(() => tf.zeros([this.channels]), true),
        'bn-beta',
      );
    }
    for (const config of configs) {
      const key = this.keyFor(config);
      if (!this.sets.has(key)) this.createSet(key, this.policy === 'resolution' ? config.resolution : undefined);
    }
  }

  /**
   * Counts every write this layer makes to its sets (new set, `setStatistics` — which `calibrate`
   * and `importStatistics` use —, BN interpolation, running-statistics updates in training).
   * Caches derived from the statistics (folded inference weights) compare it to know they are stale.
   * Writes that bypass the layer (assigning its variables directly) are not counted.
   */
  get version(): number {
    return this.writes;
  }

  /** The key this layer uses for a configuration. */
  keyFor(config: SubnetConfig): string {
    return bnKey(this.policy, config);
  }

  keys(): string[] {
    return [...this.sets.keys()];
  }

  hasKey(key: string): boolean {
    return this.sets.has(key);
  }

  /** Resolutions with a trained set (the `'resolution'` policy), ascending. */
  trainedResolutions(): number[] {
    return [...this.sets.values()].flatMap((s) => (s.trainedResolution === undefined ? [] : [s.trainedResolution])).sort((a, b) => a - b);
  }

  /** A copy of one key's tensors. */
  values(key: string): BnSetValues {
    const set = this.requireSet(key);
    const read = (v: tf.Variable) => Float32Array.from(v.dataSync());
    return {
      gamma: read(set.gamma ?? (this.sharedGamma as tf.Variable)),
      beta: read(set.beta ?? (this.sharedBeta as tf.Variable)),
      mean: read(set.mean),
      variance: read(set.variance),
    };
  }

  /**
   * Replaces a key's running statistics: the leading `mean.length` channels get the given values,
   * the rest are reset to mean 0, variance 1. Under `'config'` a missing key is created.
   */
  setStatistics(key: string, mean: ArrayLike<number>, variance: ArrayLike<number>): void {
    if (mean.length !== variance.length || mean.length === 0 || mean.length > this.channels) {
      throw new ShapeError(
        `${this.name}: statistics need 1..${this.channels} channels with mean and variance of equal length, got ${mean.length} and ${variance.length}`,
      );
    }
    const set = this.sets.get(key) ?? (this.policy === 'config' ? this.createSet(key, undefined) : this.requireSet(key));
    const pad = (values: ArrayLike<number>, fill: number) => {
      const out = new Float32Array(this.channels).fill(fill);
      out.set(Array.from(values));
      return out;
    };
    tf.tidy(() => {
      set.mean.assign(tf.tensor1d(pad(mean, 0)));
      set.variance.assign(tf.tensor1d(pad(variance, 1)));
    });
    this.writes++;
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const c = this.activeChannels(x.shape);
    const key = this.keyFor(ctx.config);
    const session = calibrationSessionOf(ctx);
    const set = this.sets.get(key);
    // Shared-affine layers run on batch statistics without a set (training, calibration); all else needs the key's set.
    if (!set && (hasPrivateAffine(this.policy) || (!ctx.training && !session))) throw this.missingKey(key);
    const gamma = (set?.gamma ?? this.sharedGamma) as tf.Variable;
    const beta = (set?.beta ?? this.sharedBeta) as tf.Variable;
    return tf.tidy(() => {
      const g = this.head(gamma, c);
      const b = this.head(beta, c);
      if (!ctx.training && !session) {
        const s = set as BnSet;
        return batchNormInfer(x, this.head(s.mean, c), this.head(s.variance, c), g, b, this.epsilon);
      }
      const r = batchNormTrain(x, g, b, this.epsilon);
      if (session) session.record(this, r.mean, r.variance, r.count);
      else if (set) this.updateRunning(set, r.mean, r.variance, r.count, c);
      return r.y;
    });
  }

  cost(inShape: readonly number[], _ctx: ForwardContext): Cost {
    const c = this.activeChannels(inShape);
    // Inference BN folds into the preceding convolution: no multiply-adds, as in the papers' counts.
    return leafCost({ name: this.name, kind: 'batchnorm', macs: 0, params: 2 * c, outShape: [...inShape] });
  }

  /**
   * RS-Nets "Tested at New Resolutions": the set for `resolution` as the linear interpolation of
   * the two trained sets around it, all four tensors. Stored under that resolution's key (recomputed
   * on every call); a trained resolution keeps its own set.
   */
  interpolateResolution(resolution: number, options: InterpolateOptions = {}): InterpolationResult {
    if (this.policy !== 'resolution') {
      throw new ConfigError(
        `${this.name}: BN interpolation needs the 'resolution' policy, this layer uses '${describePolicy(this.policy)}'`,
      );
    }
    if (!Number.isFinite(resolution) || resolution <= 0)
      throw new ConfigRangeError(`${this.name}: resolution must be a positive number, got ${resolution}`);
    const trained = this.trainedResolutions();
    const key = this.keyFor({ width: 1, resolution });
    if (trained.includes(resolution)) return { key, mode: 'trained', lower: resolution, upper: resolution, t: 0 };
    const min = trained[0] as number;
    const max = trained[trained.length - 1] as number;
    let lower: number;
    let upper: number;
    let mode: InterpolationResult['mode'] = 'interpolated';
    if (resolution < min || resolution > max) {
      const range = `[${min}, ${max}] (trained: ${trained.join(', ')})`;
      if (options.outside !== 'nearest') {
        throw new ConfigRangeError(
          `${this.name}: resolution ${resolution} is outside the trained range ${range}; pass { outside: 'nearest' } to use the nearest set`,
        );
      }
      lower = upper = resolution < min ? min : max;
      mode = 'nearest';
      (options.warn ?? console.warn)(
        `[adaptnet] resolution ${resolution} is outside the trained BN range ${range}: using the set of ${lower}`,
      );
    } else {
      lower = trained.filter((r) => r < resolution).pop() as number;
      upper = trained.find((r) => r > resolution) as number;
    }
    const t = upper === lower ? 0 : (resolution - lower) / (upper - lower);
    const a = this.requireSet(this.keyFor({ width: 1, resolution: lower }));
    const b = this.requireSet(this.keyFor({ width: 1, resolution: upper }));
    const out = this.sets.get(key) ?? this.createSet(key, undefined);
    tf.tidy(() => {
      const lerp = (va: tf.Variable, vb: tf.Variable) => tf.add(tf.mul(va, 1 - t), tf.mul(vb, t));
      out.gamma?.assign(lerp(a.gamma as tf.Variable, b.gamma as tf.Variable));
      out.beta?.assign(lerp(a.beta as tf.Variable, b.beta as tf.Variable));
      out.mean.assign(lerp(a.mean, b.mean));
      out.variance.assign(lerp(a.variance, b.variance));
    });
    this.writes++;
    return { key, mode, lower, upper, t };
  }

  private activeChannels(shape: readonly number[]): number {
    const c = shape[shape.length - 1];
    if (c === undefined || shape.length < 2 || c < 1 || c > this.channels) {
      throw new ShapeError(
        `${this.name}: input must be [..., C] with 1 <= C <= ${this.channels} channels, got shape [${shape.join(', ')}]`,
      );
    }
    return c;
  }

  private head(v: tf.Tensor, c: number): tf.Tensor1D {
    return (c === this.channels ? v : tf.slice(v, [0], [c])) as tf.Tensor1D;
  }

  private updateRunning(set: BnSet, mean: tf.Tensor1D, variance: tf.Tensor1D, count: number, c: number): void {
    const m = this.momentum;
    const update = (running: tf.Variable, batch: tf.Tensor) => {
      const head = tf.add(tf.mul(this.head(running, c), 1 - m), tf.mul(batch, m));
      running.assign(c === this.channels ? head : tf.concat([head, tf.slice(running, [c], [this.channels - c])]));
    };
    update(set.mean, mean);
    update(set.variance, tf.mul(variance, count / Math.max(1, count - 1)));
    this.writes++;
  }

  private missingKey(key: string): ConfigRangeError {
    const existing = this.keys();
    const hint = this.policy === 'config' ? '; run calibrate() for this configuration or import its statistics' : '';
    return new ConfigRangeError(
      `${this.name}: no BatchNorm set for key '${key}' (policy ${describePolicy(this.policy)}); sets exist for: ${existing.length ? existing.join(', ') : '(none)'}${hint}`,
    );
  }

  private requireSet(key: string): BnSet {
    const set = this.sets.get(key);
    if (!set) throw this.missingKey(key);
    return set;
  }

  private createSet(key: string, trainedResolution: number | undefined): BnSet {
    const affine = hasPrivateAffine(this.policy);
    const set: BnSet = {
      gamma: affine
        ? this.addVariable(
            `${key}.gamma`,
            newVariable(() => tf.ones([this.channels]), true),
            'bn-gamma',
          )
        : undefined,
      beta: affine
        ? this.addVariable(
            `${key}.beta`,
            newVariable(() => tf.zeros([this.channels]), true),
            'bn-beta',
          )
        : undefined,
      mean: this.addVariable(
        `${key}.running_mean`,
        newVariable(() => tf.zeros([this.channels]), false),
        'bn-statistic',
      ),
      variance: this.addVariable(
        `${key}.running_var`,
        newVariable(() => tf.ones([this.channels]), false),
        'bn-statistic',
      ),
      trainedResolution,
    };
    this.sets.set(key, set);
    this.writes++;
    return set;
  }
}
