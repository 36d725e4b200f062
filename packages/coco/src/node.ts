export { type FashionDetectionOptions, type FashionDetectionSummary, makeFashionDetection } from './node/fashion-detection.js';
export {
  DEFAULT_MAX_JSON_BYTES,
  type ReadJsonOptions,
  readCocoDataset,
  readCocoResults,
  readJsonFile,
  writeCocoResults,
} from './node/files.js';
export { type CocoFolder, type CocoPixels, cocoFolder, type LoadImageOptions, loadCocoImage } from './node/images.js';
export { type CliOutput, createProgram, main, STAT_NAMES } from './node/program.js';
export {
  composeScene,
  type ItemSource,
  nonZeroBox,
  resizeGrey,
  type Scene,
  type SceneObject,
  type SceneOptions,
  type SceneRng,
} from './node/scene.js';
