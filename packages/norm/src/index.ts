export { type BatchSource, type CalibrateOptions, type CalibrationReport, calibrate } from './calibrate.js';
export { type CalibrationContext, CalibrationSession } from './calibration-session.js';
export { interpolateBN, type ModelInterpolationResult } from './interpolate.js';
export { type BnKeyPolicy, bnKey } from './key-policy.js';
export { type FoundBatchNorm, findBatchNorms } from './registry.js';
export {
  BN_STATISTICS_FORMAT,
  BN_STATISTICS_VERSION,
  type BnLayerStatistics,
  type BnStatistics,
  exportStatistics,
  importStatistics,
} from './statistics-io.js';
export {
  type BnSetValues,
  type InterpolateOptions,
  type InterpolationResult,
  SwitchableBatchNorm,
  type SwitchableBatchNormOptions,
} from './switchable-batch-norm.js';
