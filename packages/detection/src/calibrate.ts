import type { SubnetConfig } from '@adaptnet/core';
import { type CalibrationReport, calibrate, findBatchNorms } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import { DetectionBatch, type DetectionSample } from './data.js';
import type { Detector } from './detector.js';

/**
 * BN post-statistics of the backbone per configuration (US-Net / MutualNet): the backbone runs on
 * exactly `samples` images at each configuration's width and shorter side, padded as in training,
 * and its `'config'`-policy BatchNorms store the pooled statistics under that configuration's key.
 * The FPN and head have no BatchNorm (GroupNorm) and need nothing.
 */
export async function calibrateDetector(
  detector: Detector,
  samples: readonly DetectionSample[],
  configs: readonly SubnetConfig[],
  options: { samples?: number; batchSize?: number } = {},
): Promise<CalibrationReport[]> {
  if (findBatchNorms(detector.backbone).length === 0) return [];
  const n = Math.min(options.samples ?? samples.length, samples.length);
  const bs = options.batchSize ?? 8;
  const batchOptions = { normalize: detector.spec.normalize, sizeDivisor: Math.max(...detector.strides) };
  function* images(config: SubnetConfig): Generator<tf.Tensor> {
    for (let i = 0; i < n; i += bs) {
      const batch = new DetectionBatch(samples.slice(i, Math.min(i + bs, n)), batchOptions);
      try {
        yield tf.clone(batch.images(config.resolution));
      } finally {
        batch.dispose();
      }
    }
  }
  return calibrate(detector.backbone, images, configs, { samples: n, disposeBatches: true });
}
