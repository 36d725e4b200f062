import { appRuns, type RunFolder } from '@adaptnet/train/node';
import { loadTrainedRun } from './model.js';
import { manifestOf, RUN_SPEC, type RunRecipe } from './run-manifest.js';

export { PLOT_FILE, TABLE_FILE, tableSha256 } from '@adaptnet/train/node';

export type VideoRun = RunFolder<RunRecipe>;

/** Another app's run is refused by name (RUN_SPEC's format check). */
export const { retrainCommand, rebuildTableCommand, openRun, loadVerifiedModel, loadVerifiedTable, checkTableMatchesWeights } = appRuns({
  spec: RUN_SPEC,
  manifestOf,
  loadModel: async (dir, manifest) => (await loadTrainedRun(dir, manifest)).model,
});
