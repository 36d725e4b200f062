import type { Backbone } from '@adaptnet/backbones';
import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportGraphSubnet } from './graph-export.js';
import { prepareSubnet } from './prepared/prepared-subnet.js';
import type { ConvStep, PreparedStep } from './prepared/steps.js';
import {
  describeSubnet,
  type ExportSubnetOptions,
  SUBNET_FORMATS,
  SUBNET_METADATA_KEY,
  type SubnetFormat,
  subnetName,
} from './subnet-metadata.js';

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
          `exportSubnet: ${s.name} resizes by ${s.scale}, and tfjs-layers' Resizing layer interpolates with aligned corners, not the half-pixel centres the network was trained with; export it with { format: 'graph' } (tf.loadGraphModel), or a configuration without scales (or scales of 1)`,
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

/** `exportSubnet`'s options with the file format: `'layers'` (default) or `'graph'`. */
export interface ExportSubnetFormatOptions<F extends SubnetFormat = SubnetFormat> extends ExportSubnetOptions {
  readonly format?: F;
}

/**
 * One configuration of an adaptive backbone as a plain tfjs model, in the manner of once-for-all's
 * `get_active_subnet`: weights sliced to the configuration's channels, every BN folded into its
 * convolution with the configuration's calibrated statistics (calibrate, or import a query table's
 * statistics, first). The input is `[N, r, r, C]` as the adaptive model takes it. MACs, parameters
 * and accuracy go into `userDefinedMetadata.adaptnet` (see `SubnetMetadata`).
 *
 * - `format: 'layers'` (default): a `tf.LayersModel` (`tf.loadLayersModel` loads it once saved);
 *   resizable networks' configurations with a scale ≠ 1 are refused (see the README).
 * - `format: 'graph'`: graph-model artifacts (`exportGraphSubnet`) for `tf.loadGraphModel`; every configuration.
 *
 * Save either with `saveSubnet` from `@adaptnet/export/node`.
 */
export function exportSubnet(model: Backbone, config: SubnetConfig, options?: ExportSubnetFormatOptions<'layers'>): tfl.LayersModel;
export function exportSubnet(model: Backbone, config: SubnetConfig, options: ExportSubnetFormatOptions<'graph'>): tf.io.ModelArtifacts;
export function exportSubnet(
  model: Backbone,
  config: SubnetConfig,
  options?: ExportSubnetFormatOptions,
): tfl.LayersModel | tf.io.ModelArtifacts;
export function exportSubnet(
  model: Backbone,
  config: SubnetConfig,
  options: ExportSubnetFormatOptions = {},
): tfl.LayersModel | tf.io.ModelArtifacts {
  const { format = 'layers', ...rest } = options;
  if (format === 'graph') return exportGraphSubnet(model, config, rest);
  if (format !== 'layers') throw new ConfigError(`exportSubnet: unknown format '${String(format)}'; allowed: ${SUBNET_FORMATS.join(', ')}`);
  const metadata = describeSubnet(model, config, rest);
  // The prepared configuration's weights; the layers keep their own references to them.
  const prepared = prepareSubnet(model, config);
  const input = tfl.input({ shape: [...metadata.inputShape], name: 'image' });
  let x: Sym;
  try {
    x = new GraphBuilder().chain(prepared.steps, input);
  } finally {
    prepared.dispose();
  }
  const subnet = tfl.model({ inputs: input, outputs: x, name: subnetName(model, config, rest) });
  subnet.setUserDefinedMetadata({ [SUBNET_METADATA_KEY]: metadata });
  return subnet;
}
