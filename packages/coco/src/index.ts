export { type CocoAnnotation, type CocoCategory, CocoDataset, type CocoImage, parseJsonText } from './dataset.js';
export { CocoError, type CocoErrorCode } from './errors.js';
export { type CocoEvalOptions, type CocoEvalParams, type CocoEvalResult, evaluateCoco } from './eval/evaluate.js';
export { boxIou } from './eval/iou.js';
export { formatFixed, numpyMean } from './eval/numpy.js';
export {
  type AreaLabel,
  COCO_AREA_LABELS,
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
  linspace,
} from './eval/params.js';
export { summaryLines } from './eval/summarize.js';
export { type CocoDetection, type DetectionInput, parseResults, parseResultsText, toResultsJson } from './results.js';
export {
  type CocoAnnotationJson,
  type CocoCategoryJson,
  type CocoImageJson,
  type CocoInstancesJson,
  type CocoResultJson,
  instancesSchema,
  resultsSchema,
} from './schema.js';
