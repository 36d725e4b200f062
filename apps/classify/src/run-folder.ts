import { appRuns, type RunFolder } from '@adaptnet/train/node';
import { loadTrainedModel } from './model.js';
import { manifestOf, RUN_SPEC, type RunRecipe } from './run-manifest.js';

export { PLOT_FILE, TABLE_FILE, tableSha256 } from '@adaptnet/train/node';

export type ClassifyRun = RunFolder<RunRecipe>;

export const { retrainCommand, rebuildTableCommand, openRun, loadVerifiedModel, loadVerifiedTable, checkTableMatchesWeights } = appRuns({
  spec: RUN_SPEC,
  manifestOf,
  loadModel: loadTrainedModel,
});
