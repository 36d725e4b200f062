export {
  FairSpatialSampler,
  type FairSpatialSamplerOptions,
  type FairSpatialSamplerState,
} from './fair-spatial.js';
export { ParallelResolutionSampler, type ParallelResolutionSamplerOptions } from './parallel-resolution.js';
export type { SubnetSampler } from './sampler.js';
export { SANDWICH_MODES, type SandwichMode, SandwichSampler, type SandwichSamplerOptions } from './sandwich.js';
export {
  type FastPathwayConfig,
  VideoSampler,
  type VideoSamplerMode,
  type VideoSamplerOptions,
  type VideoSubnetConfig,
} from './video.js';
