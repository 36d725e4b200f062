export {
  COMPARE_FILE,
  COMPARE_PLOT,
  COMPARE_STRATEGIES,
  type CompareFlags,
  type CompareResult,
  type CompareRow,
  compareCommand,
  DEFAULT_COMPARE_CONFIGS,
  parseConfigList,
} from './commands/compare.js';
export { type EvalFlags, evalCommand, resultsFile } from './commands/evaluate.js';
export { type FlopsFlags, flopsCommand } from './commands/flops.js';
export { DEFAULT_DETECTION_DATA, type MakeDataFlags, makeDataCommand } from './commands/make-data.js';
export { DRAW_SCORE_THRESHOLD, type PredictFlags, type PredictResult, predictCommand } from './commands/predict.js';
export {
  type BudgetFlags,
  bestRow,
  describeRow,
  loadVerifiedTable,
  type QueryFlags,
  queryCommand,
  selectConfig,
} from './commands/query.js';
export { BOX_AP_METRIC, PLOT_FILE, TABLE_FILE, type TableFlags, tableCommand, tableSha256 } from './commands/table.js';
export { DEFAULT_RECIPE, DETECT_STRATEGIES, type PreparedRun, prepareRun, type TrainFlags, trainCommand } from './commands/train.js';
export { type DetectionSplit, instancesPath, loadSplit, readSplitGroundTruth, subsetIds } from './data.js';
export {
  BOX_COLOURS,
  captionOf,
  colourOf,
  type DrawnDetection,
  drawDetections,
  formatDetection,
  overlaySvg,
  type RawImage,
} from './draw.js';
export { DETECT_BATCH, squareInput } from './grid-model.js';
export { readImage } from './image.js';
export {
  DEFAULT_CALIBRATION_SAMPLES,
  evaluationData,
  type Measurement,
  type MeasureOptions,
  measureConfig,
  trainedSizes,
} from './measure.js';
export { BACKBONES, type BackboneName, buildDetector, type DetectorChoice, detectorCost, detectorSpecFor } from './model.js';
export { createProgram, main } from './program.js';
export { type DetectRun, loadVerifiedDetector, openRun } from './run-folder.js';
export { RUN_FORMAT, RUN_SPEC, type RunRecipe, readRunRecipe } from './run-manifest.js';
