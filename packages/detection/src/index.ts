// The portable entry: no Node built-ins. Checkpoint files and COCO folders are in './node.ts'.
export { type Box, centerness, decodeLtrb, encodeLtrb, iou, levelPoints } from './box-coding.js';
export { calibrateDetector } from './calibrate.js';
export {
  DetectionBatch,
  type DetectionBatchOptions,
  DetectionData,
  type DetectionDataOptions,
  type DetectionSample,
  groundTruthOf,
  inputShapeFor,
  isDetectionBatch,
  resizedSize,
} from './data.js';
export {
  DETECTOR_SPEC_FORMAT,
  DETECTOR_SPEC_VERSION,
  Detector,
  type DetectorSpec,
  type DetectorSpecOptions,
  detectorSpecFor,
} from './detector.js';
export { cocoDetections, type DetectOptions, type DetectorEvaluation, detect, evaluateDetector } from './evaluate.js';
export { Fpn, type FpnOptions } from './fpn.js';
export { GroupNorm } from './group-norm.js';
export { FcosHead, type FcosHeadOptions, type LevelOutputs } from './head.js';
export {
  bceWithLogits,
  type DetectionLossOptions,
  type DetectionLossParts,
  detectionLoss,
  detectionLossParts,
  type FocalLossOptions,
  giouLoss,
  type LossTargets,
  sigmoidFocalLoss,
} from './losses.js';
export { classwiseNms, nms } from './nms.js';
export { type Detection, type ImageGeometry, type PostprocessOptions, postprocess, toCocoDetections } from './postprocess.js';
export { createDetectionStrategy, DetectionStrategy, type DetectionStrategyName, type DetectionStrategyOptions } from './strategy.js';
export { assignTargets, defaultSizeRanges, type GroundTruth, type ImageTargets, type LevelShape, type TargetOptions } from './targets.js';
export { initBackboneFrom, type TransferReport } from './transfer.js';
