// Node-only parts of @adaptnet/data (child processes, file system): import from '@adaptnet/data/node'.
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
