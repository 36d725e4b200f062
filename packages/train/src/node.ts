/**
 * Node-only part of @adaptnet/train: run folders (locking, atomic commits, artefact records,
 * recipe checks on resume, verified query tables), size-capped input files and the CLI runner,
 * shared by every AdaptNet app.
 */

export { appProgram } from './run/app-program.js';
export { type AppRuns, type AppRunsOptions, appRuns } from './run/app-runs.js';
export {
  integerOption,
  intListOption,
  nonNegativeIntOption,
  numberOption,
  OptionValueError,
  positiveIntOption,
  positiveOption,
} from './run/cli-options.js';
export { type CliOutput, cliExitCode, commanderExitCode, firstLine, processOutput, runCli } from './run/cli-runner.js';
export {
  COMPARE_FILE,
  COMPARE_PLOT,
  type ComparedRow,
  type WriteComparisonOptions,
  type WrittenComparison,
  writeComparison,
} from './run/comparison-file.js';
export { RunFolderError, type RunFolderReason, StaleArtefactError } from './run/errors.js';
export { canonicalJson, type FieldDifference, jsonDifferences, sha256Hex } from './run/hash.js';
export { checkInputFile, INPUT_LIMITS, readInputFile } from './run/input-file.js';
export { checkInputSide, type InputSideCheck, maxInputSide } from './run/input-side.js';
export { LOCK_FILE, type LockOwner, RunLock } from './run/lock.js';
export { asideName, moveAside, utcStamp } from './run/move-aside.js';
export {
  ARTEFACTS_FILE,
  type ArtefactRecord,
  type CreateRunOptions,
  type OpenRunOptions,
  RUN_MANIFEST_FILE,
  RunFolder,
  type RunFolderSpec,
} from './run/run-folder.js';
export {
  checkTableMatchesWeights,
  loadVerifiedMetricTable,
  loadVerifiedTable,
  PLOT_FILE,
  recordTableAndPlot,
  setAsideOnNewSettings,
  TABLE_FILE,
  type TablePlot,
  tableReport,
  tableSha256,
  type VerifiedTableOptions,
  whyTableCannotResume,
} from './run/table-artefact.js';
export { removeOrphanedTempFiles, TEMP_FILE_PATTERN } from './run/temp-files.js';
