export { Backbone, type BackboneOptions, type FeatureStep, type ResolvedBackboneOptions, resolveBackboneOptions } from './backbone.js';
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
export { BACKBONE_NAMES, type BackboneName, type BackboneOptionsByName, createBackbone, isBackboneName } from './registry.js';
