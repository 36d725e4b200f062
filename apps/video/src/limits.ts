import { checkInputSide, maxInputSide } from '@adaptnet/train/node';

/** Clips per evaluation batch (`eval`, `table`, calibration); training uses its batch size. */
export const EVAL_BATCH = 32;

/** The largest clip side accepted (`maxInputSide`: a batch of clips must fit in min(2 GiB, RAM/8) as float32). */
export function maxResolution(channels: number, frames: number, batch = EVAL_BATCH, memoryBytes?: number): number {
  return maxInputSide(frames * channels, batch, memoryBytes);
}

/** Refuses a clip side above `maxResolution` with a one-line error. */
export function checkResolution(resolution: number, channels: number, frames: number, batch = EVAL_BATCH, flag = 'resolution'): void {
  checkInputSide(resolution, {
    valuesPerPixel: frames * channels,
    batch: Math.max(batch, EVAL_BATCH),
    flag,
    what: `${frames}-frame ${channels}-channel clips`,
  });
}
