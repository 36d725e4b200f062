import { createBackbone, type MobileNetV1, type NormOptions } from '@adaptnet/backbones';
import type { Range } from '@adaptnet/core';
import { fixture } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import type { OwnedTrainBatch, TrainData } from '../src/index.js';

/** A three-block MobileNetV1 for 1-channel images: fast enough to train in a test. */
export function tinyModel(options: { widthRange?: Range; norm?: NormOptions; resizable?: boolean; seed?: number } = {}): MobileNetV1 {
  return createBackbone('mobilenet-v1', {
    input: 'small',
    inChannels: 1,
    numClasses: 4,
    stemChannels: 8,
    blocks: [
      [16, 1],
      [24, 2],
      [32, 2],
    ],
    widthRange: options.widthRange ?? { min: 0.25, max: 1 },
    seed: options.seed ?? 0,
    ...(options.norm ? { norm: options.norm } : {}),
    ...(options.resizable ? { resizable: true } : {}),
  }) as MobileNetV1;
}

/** A batch of fixed images and labels; `images(r)` (and `inputs({ resolution: r })`) resizes the same source (align corners). */
export function syntheticBatch(
  size: number,
  seed: number,
  side = 16,
  numClasses = 4,
): OwnedTrainBatch & { images(resolution: number): tf.Tensor4D } {
  const source = fixture([size, side, side, 1], seed) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: size }, (_, i) => (i * 7 + seed) % numClasses),
    'int32',
  );
  const cache = new Map<number, tf.Tensor4D>();
  return {
    size,
    labels,
    images(r: number): tf.Tensor4D {
      let t = cache.get(r);
      if (t === undefined) {
        // Kept: a batch may first be asked for a resolution inside a tidy scope.
        t = tf.keep(r === side ? tf.clone(source) : tf.image.resizeBilinear(source, [r, r], true));
        cache.set(r, t);
      }
      return t;
    },
    inputs(size: { resolution: number; frames?: number }): tf.Tensor4D {
      if (size.frames !== undefined) throw new Error(`an image batch was asked for ${size.frames} frames`);
      return this.images(size.resolution);
    },
    dispose() {
      tf.dispose([source, labels, ...cache.values()]);
      cache.clear();
    },
  };
}

/** Deterministic synthetic data: batch b of epoch e depends only on (e, b). */
export function syntheticData(batchesPerEpoch: number, batchSize: number, side = 16): TrainData {
  return {
    batchesPerEpoch,
    async *epoch(epoch: number, options: { startBatch?: number } = {}) {
      for (let b = options.startBatch ?? 0; b < batchesPerEpoch; b++) yield syntheticBatch(batchSize, 1 + epoch * 1000 + b, side);
    },
  };
}

/** Resizable stages of `tinyModel({ resizable: true })` (built once with calibrated BN to count them). */
export function tinyResizableStages(): number {
  const probe = tinyModel({ resizable: true, norm: { policy: 'config' } });
  const stages = probe.resizes.length;
  probe.dispose();
  return stages;
}
