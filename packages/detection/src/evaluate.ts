import {
  type CocoDataset,
  type CocoEvalResult,
  type CocoResultJson,
  type DetectionInput,
  evaluateCoco,
  parseResults,
  toResultsJson,
} from '@adaptnet/coco';
import type { SubnetConfig } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { DetectionBatch, type DetectionBatchOptions, type DetectionSample } from './data.js';
import type { Detector } from './detector.js';
import { type Detection, type PostprocessOptions, postprocess, toCocoDetections } from './postprocess.js';

export interface DetectOptions extends PostprocessOptions {
  /** Images per forward pass. Default 8. */
  readonly batchSize?: number;
  readonly sizeDivisor?: number;
  readonly maxSizeRatio?: number;
}

/** Runs the detector at `config` (shorter side `config.resolution`) over the samples; boxes in original pixels. */
export function detect(
  detector: Detector,
  samples: readonly DetectionSample[],
  config: SubnetConfig,
  options: DetectOptions = {},
): Detection[][] {
  const bs = options.batchSize ?? 8;
  const batchOptions: DetectionBatchOptions = {
    normalize: detector.spec.normalize,
    sizeDivisor: options.sizeDivisor ?? Math.max(...detector.strides),
    ...(options.maxSizeRatio === undefined ? {} : { maxSizeRatio: options.maxSizeRatio }),
  };
  const out: Detection[][] = [];
  const ctx = { config, training: false };
  for (let i = 0; i < samples.length; i += bs) {
    const batch = new DetectionBatch(samples.slice(i, i + bs), batchOptions);
    try {
      const x = batch.images(config.resolution);
      const levels = detector.levelShapes(x.shape, ctx);
      const y = tf.tidy(() => detector.forward(x, ctx));
      try {
        out.push(...postprocess(y, levels, batch.geometry(config.resolution), detector.numClasses, options));
      } finally {
        y.dispose();
      }
    } finally {
      batch.dispose();
    }
  }
  return out;
}

/** Detections of every sample as COCO inputs. */
export function cocoDetections(samples: readonly DetectionSample[], detections: readonly Detection[][]): DetectionInput[] {
  return samples.flatMap((s, i) => toCocoDetections(s.imageId, detections[i] ?? []));
}

export interface DetectorEvaluation {
  readonly evaluation: CocoEvalResult;
  /** Official COCO results rows. */
  readonly results: CocoResultJson[];
}

/** Detects on the samples at `config` and evaluates against `gt` with `@adaptnet/coco` (pycocotools' bbox AP). */
export function evaluateDetector(
  detector: Detector,
  gt: CocoDataset,
  samples: readonly DetectionSample[],
  config: SubnetConfig,
  options: DetectOptions = {},
): DetectorEvaluation {
  const results = toResultsJson(cocoDetections(samples, detect(detector, samples, config, options)), gt);
  const evaluation = evaluateCoco(gt, parseResults(results, gt), { imgIds: samples.map((s) => s.imageId) });
  return { evaluation, results };
}
