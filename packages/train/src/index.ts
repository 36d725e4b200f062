export {
  loadTrainConfig,
  parseTrainConfig,
  readConfigFile,
  STRATEGIES,
  type Strategy,
  type TrainConfig,
  type TrainConfigInput,
  TrainConfigSchema,
} from './config.js';
export { modelSpecFor } from './model-spec.js';
export { type OptimizedParameter, SgdOptimizer, type SgdOptions } from './optimizer.js';
export { createProgress, type ProgressMode, type ProgressReporter, type StepReport } from './progress.js';
export { type LrScheduleOptions, learningRate } from './schedule.js';
export {
  createStrategy,
  individualConfig,
  normOptionsFor,
  spatialConfigs,
  type TrainableModel,
  trainedWidthRange,
} from './strategies/create.js';
export { IndividualStrategy } from './strategies/individual.js';
export { ResizableStrategy, type ResizableStrategyOptions } from './strategies/resizable.js';
export { RsNetStrategy, type RsNetStrategyOptions } from './strategies/rsnet.js';
export { SandwichStrategy, type SandwichStrategyOptions } from './strategies/sandwich.js';
export type { StrategyGradients, SubnetLoss, TrainBatch, TrainingStrategy } from './strategies/strategy.js';
export { type LoadedTrainState, loadTrainState, type TrainPosition } from './train-state.js';
export {
  type FitOptions,
  METRICS_FILE,
  MODEL_DIR,
  type OwnedTrainBatch,
  type StepResult,
  TRAIN_STATE_DIR,
  type TrainData,
  Trainer,
  type TrainerOptions,
  TrainingDivergedError,
  type TrainSummary,
} from './trainer.js';
export { type DecaySelection, type ParameterKind, type TrainableParameter, trainableParameters } from './weight-decay.js';
