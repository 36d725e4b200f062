import { ConfigError, type Module, ShapeError, type SubnetConfig } from '@adaptnet/core';
import { findBatchNorms } from './registry.js';

export const BN_STATISTICS_FORMAT = 'adaptnet-bn-statistics';
export const BN_STATISTICS_VERSION = 1;

export interface BnLayerStatistics {
  /** The layer's key for the configuration (checked on import). */
  readonly key: string;
  readonly mean: readonly number[];
  /** Unbiased running variance. */
  readonly variance: readonly number[];
}

/** One configuration's BN statistics, as plain JSON-ready data (the query table ships these). */
export interface BnStatistics {
  readonly format: typeof BN_STATISTICS_FORMAT;
  readonly version: typeof BN_STATISTICS_VERSION;
  readonly config: SubnetConfig;
  /** By layer path in the model. */
  readonly layers: Readonly<Record<string, BnLayerStatistics>>;
}

/** The running statistics every SwitchableBatchNorm of `model` holds for `config`. */
export function exportStatistics(model: Module, config: SubnetConfig): BnStatistics {
  const layers: Record<string, BnLayerStatistics> = {};
  for (const { path, bn } of findBatchNorms(model)) {
    const key = bn.keyFor(config);
    if (!bn.hasKey(key)) continue;
    const v = bn.values(key);
    layers[path] = { key, mean: Array.from(v.mean), variance: Array.from(v.variance) };
  }
  if (Object.keys(layers).length === 0)
    throw new ConfigError(`exportStatistics: no BN layer of ${model.name} holds statistics for this configuration`);
  const { width, resolution, frames, scales } = config;
  const plain: SubnetConfig = {
    width,
    resolution,
    ...(frames === undefined ? {} : { frames }),
    ...(scales === undefined ? {} : { scales: [...scales] }),
  };
  return { format: BN_STATISTICS_FORMAT, version: BN_STATISTICS_VERSION, config: plain, layers };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finiteArray(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new ConfigError(`importStatistics: ${what} must be an array of finite numbers`);
  }
  return v as number[];
}

function parseConfig(v: unknown): SubnetConfig {
  if (!isRecord(v)) throw new ConfigError('importStatistics: config must be an object');
  const { width, resolution, frames, scales } = v;
  if (typeof width !== 'number' || !Number.isFinite(width))
    throw new ConfigError(`importStatistics: config.width must be a finite number, got ${String(width)}`);
  if (typeof resolution !== 'number' || !Number.isFinite(resolution)) {
    throw new ConfigError(`importStatistics: config.resolution must be a finite number, got ${String(resolution)}`);
  }
  if (frames !== undefined && (typeof frames !== 'number' || !Number.isFinite(frames))) {
    throw new ConfigError(`importStatistics: config.frames must be a finite number, got ${String(frames)}`);
  }
  return {
    width,
    resolution,
    ...(frames === undefined ? {} : { frames: frames as number }),
    ...(scales === undefined ? {} : { scales: finiteArray(scales, 'config.scales') }),
  };
}

/**
 * Restores statistics written by `exportStatistics` (e.g. parsed from JSON) into `model`. Every
 * field is validated (format, version, layer paths, keys, channel counts, variance >= 0) before
 * anything is written.
 */
export function importStatistics(model: Module, data: unknown): BnStatistics {
  if (!isRecord(data)) throw new ConfigError('importStatistics: expected an object');
  if (data.format !== BN_STATISTICS_FORMAT) {
    throw new ConfigError(`importStatistics: format must be '${BN_STATISTICS_FORMAT}', got ${JSON.stringify(data.format)}`);
  }
  if (data.version !== BN_STATISTICS_VERSION) {
    throw new ConfigError(`importStatistics: unsupported version ${JSON.stringify(data.version)}; supported: ${BN_STATISTICS_VERSION}`);
  }
  const config = parseConfig(data.config);
  if (!isRecord(data.layers)) throw new ConfigError('importStatistics: layers must be an object keyed by layer path');
  const byPath = new Map(findBatchNorms(model).map(({ path, bn }) => [path, bn]));
  const layers: Record<string, BnLayerStatistics> = {};
  const writes: (() => void)[] = [];
  for (const [path, entry] of Object.entries(data.layers)) {
    const bn = byPath.get(path);
    if (!bn)
      throw new ConfigError(`importStatistics: no SwitchableBatchNorm at '${path}'; the model has: ${[...byPath.keys()].join(', ')}`);
    if (!isRecord(entry)) throw new ConfigError(`importStatistics: layers['${path}'] must be an object`);
    const key = bn.keyFor(config);
    if (entry.key !== key)
      throw new ConfigError(
        `importStatistics: layers['${path}'].key is ${JSON.stringify(entry.key)}, but this layer's key for the configuration is '${key}'`,
      );
    const mean = finiteArray(entry.mean, `layers['${path}'].mean`);
    const variance = finiteArray(entry.variance, `layers['${path}'].variance`);
    if (mean.length !== bn.channels || variance.length !== bn.channels) {
      throw new ShapeError(
        `importStatistics: layers['${path}'] has ${mean.length} means and ${variance.length} variances; the layer has ${bn.channels} channels`,
      );
    }
    if (variance.some((x) => x < 0)) throw new ConfigError(`importStatistics: layers['${path}'].variance has negative entries`);
    if (bn.policy !== 'config' && !bn.hasKey(key)) {
      throw new ConfigError(`importStatistics: layer '${path}' has no set for key '${key}'; sets exist for: ${bn.keys().join(', ')}`);
    }
    layers[path] = { key, mean, variance };
    writes.push(() => bn.setStatistics(key, mean, variance));
  }
  for (const write of writes) write();
  return { format: BN_STATISTICS_FORMAT, version: BN_STATISTICS_VERSION, config, layers };
}
