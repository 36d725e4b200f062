export { DEFAULT_DETECTION_DATA, type MakeDataFlags, makeDataCommand } from './commands/make-data.js';
export {
  BOX_COLOURS,
  captionOf,
  colourOf,
  type DrawnDetection,
  drawDetections,
  formatDetection,
  overlaySvg,
  type RawImage,
} from './draw.js';
export { readImage } from './image.js';
export { createProgram, main } from './program.js';
