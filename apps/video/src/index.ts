export {
  COMPARE_STRATEGIES,
  type CompareFlags,
  type CompareResult,
  compareCommand,
  DEFAULT_COMPARE_DIR,
  defaultCompareConfigs,
  parseConfigList,
} from './commands/compare.js';
export {
  DEFAULT_CALIBRATION_CLIPS,
  DEFAULT_WIDTH_STEP,
  type EvalFlags,
  evalCommand,
  measureGrid,
  PLOT_FILE,
  TABLE_FILE,
  type TableFlags,
  tableCommand,
  trainedGrid,
  trainedPoints,
  type VideoGrid,
} from './commands/evaluate.js';
export { type FlopsFlags, type FlopsResult, flopsCommand } from './commands/flops.js';
export { type PredictFlags, type Prediction, predictCommand, type VideoPrediction } from './commands/predict.js';
export { type BudgetFlags, budgetOf, describeRow, type QueryFlags, queryCommand } from './commands/query.js';
export {
  DEFAULT_RUN_DIR,
  DEFAULTS,
  type PreparedRun,
  prepareRun,
  TRAIN_STRATEGIES,
  type TrainFlags,
  trainCommand,
} from './commands/train.js';
export { defaultNormalization, MOVING_ACTIONS_NORMALIZE } from './data.js';
export { checkResolution, EVAL_BATCH, maxResolution } from './limits.js';
export { architectureId, buildModel, framesOf, loadTrainedRun, modelSpecOf, trainedSpace } from './model.js';
export { type Output, processOutput } from './output.js';
export { createProgram, main } from './program.js';
export {
  checkTableMatchesWeights,
  loadVerifiedModel,
  loadVerifiedTable,
  openRun,
  rebuildTableCommand,
  retrainCommand,
  tableSha256,
  type VideoRun,
} from './run-folder.js';
export {
  ARCHITECTURES,
  type ArchitectureName,
  manifestOf,
  RUN_MANIFEST,
  RUN_SPEC,
  type RunManifest,
  type RunRecipe,
  readRunManifest,
  recipeOf,
} from './run-manifest.js';
export { adaptChannels, rgbToLuma, videoFilesOf } from './video-input.js';
