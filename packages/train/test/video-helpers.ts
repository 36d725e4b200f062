import type { NormOptions } from '@adaptnet/backbones';
import { createBackbone, type SlowFast, type VideoBackbone } from '@adaptnet/backbones';
import type { ConfigSpace } from '@adaptnet/core';
import { fixture } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import type { InputSize, OwnedTrainBatch, TrainData } from '../src/index.js';

/** The tiny video spaces of these tests: 8–12 px, a few frames. */
export const TINY_SPACE: ConfigSpace = { width: { min: 0.63, max: 1 }, resolutions: [8, 12], frames: [2, 3, 4] };
/** SlowFast-small (α = 4): slow frames {1, 2}, the full clip is 8 frames at 12 px. */
export const TINY_SLOWFAST_SPACE: ConfigSpace = { width: { min: 0.63, max: 1 }, resolutions: [8, 12], frames: [1, 2] };

export function tinyVideoModel(arch: 'slow-small' | 'x3d-small', norm: NormOptions = { policy: 'config' }, seed = 0): VideoBackbone {
  return createBackbone(arch, { inChannels: 1, numClasses: 4, configSpace: TINY_SPACE, seed, norm }) as VideoBackbone;
}

export function tinySlowFast(norm: NormOptions = { policy: 'config' }, seed = 0): SlowFast {
  return createBackbone('slowfast-small', { inChannels: 1, numClasses: 4, configSpace: TINY_SLOWFAST_SPACE, seed, norm }) as SlowFast;
}

export interface RecordingBatch extends OwnedTrainBatch {
  /** Every `inputs` request, in order. */
  readonly requests: InputSize[];
}

/**
 * A batch of `size` fixed clips of `frames` frames at `side` px; `inputs({ resolution, frames })`
 * resamples the same clips (frames ⌊linspace⌋, bilinear align-corners), like `VideoBatch.clips`.
 */
export function syntheticClips(size: number, seed: number, frames: number, side = 12, numClasses = 4): RecordingBatch {
  const source = fixture([size, frames, side, side, 1], seed) as tf.Tensor5D;
  const labels = tf.tensor1d(
    Array.from({ length: size }, (_, i) => (i * 5 + seed) % numClasses),
    'int32',
  );
  const cache = new Map<string, tf.Tensor5D>();
  const requests: InputSize[] = [];
  return {
    size,
    labels,
    requests,
    inputs(request: InputSize): tf.Tensor5D {
      requests.push({ ...request });
      const t = request.frames ?? frames;
      const r = request.resolution;
      const key = `${r}x${t}`;
      let out = cache.get(key);
      if (out === undefined) {
        out = tf.keep(
          tf.tidy(() => {
            const picked = Array.from({ length: t }, (_, i) =>
              t === 1 ? Math.floor((frames - 1) / 2) : Math.floor((i * (frames - 1)) / (t - 1)),
            );
            const x = tf.gather(source, tf.tensor1d(picked, 'int32'), 1);
            const flat = tf.reshape(x, [size * t, side, side, 1]) as tf.Tensor4D;
            const resized = r === side ? flat : tf.image.resizeBilinear(flat, [r, r], true);
            return tf.reshape(resized, [size, t, r, r, 1]) as tf.Tensor5D;
          }),
        );
        cache.set(key, out);
      }
      return out;
    },
    dispose() {
      tf.dispose([source, labels, ...cache.values()]);
      cache.clear();
    },
  };
}

/** Deterministic synthetic clips: batch b of epoch e depends only on (e, b); `batches` keeps every batch yielded. */
export function syntheticClipData(
  batchesPerEpoch: number,
  batchSize: number,
  frames: number,
  side = 12,
): TrainData & { readonly frames: number; readonly batches: RecordingBatch[] } {
  const batches: RecordingBatch[] = [];
  return {
    batchesPerEpoch,
    frames,
    batches,
    async *epoch(epoch: number, options: { startBatch?: number } = {}) {
      for (let b = options.startBatch ?? 0; b < batchesPerEpoch; b++) {
        const batch = syntheticClips(batchSize, 1 + epoch * 1000 + b, frames, side);
        batches.push(batch);
        yield batch;
      }
    },
  };
}
