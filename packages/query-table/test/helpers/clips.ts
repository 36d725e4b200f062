import { type Cost, type ForwardContext, Module, Rng, type SubnetConfig } from '@adaptnet/core';
import { SwitchableBatchNorm } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import type { EvalBatch, EvalBatchSource } from '../../src/index.js';

/** ⌊linspace(0, T − 1, t)⌋ (one frame: the middle one), as @adaptnet/data's `subsampleFrames`. */
export function pickFrames(total: number, t: number): number[] {
  if (t === 1) return [Math.floor((total - 1) / 2)];
  return Array.from({ length: t }, (_, i) => Math.floor((i * (total - 1)) / (t - 1)));
}

export interface ClipSourceOptions {
  readonly batches: number;
  /** Clips per batch (each gives `views` samples). */
  readonly clips: number;
  readonly views?: number;
  readonly frames: number;
  readonly side: number;
  readonly channels: number;
  readonly classes: number;
  readonly seed: number;
  /** New batch objects and tensors on every call (disposed by `dispose()`); default false. */
  readonly fresh?: boolean;
}

export interface ClipSource {
  readonly source: EvalBatchSource;
  readonly counts: { calls: number; pulled: number; disposed: number };
  dispose(): void;
}

/**
 * Batches of clips `[samples, frames, side, side, C]` from a seeded RNG; `inputs({ resolution: r, frames: t })` picks
 * ⌊linspace⌋ frames and resizes bilinearly (align corners), cached per batch like a `VideoBatch`.
 * A clip's views are its frames shifted by one view index (different samples, same label).
 */
export function clipSource(options: ClipSourceOptions): ClipSource {
  const views = options.views ?? 1;
  const rng = new Rng(options.seed);
  const { frames, side, channels } = options;
  const perSample = frames * side * side * channels;
  const data = Array.from({ length: options.batches }, () => {
    const labels = Int32Array.from({ length: options.clips }, () => rng.int(options.classes));
    return {
      pixels: Float32Array.from({ length: options.clips * views * perSample }, () => rng.normal()),
      labels: Int32Array.from({ length: options.clips * views }, (_, s) => labels[Math.floor(s / views)] as number),
    };
  });
  const counts = { calls: 0, pulled: 0, disposed: 0 };
  const kept: tf.Tensor[] = [];
  const make = (d: (typeof data)[number]): EvalBatch => {
    const n = d.labels.length;
    const base = tf.tensor5d(d.pixels, [n, frames, side, side, channels]);
    const labels = tf.tensor1d(d.labels, 'int32');
    if (!options.fresh) kept.push(base, labels);
    const cache = new Map<string, tf.Tensor5D>();
    return {
      labels,
      views,
      inputs({ resolution: r, frames: t = frames }) {
        const key = `${r}x${t}`;
        let x = cache.get(key);
        if (!x) {
          x = tf.tidy(() => {
            const picked = tf.gather(base, tf.tensor1d(pickFrames(frames, t), 'int32'), 1);
            const flat = tf.reshape(picked, [n * t, side, side, channels]) as tf.Tensor4D;
            return tf.reshape(tf.image.resizeBilinear(flat, [r, r], true), [n, t, r, r, channels]) as tf.Tensor5D;
          });
          cache.set(key, x);
        }
        return x;
      },
      dispose() {
        counts.disposed++;
        tf.dispose([...cache.values()]);
        cache.clear();
        if (options.fresh) tf.dispose([base, labels]);
      },
    };
  };
  const shared = options.fresh ? [] : data.map(make);
  const source: EvalBatchSource = () => {
    counts.calls++;
    return (function* () {
      for (let i = 0; i < data.length; i++) {
        counts.pulled++;
        yield options.fresh ? make(data[i]!) : shared[i]!;
      }
    })();
  };
  return {
    source,
    counts,
    dispose: () => {
      for (const b of shared) b.dispose();
      tf.dispose(kept);
    },
  };
}

/**
 * A clip classifier simple enough to check by hand: one BatchNorm keyed per configuration on the
 * input channels, then the mean over time and space as the class scores (C = classes). Its cost
 * is made up, `round(1000 · width² · T·H·W)` multiply-adds, so configurations differ in cost.
 */
export class ClipBnNet extends Module {
  readonly bn: SwitchableBatchNorm;
  readonly widthRange = { min: 0.5, max: 1 };
  constructor(readonly channels: number) {
    super('clip-bn-net');
    this.bn = this.addModule('bn', new SwitchableBatchNorm('bn', { channels, policy: 'config' }));
  }
  inputShape(config: SubnetConfig): number[] {
    return [1, config.frames ?? 1, config.resolution, config.resolution, this.channels];
  }
  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => tf.mean(this.bn.forward(x, ctx), [1, 2, 3]));
  }
  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const bn = this.bn.cost(inShape, ctx);
    const [, t, h, w] = inShape as [number, number, number, number, number];
    const macs = Math.round(1000 * ctx.config.width ** 2 * t * h * w);
    const fake = { name: 'made-up', kind: 'made-up', macs, params: 0, outShape: [inShape[0] as number, this.channels] };
    return { macs: bn.macs + macs, params: bn.params, outShape: fake.outShape, layers: [...bn.layers, fake] };
  }
}
