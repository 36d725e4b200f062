import './backend/gradients.js';

export { BACKEND_PREFERENCE, type BackendChoice, type BackendInfo, type InitBackendOptions, initBackend } from './backend/init.js';
export { writeFileAtomic } from './checkpoint/atomic.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MANIFEST,
  type CheckpointHeader,
  type LoadedCheckpoint,
  loadCheckpoint,
  loadModule,
  readCheckpointHeader,
  type SaveCheckpointOptions,
  saveCheckpoint,
  saveModule,
} from './checkpoint/checkpoint.js';
export {
  type ConfigSpace,
  configKey,
  type ForwardContext,
  makeContext,
  type Range,
  type SubnetConfig,
  validateConfig,
  validateSpace,
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
export { type Cost, type LayerCost, leafCost, Module, sequentialCost } from './module.js';
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
export { Rng, type RngState } from './rng.js';
