export {
  ChannelPlan,
  DEFAULT_WIDTH_RANGE,
  type SlimCommonOptions,
  type SlimInputSide,
  type SlimSide,
} from './channels.js';
export { type ActiveChannelsOptions, activeChannels, makeDivisible } from './make-divisible.js';
export { outSize, type Padding } from './padding.js';
export { SlimConv2d, type SlimConv2dOptions } from './slim-conv2d.js';
export { SlimConv3d, type SlimConv3dOptions } from './slim-conv3d.js';
export { SlimDense, type SlimDenseOptions } from './slim-dense.js';
export { SlimDepthwiseConv2d, type SlimDepthwiseConv2dOptions } from './slim-depthwise-conv2d.js';
export { SlimDepthwiseConv3d, type SlimDepthwiseConv3dOptions } from './slim-depthwise-conv3d.js';
export { SlimLayer } from './slim-layer.js';
