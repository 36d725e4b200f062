import type { CocoDataset, CocoResultJson } from '@adaptnet/coco';
import type { SubnetConfig } from '@adaptnet/core';
import { calibrateDetector, type DetectionSample, type Detector, evaluateDetector } from '@adaptnet/detection';
import { parseTrainConfig, type TrainConfig } from '@adaptnet/train';
import { loadSplit } from './data.js';
import { detectorCost } from './model.js';
import type { RunRecipe } from './run-manifest.js';

/** Training images whose backbone BN statistics are pooled per configuration (BN post-statistics). */
export const DEFAULT_CALIBRATION_SAMPLES = 256;

export interface Measurement {
  readonly config: SubnetConfig;
  /** COCO's 12 numbers: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl. */
  readonly stats: readonly number[];
  /** pycocotools' printed table. */
  readonly summary: string;
  readonly results: CocoResultJson[];
  readonly macs: number;
  readonly params: number;
  readonly images: number;
}

export interface MeasureOptions {
  readonly calibrationSamples?: number;
  /** Evaluate on the first n validation images (quick checks). */
  readonly maxImages?: number;
}

export function trainConfigOf(recipe: RunRecipe, source: string): TrainConfig {
  return parseTrainConfig(recipe.train, source);
}

/** The sizes a run trained (individual: its one size; US-Net: the largest). */
export function trainedSizes(train: TrainConfig): readonly number[] {
  const max = Math.max(...train.resolutions);
  if (train.strategy === 'individual') return [train.resolution ?? max];
  if (train.strategy === 'usnet') return [max];
  return [...train.resolutions].sort((a, b) => b - a);
}

/** The validation images and the calibration images of a run's data. */
export async function evaluationData(
  recipe: RunRecipe,
  train: TrainConfig,
  options: MeasureOptions,
): Promise<{ gt: CocoDataset; val: readonly DetectionSample[]; calibration: readonly DetectionSample[] }> {
  const { dir, channels } = recipe.data;
  const [val, tr] = await Promise.all([
    loadSplit(dir, 'val', channels),
    loadSplit(dir, 'train', channels, { count: recipe.data.trainSubset, seed: train.seed }),
  ]);
  const samples = options.maxImages === undefined ? val.samples : val.samples.slice(0, options.maxImages);
  return { gt: val.gt, val: samples, calibration: tr.samples.slice(0, options.calibrationSamples ?? DEFAULT_CALIBRATION_SAMPLES) };
}

/** Calibrates the backbone's BN at `config` on the calibration images, then detects and evaluates (COCO box AP). */
export async function measureConfig(
  detector: Detector,
  data: { gt: CocoDataset; val: readonly DetectionSample[]; calibration: readonly DetectionSample[] },
  config: SubnetConfig,
): Promise<Measurement> {
  await calibrateDetector(detector, data.calibration, [config]);
  const { evaluation, results } = evaluateDetector(detector, data.gt, data.val, config);
  const { macs, params } = detectorCost(detector, config);
  return { config, stats: evaluation.stats, summary: evaluation.summarize(), results, macs, params, images: data.val.length };
}
