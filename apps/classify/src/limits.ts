import { checkInputSide, maxInputSide } from '@adaptnet/train/node';

/** Images per evaluation batch (`eval`, `table`); calibration uses 250, training its batch size. */
export const EVAL_BATCH = 500;

/**
 * The largest resolution accepted (`maxInputSide`: a batch must fit in min(2 GiB, RAM/8) as
 * float32). Fashion-MNIST (1 channel): 1036; RGB: 598 (on machines with ≥ 16 GiB).
 */
export function maxResolution(channels: number, batch = EVAL_BATCH, memoryBytes?: number): number {
  return maxInputSide(channels, batch, memoryBytes);
}

/** Refuses a resolution above `maxResolution` with a one-line error. */
export function checkResolution(resolution: number, channels: number, batch = EVAL_BATCH, flag = 'resolution'): void {
  checkInputSide(resolution, { valuesPerPixel: channels, batch: Math.max(batch, EVAL_BATCH), flag, what: `${channels}-channel images` });
}
