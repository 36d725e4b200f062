/**
 * The inference paths the latency benchmark compares, for one configuration of an adaptive net:
 * the prepared path (PreparedCache: weights sliced and BN folded once per configuration, forward
 * through the fused kernels), the plain adaptive forward (weights sliced and BN applied on every
 * call) and the exported static subnet (a tfjs Layers model of the same folded weights).
 */
import type { Backbone } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { exportSubnet, PreparedCache } from '../src/index.js';

export interface InferencePath {
  readonly name: string;
  run(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

export function adaptivePath(net: Backbone, config: SubnetConfig): InferencePath {
  return { name: 'adaptive', run: (x) => net.forward(x, { config, training: false }), dispose: () => {} };
}

export function exportedPath(net: Backbone, config: SubnetConfig): InferencePath {
  const model = exportSubnet(net, config);
  return { name: 'exported', run: (x) => model.predict(x) as tf.Tensor, dispose: () => model.dispose() };
}

export function preparedPath(cache: PreparedCache, config: SubnetConfig, name = 'prepared'): InferencePath {
  cache.get(config);
  return { name, run: (x) => cache.predict(x, config), dispose: () => {} };
}

/**
 * A cache that holds every benchmarked configuration (the default bound is the model's own weight
 * bytes). `wholeNet: false`: the prepared path one fused kernel per layer (what native ran before
 * AdaptNetRunPlan, and what cpu and wasm run).
 */
export const benchCache = (net: Backbone, wholeNet = true): PreparedCache =>
  new PreparedCache(net, { maxEntries: 8, maxBytes: Number.POSITIVE_INFINITY, wholeNet });

/**
 * prepared (on native: the whole subnet as one AdaptNetRunPlan kernel), adaptive, exported; with
 * `layersCache` (a `benchCache(net, false)`), also 'prepared-layers': the prepared path one fused
 * kernel per layer.
 */
export function inferencePaths(net: Backbone, config: SubnetConfig, cache: PreparedCache, layersCache?: PreparedCache): InferencePath[] {
  return [
    preparedPath(cache, config),
    ...(layersCache ? [preparedPath(layersCache, config, 'prepared-layers')] : []),
    adaptivePath(net, config),
    exportedPath(net, config),
  ];
}

/** A path that switches configuration: `select` does whatever a switch needs and returns the forward. */
interface Switchable {
  readonly name: string;
  select(config: SubnetConfig): (x: tf.Tensor) => tf.Tensor;
  dispose(): void;
}

function switchables(net: Backbone): Switchable[] {
  const cache = benchCache(net);
  return [
    {
      name: 'prepared',
      select: (config) => {
        const p = cache.get(config);
        return (x) => p.predict(x);
      },
      dispose: () => cache.dispose(),
    },
    { name: 'adaptive', select: (config) => (x) => net.forward(x, { config, training: false }), dispose: () => {} },
  ];
}

export interface SwitchTimes {
  readonly path: string;
  readonly configs: string[];
  /** Per configuration, batch 1: the switch itself (`select`) and the first forward after it, never seen before. */
  readonly coldSelectMs: number[];
  readonly coldFirstForwardMs: number[];
  /** The same after every configuration has run once (switching back to one seen before). */
  readonly warmSelectMs: number[];
  readonly warmFirstForwardMs: number[];
  /** Median of 5 forwards once settled, for comparison with the first. */
  readonly steadyForwardMs: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Switch times of every switchable path, batch 1, configurations in order (largest first). */
export function measureSwitch(net: Backbone, configs: readonly SubnetConfig[]): SwitchTimes[] {
  const inputs = configs.map((c) => tf.randomNormal([1, c.resolution, c.resolution, net.inChannels], 0, 1, 'float32', 5));
  const out: SwitchTimes[] = [];
  for (const s of switchables(net)) {
    const once = (i: number): [number, number] => {
      const t0 = performance.now();
      const run = s.select(configs[i]!);
      const t1 = performance.now();
      tf.tidy(() => void run(inputs[i]!).dataSync());
      return [t1 - t0, performance.now() - t1];
    };
    const cold = configs.map((_, i) => once(i));
    const steady = configs.map((_, i) => {
      const run = s.select(configs[i]!);
      return median(
        Array.from({ length: 5 }, () => {
          const t0 = performance.now();
          tf.tidy(() => void run(inputs[i]!).dataSync());
          return performance.now() - t0;
        }),
      );
    });
    const warm = configs.map((_, i) => once(i));
    out.push({
      path: s.name,
      configs: configs.map((c) => `${c.width}×-${c.resolution}`),
      coldSelectMs: cold.map((t) => r3(t[0])),
      coldFirstForwardMs: cold.map((t) => r3(t[1])),
      warmSelectMs: warm.map((t) => r3(t[0])),
      warmFirstForwardMs: warm.map((t) => r3(t[1])),
      steadyForwardMs: steady.map(r3),
    });
    s.dispose();
  }
  tf.dispose(inputs);
  return out;
}
