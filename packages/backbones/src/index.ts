export { Backbone, type BackboneOptions, type FeatureStep, type ResolvedBackboneOptions, resolveBackboneOptions } from './backbone.js';
export { featureStrides, resizableStagesOf } from './feature-strides.js';
export type { Activation } from './layers/activation.js';
export type { BuildContext, NormOptions } from './layers/build-options.js';
export { ConvBnAct, type ConvBnActOptions } from './layers/conv-bn-act.js';
export { FeatureResize, resizedSide } from './layers/feature-resize.js';
export { GlobalAvgPool, MaxPool } from './layers/pooling.js';
export { Sequential } from './layers/sequential.js';
export { type CheckpointFiles, type LoadedModel, type LoadModelOptions, loadModel, modelFromCheckpoint, specOf } from './load-model.js';
export { buildModelFromSpec, MissingModelSpecError, resizableStageCount, restoreModel } from './model-spec.js';
export {
  DepthwiseSeparableBlock,
  MOBILENET_V1_BLOCKS,
  MOBILENET_V1_FASHION_MNIST_BLOCKS,
  MobileNetV1,
  type MobileNetV1Options,
  type SeparableBlockSpec,
} from './models/mobilenet-v1.js';
export {
  InvertedResidual,
  type InvertedResidualStageSpec,
  MOBILENET_V2_STAGES,
  MobileNetV2,
  type MobileNetV2Options,
} from './models/mobilenet-v2.js';
export { ResNet, type ResNetDepth, type ResNetOptions, ResNetStem } from './models/resnet.js';
export { BasicBlock, Bottleneck, ResidualBlock } from './models/resnet-blocks.js';
export {
  SHUFFLENET_V2_CHANNELS,
  SHUFFLENET_V2_REPEATS,
  ShuffleNetV2,
  type ShuffleNetV2Options,
  ShuffleUnit,
} from './models/shufflenet-v2.js';
export { VGG16_LAYERS, Vgg16, type VggOptions } from './models/vgg.js';
export {
  BACKBONE_NAMES,
  type BackboneName,
  type BackboneOptionsByName,
  createBackbone,
  isBackboneName,
  isVideoBackboneName,
  VIDEO_BACKBONE_NAMES,
  type VideoBackboneName,
} from './registry.js';
export { Bottleneck3d, type Bottleneck3dOptions, SqueezeExcite3d, X3dBlock, type X3dBlockOptions } from './video/blocks.js';
export { AdaptiveFusion, type AdaptiveFusionOptions, nearestFrames, resampleClip } from './video/fusion.js';
export {
  ActivationLayer,
  ConvBnAct3d,
  type ConvBnAct3dOptions,
  GlobalAvgPool3d,
  SpatialMaxPool3d,
  type VideoActivation,
} from './video/layers.js';
export { SLOW_CONFIG_SPACE, SLOW_SMALL_CONFIG_SPACE, SLOW_TEMPORAL_KERNELS, Slow, type SlowOptions } from './video/slow.js';
export { SLOWFAST_CONFIG_SPACE, SLOWFAST_SMALL_CONFIG_SPACE, SlowFast, type SlowFastOptions, slowFrameIndices } from './video/slowfast.js';
export { SLOW_SMALL, SLOWFAST_SMALL, X3D_SMALL } from './video/small-variants.js';
export { VIDEO_WIDTH_RANGE, VideoBackbone, type VideoBackboneOptions } from './video/video-backbone.js';
export { seChannels, X3D_M_CONFIG_SPACE, X3D_SMALL_CONFIG_SPACE, X3d, type X3dOptions } from './video/x3d.js';
