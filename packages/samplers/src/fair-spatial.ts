import { ConfigError, Rng, type RngState, type SubnetConfig } from '@adaptnet/core';
import type { SubnetSampler } from './sampler.js';
import { checkCount, checkRngState, checkSizeList, checkWidth } from './validate.js';

export interface FairSpatialSamplerOptions {
  /** Number of resizable stages. */
  readonly stages: number;
  /** Scale factors every stage can take. */
  readonly choices: readonly number[];
  /** Input resolution of every sampled subnet. */
  readonly resolution: number;
  /** Default 1. */
  readonly width?: number;
  /**
   * Subnets per iteration; must divide `choices.length`. Default `choices.length` (Algorithm 1:
   * one subnet per choice, so a cycle is one iteration).
   */
  readonly subnetsPerIteration?: number;
  readonly seed?: number;
}

export interface FairSpatialSamplerState {
  readonly rng: RngState;
  /** Scale vectors of the current cycle not handed out yet. */
  readonly pending: readonly (readonly number[])[];
}

/**
 * Fair sampling of resizable networks (Resizable Neural Networks §3.2, Algorithm 1). A cycle is
 * `choices.length` subnets built from one random permutation of the choices per stage, so over a
 * cycle every (stage, factor) pair is trained exactly once, and any slice of a cycle (one
 * iteration) repeats no (stage, factor) pair.
 */
export class FairSpatialSampler implements SubnetSampler<FairSpatialSamplerState> {
  readonly stages: number;
  readonly choices: readonly number[];
  readonly resolution: number;
  readonly width: number;
  readonly subnetsPerIteration: number;
  private readonly rng: Rng;
  private pending: number[][] = [];

  constructor(options: FairSpatialSamplerOptions) {
    checkCount('stages', options.stages, 1);
    if (options.choices.length === 0) throw new ConfigError('choices list is empty');
    const seen = new Set<number>();
    for (const c of options.choices) {
      if (!Number.isFinite(c) || c <= 0) throw new ConfigError(`choices must be finite numbers > 0, got ${c}`);
      if (seen.has(c)) throw new ConfigError(`choices lists ${c} twice`);
      seen.add(c);
    }
    checkSizeList('resolution', [options.resolution]);
    this.width = options.width ?? 1;
    checkWidth('width', this.width);
    this.subnetsPerIteration = options.subnetsPerIteration ?? options.choices.length;
    checkCount('subnetsPerIteration', this.subnetsPerIteration, 1);
    if (options.choices.length % this.subnetsPerIteration !== 0) {
      throw new ConfigError(`subnetsPerIteration ${this.subnetsPerIteration} does not divide the ${options.choices.length} choices`);
    }
    this.stages = options.stages;
    this.choices = [...options.choices];
    this.resolution = options.resolution;
    this.rng = new Rng(options.seed ?? 0);
  }

  /** Iterations after which every (stage, factor) pair has been trained exactly once. */
  get cycleLength(): number {
    return this.choices.length / this.subnetsPerIteration;
  }

  next(): SubnetConfig[] {
    if (this.pending.length === 0) this.pending = this.newCycle();
    return this.pending.splice(0, this.subnetsPerIteration).map((scales) => ({ width: this.width, resolution: this.resolution, scales }));
  }

  state(): FairSpatialSamplerState {
    return { rng: this.rng.state(), pending: this.pending.map((s) => [...s]) };
  }

  setState(state: FairSpatialSamplerState): void {
    const rng = checkRngState(state.rng);
    const pending: readonly (readonly number[])[] = Array.isArray(state.pending) ? state.pending : [];
    const ok =
      Array.isArray(state.pending) &&
      pending.length % this.subnetsPerIteration === 0 &&
      pending.every((s) => Array.isArray(s) && s.length === this.stages && s.every((c) => this.choices.includes(c)));
    if (!ok) {
      throw new ConfigError(
        `sampler state does not fit ${this.stages} stages with choices {${this.choices.join(', ')}} and ${this.subnetsPerIteration} subnets per iteration`,
      );
    }
    this.rng.setState(rng);
    this.pending = pending.map((s) => [...s]);
  }

  private newCycle(): number[][] {
    const perStage = Array.from({ length: this.stages }, () => this.rng.shuffle([...this.choices]));
    return this.choices.map((_, j) => perStage.map((perm) => perm[j] as number));
  }
}
