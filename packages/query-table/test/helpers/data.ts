import { Rng } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { EvalBatch, EvalBatchSource } from '../../src/index.js';

export const SIDE = 16;
export const CLASSES = 10;

export interface SyntheticOptions {
  readonly batches: number;
  readonly size: number;
  readonly seed: number;
  /** Make new batch objects (and tensors) on every call, as `() => stream.epoch(0)` does; default false (one shared set). */
  readonly fresh?: boolean;
  /** Throw from the source on this call (1-based), after `failAfter` batches. */
  readonly failOnCall?: number;
  readonly failAfter?: number;
}

export interface SyntheticSource {
  readonly source: EvalBatchSource;
  /** Calls of the source, batches handed out, batch.dispose() calls, inputs() calls by resolution. */
  readonly counts: { calls: number; pulled: number; disposed: number; resolutions: number[] };
  /** Pixel values ([size, SIDE, SIDE, 1] each) and labels, as plain arrays. */
  readonly data: readonly { readonly pixels: Float32Array; readonly labels: Int32Array }[];
  dispose(): void;
}

/**
 * Batches of SIDE×SIDE one-channel images with labels in [0, CLASSES), from a seeded RNG;
 * `inputs({ resolution: r })` resizes bilinearly (align corners) and caches per batch, like @adaptnet/data.
 */
export function syntheticSource(options: SyntheticOptions): SyntheticSource {
  const rng = new Rng(options.seed);
  const data = Array.from({ length: options.batches }, () => ({
    pixels: Float32Array.from({ length: options.size * SIDE * SIDE }, () => rng.normal()),
    labels: Int32Array.from({ length: options.size }, () => rng.int(CLASSES)),
  }));
  const counts = { calls: 0, pulled: 0, disposed: 0, resolutions: [] as number[] };
  const made: tf.Tensor[] = [];
  const makeBatch = (d: (typeof data)[number]): EvalBatch => {
    const base = tf.tensor4d(d.pixels, [options.size, SIDE, SIDE, 1]);
    const labels = tf.tensor1d(d.labels, 'int32');
    if (!options.fresh) made.push(base, labels);
    const cache = new Map<number, tf.Tensor4D>();
    return {
      labels,
      inputs({ resolution: r }) {
        counts.resolutions.push(r);
        if (r === SIDE) return base;
        let x = cache.get(r);
        if (!x) {
          x = tf.image.resizeBilinear(base, [r, r], true);
          cache.set(r, x);
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
  const shared = options.fresh ? [] : data.map(makeBatch);
  const source: EvalBatchSource = () => {
    counts.calls++;
    const call = counts.calls;
    return (function* () {
      for (let i = 0; i < data.length; i++) {
        if (call === options.failOnCall && i === (options.failAfter ?? 0)) throw new Error(`source failed on call ${call}`);
        counts.pulled++;
        yield options.fresh ? makeBatch(data[i]!) : shared[i]!;
      }
    })();
  };
  return {
    source,
    counts,
    data,
    dispose: () => {
      for (const b of shared) b.dispose();
      tf.dispose(made);
    },
  };
}
