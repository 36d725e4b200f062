import type { Backbone } from '@adaptnet/backbones';
import { ConfigError, ConfigRangeError, type ForwardContext, type SubnetConfig } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { prepareSubnet } from './prepared/prepared-subnet.js';
import type { ConvStep, PreparedStep } from './prepared/steps.js';

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

export interface ExportSubnetOptions {
  /** From the query table row of this configuration. */
  readonly accuracy?: SubnetAccuracy;
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Layers model name. Default `<source>_w<width>_r<resolution>`. */
  readonly name?: string;
}

type Sym = tfl.SymbolicTensor;

const ACTIVATION = { relu: 'relu', relu6: 'relu6', none: 'linear' } as const;

function channelsOf(x: Sym): number {
  return x.shape[x.shape.length - 1] as number;
}

/**
 * Builds the functional graph of a prepared configuration's steps, one layer per operation, with
 * the prepared (sliced, BN-folded) weights: the exported model and the prepared path are the same network.
 */
class GraphBuilder {
  private count = 0;

  private name(base: string): string {
    this.count++;
    return `${base}_${this.count}`;
  }

  conv(step: ConvStep, x: Sym): Sym {
    const k = step.kernelSize;
    const p = step.padding;
    // TF 'same' equals symmetric ⌊k/2⌋ padding only at stride 1 (odd k); otherwise pad explicitly.
    let input = x;
    let padding: 'same' | 'valid' = 'valid';
    if (p > 0 && step.strides === 1 && k % 2 === 1 && p === Math.floor(k / 2)) padding = 'same';
    else if (p > 0) input = tfl.layers.zeroPadding2d({ padding: p, name: this.name('pad') }).apply(x) as Sym;
    const common = {
      kernelSize: k,
      strides: step.strides,
      padding,
      useBias: true,
      activation: ACTIVATION[step.activation],
      weights: [step.filter, step.bias],
    };
    const layer = step.depthwise
      ? tfl.layers.depthwiseConv2d({ ...common, depthMultiplier: 1, name: this.name('dwconv') })
      : tfl.layers.conv2d({ ...common, filters: step.outChannels, name: this.name('conv') });
    return layer.apply(input) as Sym;
  }

  chain(steps: readonly PreparedStep[], x: Sym): Sym {
    return steps.reduce((h, s) => this.step(s, h), x);
  }

  /** Channel shuffle with 2 groups of concat([a, b]): reshape [h, w, 2, k] → permute → [h, w, 2k]. */
  private shuffle(a: Sym, b: Sym): Sym {
    const [, h, w, k] = a.shape as [null, number, number, number];
    const both = tfl.layers.concatenate({ axis: -1, name: this.name('concat') }).apply([a, b]) as Sym;
    const grouped = tfl.layers.reshape({ targetShape: [h, w, 2, k], name: this.name('shuffle_split') }).apply(both) as Sym;
    const swapped = tfl.layers.permute({ dims: [1, 2, 4, 3], name: this.name('shuffle_swap') }).apply(grouped) as Sym;
    return tfl.layers.reshape({ targetShape: [h, w, 2 * k], name: this.name('shuffle_merge') }).apply(swapped) as Sym;
  }

  /** Channels [from, from + count) of x: no channel-slice layer exists, so crop a [h·w, c, 1] view. */
  private channelSlice(x: Sym, from: number, count: number): Sym {
    const [, h, w, c] = x.shape as [null, number, number, number];
    const flat = tfl.layers.reshape({ targetShape: [h * w, c, 1], name: this.name('split_view') }).apply(x) as Sym;
    const cropped = tfl.layers
      .cropping2D({
        cropping: [
          [0, 0],
          [from, c - from - count],
        ],
        name: this.name('split_crop'),
      })
      .apply(flat) as Sym;
    return tfl.layers.reshape({ targetShape: [h, w, count], name: this.name('split') }).apply(cropped) as Sym;
  }

