import type { SlowOptions } from './slow.js';
import type { SlowFastOptions } from './slowfast.js';
import type { X3dOptions } from './x3d.js';

/**
 * Small-clip variants (32–64 px, 4–16 frames) that train on two CPU cores in minutes: the same
 * block structure and temporal kernels, one block per stage (X3D: [1, 2, 2, 1]), narrow channels
 * and divisor 4 so that widths in [0.63, 1] still give distinct channel counts.
 */
export const SLOW_SMALL: SlowOptions = { input: 'small', blocks: [1, 1, 1, 1], baseWidth: 8, divisor: 4, numClasses: 10 };

/** α = 4 (16 Fast frames for 4 Slow ones), 1/β = 4 (Fast channels 2 … 32). */
export const SLOWFAST_SMALL: SlowFastOptions = {
  input: 'small',
  blocks: [1, 1, 1, 1],
  baseWidth: 8,
  alpha: 4,
  betaInv: 4,
  fusionKernel: 5,
  divisor: 4,
  numClasses: 10,
};

/** X3D widths halved (12 … 96 channels), 256-unit head. */
export const X3D_SMALL: X3dOptions = {
  input: 'small',
  repeats: [1, 2, 2, 1],
  widths: [12, 12, 24, 48, 96],
  headChannels: 256,
  divisor: 4,
  numClasses: 10,
};
