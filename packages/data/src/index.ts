// The portable part of @adaptnet/data (no file system, no child processes, no sharp): dataset
// containers, transforms, batch streams, normalisation constants and format decoders. The loaders
// that read files (Fashion-MNIST, MNIST, CIFAR-10, image and video folders) are in '@adaptnet/data/node'.
export { BatchStream, type BatchStreamOptions } from './batch-stream.js';
export { CIFAR10_CLASSES, CIFAR10_NORMALIZE, decodeCifarRecords } from './cifar10-format.js';
export {
  asImageSource,
  createImageDataset,
  type DecodedImage,
  type ImageDataset,
  type ImageDatasetFields,
  type ImageSource,
  isImageDataset,
} from './dataset.js';
export { DatasetError, type DatasetErrorReason } from './errors.js';
export { type IdxArray, parseIdx } from './idx-format.js';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_NORMALIZE, MNIST_NORMALIZE } from './mnist-constants.js';
export type { Split } from './mnist-files.js';
export type { InputSize, MultiResolutionBatch } from './multi-resolution-batch.js';
export { IMAGENET_NORMALIZE, type Normalization } from './normalization.js';
export { calibrationImages, randomSample, randomSplit, seededPermutation, subset, takePerClass, toImageDataset } from './subset.js';
export {
  type CropBox,
  centerCropBox,
  DEFAULT_RRC_RATIO,
  DEFAULT_RRC_SCALE,
  defaultEvalTransform,
  type EvalTransform,
  type PixelRect,
  padCropBox,
  randomResizedCropRect,
  spatialCropBox,
  type TrainAugment,
} from './transforms.js';
export {
  MOVING_ACTIONS,
  MOVING_ACTIONS_SCALE,
  MOVING_ACTIONS_STEP_DEG,
  MOVING_ACTIONS_STEP_PX,
  type MovingActionsOptions,
  type MovingActionsSource,
  movingFashionActions,
} from './video/moving-fashion.js';
export { SHORT_CLIP_POLICIES, type ShortClipPolicy, subsampleFrames, viewStarts, windowFrames, windowSpan } from './video/temporal.js';
export { averageViews, type VideoBatch } from './video/video-batch.js';
export type { DecodedClip, VideoSource } from './video/video-source.js';
export { VideoStream, type VideoStreamOptions } from './video/video-stream.js';
export { calibrationClips, subsetClips } from './video/video-subset.js';