  step(s: PreparedStep, x: Sym): Sym {
    switch (s.kind) {
      case 'conv':
        return this.conv(s, x);
      case 'residual': {
        const main = this.chain(s.body, x);
        const skip = s.shortcut ? this.chain(s.shortcut, x) : x;
        const sum = tfl.layers.add({ name: this.name('add') }).apply([main, skip]) as Sym;
        return s.relu ? (tfl.layers.reLU({ name: this.name('relu') }).apply(sum) as Sym) : sum;
      }
      case 'shuffle': {
        if (s.split) {
          const k = channelsOf(x) / 2;
          return this.shuffle(this.channelSlice(x, 0, k), this.chain(s.branch2, this.channelSlice(x, k, k)));
        }
        return this.shuffle(this.chain(s.branch1, x), this.chain(s.branch2, x));
      }
      case 'maxpool': {
        // Every max pool of the backbones follows a ReLU: zero padding then equals tf.maxPool's (−∞) padding.
        const padded = s.p > 0 ? (tfl.layers.zeroPadding2d({ padding: s.p, name: this.name('pad') }).apply(x) as Sym) : x;
        return tfl.layers.maxPooling2d({ poolSize: s.k, strides: s.s, padding: 'valid', name: this.name('maxpool') }).apply(padded) as Sym;
      }
      case 'resize':
        throw new ConfigError(
          `exportSubnet: ${s.name} resizes by ${s.scale}, and tfjs-layers' Resizing layer interpolates with aligned corners, not the half-pixel centres the network was trained with; export a configuration without scales (or scales of 1)`,
        );
      case 'global-avg-pool':
        return tfl.layers.globalAveragePooling2d({ name: this.name('avgpool') }).apply(x) as Sym;
      case 'dense': {
        const [, cin, cout] = s.kernel.shape;
        const kernel = tf.reshape(s.kernel, [cin, cout]);
        const y = tfl.layers.dense({ units: cout, useBias: true, weights: [kernel, s.bias], name: this.name('dense') }).apply(x) as Sym;
        kernel.dispose();
        return y;
      }
    }
  }
}

function round(x: number): string {
  return String(Math.round(x * 1000) / 1000).replace('.', '_');
}

/**
 * One configuration of an adaptive backbone as a plain tfjs Layers model, in the manner of
 * once-for-all's `get_active_subnet`: weights sliced to the configuration's channels, every BN folded
 * into its convolution with the configuration's calibrated statistics (calibrate, or import a query
 * table's statistics, first). The input is `[N, r, r, C]` as the adaptive model takes it. MACs,
 * parameters and accuracy go into `userDefinedMetadata.adaptnet` (see `SubnetMetadata`). Save it
 * with `model.save(...)` or `saveSubnet` from `@adaptnet/export/node`; `tf.loadLayersModel` loads it.
 */
export function exportSubnet(model: Backbone, config: SubnetConfig, options: ExportSubnetOptions = {}): tfl.LayersModel {
  if (!Number.isInteger(config.resolution) || config.resolution <= 0) {
    throw new ConfigRangeError(`exportSubnet: resolution must be a positive integer, got ${config.resolution}`);
  }
  if (config.frames !== undefined) throw new ConfigError('exportSubnet: video configurations (frames) have no 2D export');
  const ctx: ForwardContext = { config, training: false };
  const inputShape = [config.resolution, config.resolution, model.inChannels];
  const cost = model.cost([1, ...inputShape], ctx);
  const bnChannels = cost.layers.filter((l) => l.kind === 'batchnorm').reduce((n, l) => n + l.params / 2, 0);
  // The prepared configuration's weights; the layers keep their own references to them.
  const prepared = prepareSubnet(model, config);
  const input = tfl.input({ shape: inputShape, name: 'image' });
  let x: Sym;
  try {
    x = new GraphBuilder().chain(prepared.steps, input);
  } finally {
    prepared.dispose();
  }
  const name = options.name ?? `${model.name}_w${round(config.width)}_r${config.resolution}`;
  const subnet = tfl.model({ inputs: input, outputs: x, name });
  const metadata: SubnetMetadata = {
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
  subnet.setUserDefinedMetadata({ [SUBNET_METADATA_KEY]: metadata });
  return subnet;
}

/** The AdaptNet metadata of an exported (or loaded) subnet, undefined for other models. */
export function subnetMetadata(model: tfl.LayersModel): SubnetMetadata | undefined {
  const all = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const m = all?.[SUBNET_METADATA_KEY] as SubnetMetadata | undefined;
  return m?.format === SUBNET_FORMAT ? m : undefined;
}
