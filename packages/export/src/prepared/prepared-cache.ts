import type { Backbone } from '@adaptnet/backbones';
import { ConfigError, configKey, type SubnetConfig } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import { type PreparedSubnet, type PrepareOptions, prepareSubnet } from './prepared-subnet.js';

export interface PreparedCacheOptions extends PrepareOptions {
  /** Most configurations kept prepared at once. Default 8; `Infinity`: no bound. */
  readonly maxEntries?: number;
  /**
   * Most bytes of prepared weights kept at once. Default: the model's own variables' bytes, so the
   * footprint stays within twice the adaptive model. A configuration larger than the bound on its
   * own is still prepared, as the only entry. `Infinity`: no bound.
   */
  readonly maxBytes?: number;
}

export interface PreparedEntryReport {
  readonly key: string;
  readonly config: SubnetConfig;
  readonly bytes: number;
  readonly tensors: number;
  readonly macs: number;
  readonly prepareMs: number;
}

/** What the cache holds, against the weights every configuration shares. */
export interface PreparedMemoryReport {
  /** Bytes of the adaptive model's variables (weights, BN parameters and every stored statistics set). */
  readonly sharedBytes: number;
  /** Bytes of all prepared configurations together. */
  readonly preparedBytes: number;
  /** `sharedBytes + preparedBytes`. */
  readonly totalBytes: number;
  readonly maxBytes: number;
  readonly maxEntries: number;
  /** Most recently used first. */
  readonly entries: readonly PreparedEntryReport[];
}

export interface PreparedCacheStats {
  /** `get` calls answered by a current prepared configuration. */
  readonly hits: number;
  /** Configurations prepared (first use, after eviction, or after invalidation). */
  readonly misses: number;
  /** Entries dropped to stay within the bounds. */
  readonly evictions: number;
  /** Entries dropped because their weights or BN statistics had changed. */
  readonly invalidations: number;
}

function entryReport(p: PreparedSubnet): PreparedEntryReport {
  return { key: p.key, config: p.config, bytes: p.bytes, tensors: p.tensorCount, macs: p.macs, prepareMs: p.prepareMs };
}

function positive(name: string, v: number): number {
  if (!(v > 0)) throw new ConfigError(`PreparedCache: ${name} must be a positive number (Infinity: unbounded), got ${v}`);
  return v;
}

/**
 * A bounded LRU of prepared configurations of one adaptive backbone (`PreparedSubnet`): a switch to
 * a configuration prepared before and still current costs a map lookup and an identity check of
 * the variables it read (the same config object as the last call: the identity check only);
 * otherwise it is prepared (sliced and folded) once and kept, evicting the
 * least recently used configurations beyond `maxEntries` or `maxBytes`. An entry whose weights or
 * BN statistics changed since (training, `calibrate`, `importStatistics`, a checkpoint load) is
 * dropped and prepared again on its next use. `memory()` reports what it holds.
 */
export class PreparedCache {
  readonly model: Backbone;
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly entries = new Map<string, PreparedSubnet>();
  private counts = { hits: 0, misses: 0, evictions: 0, invalidations: 0 };
  private disposed = false;
  private readonly prepareOptions: PrepareOptions;
  /** What `get` returned last, for the config object it was given then and that object's fields then. */
  private last: { config: SubnetConfig; width: number; resolution: number; frames: number | undefined; prepared: PreparedSubnet } | null =
    null;

  constructor(model: Backbone, options: PreparedCacheOptions = {}) {
    this.model = model;
    this.prepareOptions = options.wholeNet === undefined ? {} : { wholeNet: options.wholeNet };
    this.maxEntries = positive('maxEntries', options.maxEntries ?? 8);
    if (!Number.isInteger(this.maxEntries) && this.maxEntries !== Number.POSITIVE_INFINITY)
      throw new ConfigError(`PreparedCache: maxEntries must be an integer, got ${this.maxEntries}`);
    this.maxBytes = positive('maxBytes', options.maxBytes ?? Math.max(1, this.sharedBytes()));
  }

