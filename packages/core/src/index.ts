// The portable entry: no Node built-ins, no environment variables, no backend of its own.
// Node-only parts (backend probing, checkpoint files) are in './node.ts' (`@adaptnet/core/node`).
export { assertGradientsRegistered, gradientsRegistered, installAdaptNetGradients } from './backend/gradients.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MANIFEST,
  type CheckpointHeader,
  checkpointWeightsPath,
  decodeCheckpointWeights,
  parseCheckpointHeader,
} from './checkpoint/header.js';
export {
  type ConfigSpace,
  configKey,
  type ForwardContext,
  type InputSize,
  makeContext,
  type Range,
  type SubnetConfig,
  validateConfig,
  validateSpace,
  widthInRange,
} from './config.js';
export {
  AdaptNetError,
  type AdaptNetErrorCode,
  BackendError,
  CheckpointError,
  ConfigError,
  ConfigRangeError,
  ShapeError,
} from './errors.js';
export { composed, KernelScope } from './kernels/compose.js';
export {
  type KernelCoverageRow,
  type KernelSource,
  kernelCoverage,
  TRAINING_FORWARD_KERNELS,
  TRAINING_GRADIENT_KERNELS,
} from './kernels/coverage.js';
export { type FillReason, installKernelFills, KERNEL_FILLS, type KernelFill } from './kernels/registry.js';
export { MODEL_SPEC_FORMAT, MODEL_SPEC_VERSION, type ModelSpec, modelSpecSchema, parseModelSpec } from './model-spec.js';
export { type Cost, type LayerCost, leafCost, Module, type ParameterRole, sequentialCost } from './module.js';
export {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_TRAIN_KERNEL,
  type BatchNormTrainResult,
  batchNormInfer,
  batchNormTrain,
  sumLeading,
} from './ops/batch-norm.js';
export { CONV3D_FILTER_GRAD_KERNEL, CONV3D_INPUT_GRAD_KERNEL, CONV3D_KERNEL, conv3dPadded } from './ops/conv3d-padded.js';
export {
  DEPTHWISE_CONV3D_FILTER_GRAD_KERNEL,
  DEPTHWISE_CONV3D_INPUT_GRAD_KERNEL,
  DEPTHWISE_CONV3D_KERNEL,
  type DepthwiseConv3dAttrs,
  depthwiseConv3d,
  type Pads3d,
  samePads3d,
} from './ops/depthwise-conv3d.js';
export { resizeTrilinear } from './ops/resize3d.js';
export { SGD_STEP_KERNEL, type SgdStepOptions, type SgdStepResult, sgdStep } from './ops/sgd.js';
export { SWISH_GRAD_KERNEL, SWISH_KERNEL, swish } from './ops/swish.js';
export { Rng, type RngState } from './rng.js';
