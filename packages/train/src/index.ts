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
  clipFramesFor,
  createStrategy,
  fullConfig,
  individualConfig,
  normOptionsFor,
  spatialConfigs,
  type TrainableModel,
  trainedFrames,
  trainedWidthRange,
  VIDEO_STRATEGIES,
} from './strategies/create.js';
export { IndividualStrategy } from './strategies/individual.js';
export { ResizableStrategy, type ResizableStrategyOptions } from './strategies/resizable.js';
export { RsNetStrategy, type RsNetStrategyOptions } from './strategies/rsnet.js';
export { inplaceDistillGradients, SandwichStrategy, type SandwichStrategyOptions } from './strategies/sandwich.js';
export {
  perSubnetGradients,
  type StrategyGradients,
  type SubnetLoss,
  subnetInput,
  type TrainBatch,
  type TrainingStrategy,
} from './strategies/strategy.js';
export { VideoSandwichStrategy, type VideoSandwichStrategyOptions } from './strategies/video-sandwich.js';
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
export { type InputSize, inputSizeOf, isVideoModel, type VideoBranches, type VideoModel, videoBranches } from './video-model.js';
export { type DecaySelection, type ParameterKind, type TrainableParameter, trainableParameters } from './weight-decay.js';