  /** The prepared configuration, from the cache when current, else prepared now. Owned by the cache: do not dispose it. */
  get(config: SubnetConfig): PreparedSubnet {
    if (this.disposed) throw new ConfigError('PreparedCache: used after dispose()');
    // A serving loop passes one config object on every call. The entry returned last is already the
    // most recently used, so it needs no key and no LRU move (0.6 of the main job's 12 µs forward).
    // The fields are compared too: JavaScript can change a readonly object. Per-stage scales take
    // the full lookup.
    const last = this.last;
    if (
      last !== null &&
      last.config === config &&
      config.width === last.width &&
      config.resolution === last.resolution &&
      config.frames === last.frames &&
      config.scales === undefined &&
      !last.prepared.isDisposed &&
      last.prepared.isCurrent()
    ) {
      this.counts.hits++;
      return last.prepared;
    }
    const prepared = this.lookUp(config);
    this.last = { config, width: config.width, resolution: config.resolution, frames: config.frames, prepared };
    return prepared;
  }

  private lookUp(config: SubnetConfig): PreparedSubnet {
    const key = configKey(config);
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      if (found.isCurrent()) {
        this.entries.set(key, found);
        this.counts.hits++;
        return found;
      }
      found.dispose();
      this.counts.invalidations++;
    }
    const prepared = prepareSubnet(this.model, config, this.prepareOptions);
    this.counts.misses++;
    this.entries.set(key, prepared);
    this.evict(prepared);
    return prepared;
  }

  /** `get(config).predict(x)`: logits as a new tensor the caller disposes. */
  predict(x: tf.Tensor, config: SubnetConfig): tf.Tensor {
    return this.get(config).predict(x);
  }

  /** Whether `config` is held prepared and current (no preparation, no LRU update). */
  has(config: SubnetConfig): boolean {
    return this.entries.get(configKey(config))?.isCurrent() ?? false;
  }

  get size(): number {
    return this.entries.size;
  }

  get stats(): PreparedCacheStats {
    return { ...this.counts };
  }

  memory(): PreparedMemoryReport {
    const entries = [...this.entries.values()].reverse().map(entryReport);
    const sharedBytes = this.sharedBytes();
    const preparedBytes = entries.reduce((n, e) => n + e.bytes, 0);
    return {
      sharedBytes,
      preparedBytes,
      totalBytes: sharedBytes + preparedBytes,
      maxBytes: this.maxBytes,
      maxEntries: this.maxEntries,
      entries,
    };
  }

  /** Drops every prepared configuration (frees its tensors). */
  clear(): void {
    for (const p of this.entries.values()) p.dispose();
    this.entries.clear();
  }

  dispose(): void {
    this.clear();
    this.last = null;
    this.disposed = true;
  }

  private sharedBytes(): number {
    let n = 0;
    for (const v of this.model.namedVariables().values()) n += v.size * 4;
    return n;
  }

  private evict(keep: PreparedSubnet): void {
    let bytes = 0;
    for (const p of this.entries.values()) bytes += p.bytes;
    // Map order is least recently used first.
    for (const [key, p] of this.entries) {
      if (this.entries.size <= this.maxEntries && bytes <= this.maxBytes) break;
      if (p === keep) continue;
      this.entries.delete(key);
      bytes -= p.bytes;
      p.dispose();
      this.counts.evictions++;
    }
  }
}

/**
 * The prepared path as a plain forward function, e.g. for `evaluateGrid`'s `forward` option:
 * `(model, config) => (x) => logits`, served from `cache`.
 */
export function preparedForward(cache: PreparedCache): (model: unknown, config: SubnetConfig) => (x: tf.Tensor) => tf.Tensor {
  return (_model, config) => (x) => cache.predict(x, config);
}
