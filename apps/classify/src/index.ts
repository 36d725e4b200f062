export {
  COMPARE_STRATEGIES,
  type CompareFlags,
  type CompareResult,
  compareCommand,
  DEFAULT_COMPARE_CONFIGS,
  parseConfigList,
} from './commands/compare.js';
export {
  type EvalFlags,
  evalCommand,
  measureGrid,
  PLOT_FILE,
  TABLE_FILE,
  type TableFlags,
  tableCommand,
  trainedGrid,
  trainedResolutions,
} from './commands/evaluate.js';
export { type FlopsFlags, flopsCommand } from './commands/flops.js';
export { budgetOf, type PredictFlags, type Prediction, predictCommand, type QueryFlags, queryCommand } from './commands/query.js';
export { type PreparedRun, prepareRun, type TrainFlags, trainCommand } from './commands/train.js';
export { EVAL_BATCH, maxResolution } from './limits.js';
export { architectureId, buildModel, loadTrainedModel, loadTrainedRun, modelSpecOf } from './model.js';
export { type Output, processOutput } from './output.js';
export { createProgram, main } from './program.js';
export {
  type ClassifyRun,
  checkTableMatchesWeights,
  loadVerifiedModel,
  loadVerifiedTable,
  openRun,
  rebuildTableCommand,
  retrainCommand,
  tableSha256,
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
