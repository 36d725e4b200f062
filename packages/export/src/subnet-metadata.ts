import type { Backbone } from '@adaptnet/backbones';
import { ConfigError, ConfigRangeError, type ForwardContext, type SubnetConfig } from '@adaptnet/core';

export const SUBNET_METADATA_KEY = 'adaptnet';
export const SUBNET_FORMAT = 'adaptnet-subnet';
export const SUBNET_FORMAT_VERSION = 1;

/** Accuracy of the configuration as measured for the query table (fractions in [0, 1]). */
export interface SubnetAccuracy {
  readonly top1: number;
  readonly top5?: number;
  /** Test images it was measured on. */
  readonly samples?: number;
}

/** What `exportSubnet` writes into the model's `userDefinedMetadata[SUBNET_METADATA_KEY]`. */
export interface SubnetMetadata {
  readonly format: typeof SUBNET_FORMAT;
  readonly version: typeof SUBNET_FORMAT_VERSION;
  /** The adaptive model's name, e.g. `mobilenet_v1`. */
  readonly source: string;
  readonly config: SubnetConfig;
  /** `[resolution, resolution, inChannels]`, NHWC without the batch; inputs are normalised as in training. */
  readonly inputShape: readonly number[];
  /** Multiply-adds of one image, the adaptive model's `cost` (BN folded: none of its own). */
  readonly macs: number;
  /** Parameters at this configuration as the adaptive model counts them (BN γ and β included). */
  readonly params: number;
  /** Weights of the exported network (folded BN leaves one bias per channel). */
  readonly exportedParams: number;
  readonly accuracy?: SubnetAccuracy;
  /** Anything else the caller adds (class names, normalisation, the model spec, ...). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The file format of an export: a tfjs Layers model (`tf.loadLayersModel`) or a tfjs graph model (`tf.loadGraphModel`). */
export type SubnetFormat = 'layers' | 'graph';
export const SUBNET_FORMATS: readonly SubnetFormat[] = ['layers', 'graph'];

export interface ExportSubnetOptions {
  /** From the query table row of this configuration. */
  readonly accuracy?: SubnetAccuracy;
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Model name. Default `<source>_w<width>_r<resolution>`. */
  readonly name?: string;
}

function round(x: number): string {
  return String(Math.round(x * 1000) / 1000).replace('.', '_');
}

/** The default name of an exported configuration. */
export function subnetName(model: Backbone, config: SubnetConfig, options: ExportSubnetOptions): string {
  return options.name ?? `${model.name}_w${round(config.width)}_r${config.resolution}`;
}

/** Checks that `config` has a 2D export; returns its metadata (MACs and parameters from the adaptive model's `cost`). */
export function describeSubnet(model: Backbone, config: SubnetConfig, options: ExportSubnetOptions): SubnetMetadata {
  if (!Number.isInteger(config.resolution) || config.resolution <= 0) {
    throw new ConfigRangeError(`exportSubnet: resolution must be a positive integer, got ${config.resolution}`);
  }
  if (config.frames !== undefined) throw new ConfigError('exportSubnet: video configurations (frames) have no 2D export');
  const ctx: ForwardContext = { config, training: false };
  const inputShape = [config.resolution, config.resolution, model.inChannels];
  const cost = model.cost([1, ...inputShape], ctx);
  const bnChannels = cost.layers.filter((l) => l.kind === 'batchnorm').reduce((n, l) => n + l.params / 2, 0);
  return {
    format: SUBNET_FORMAT,
    version: SUBNET_FORMAT_VERSION,
    source: model.name,
    config: {
      width: config.width,
      resolution: config.resolution,
      ...(config.scales === undefined ? {} : { scales: [...config.scales] }),
    },
    inputShape,
    macs: cost.macs,
    params: cost.params,
    exportedParams: cost.params - bnChannels,
    ...(options.accuracy === undefined ? {} : { accuracy: options.accuracy }),
    ...(options.extra === undefined ? {} : { extra: options.extra }),
  };
}

/** Anything an exported subnet's metadata can be read from: a Layers model, a graph model (`tf.loadGraphModel`), or model artifacts. */
export type SubnetMetadataSource =
  | { getUserDefinedMetadata(): object | undefined }
  | { readonly metadata: object | undefined }
  | { readonly userDefinedMetadata?: object };

/** The AdaptNet metadata of an exported (or loaded) subnet, undefined for other models. */
export function subnetMetadata(model: SubnetMetadataSource): SubnetMetadata | undefined {
  const all = (
    'getUserDefinedMetadata' in model
      ? model.getUserDefinedMetadata()
      : 'metadata' in model
        ? model.metadata
        : 'userDefinedMetadata' in model
          ? model.userDefinedMetadata
          : undefined
  ) as Record<string, unknown> | undefined;
  const m = all?.[SUBNET_METADATA_KEY] as SubnetMetadata | undefined;
  return m?.format === SUBNET_FORMAT ? m : undefined;
}
