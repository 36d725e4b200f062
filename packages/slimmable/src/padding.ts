import { ConfigError } from '@adaptnet/core';

/**
 * 'same' / 'valid' as TensorFlow defines them, or explicit symmetric zero padding per spatial axis
 * (PyTorch style; TF 'same' is asymmetric at stride 2, which changes published shapes).
 */
export type Padding = 'same' | 'valid' | number | readonly number[];

export function expandTuple(name: string, what: string, v: number | readonly number[], rank: number, min: number): number[] {
  const out = typeof v === 'number' ? Array.from({ length: rank }, () => v) : [...v];
  if (out.length !== rank || out.some((x) => !Number.isInteger(x) || x < min)) {
    throw new ConfigError(`${name}: ${what} must be an integer >= ${min} or ${rank} of them, got ${JSON.stringify(v)}`);
  }
  return out;
}

export function checkPadding(name: string, padding: Padding, rank: number): Padding {
  if (padding === 'same' || padding === 'valid') return padding;
  return expandTuple(name, 'padding', padding, rank, 0);
}

/** Output size of one spatial axis. */
export function outSize(inSize: number, k: number, stride: number, padding: Padding, axis: number): number {
  if (padding === 'same') return Math.ceil(inSize / stride);
  const p = padding === 'valid' ? 0 : typeof padding === 'number' ? padding : (padding[axis] ?? 0);
  return Math.floor((inSize + 2 * p - k) / stride) + 1;
}

/**
 * The `pad` argument of tf.conv2d / tf.depthwiseConv2d: those ops take explicit padding directly,
 * which saves a padded copy of the input per call (and every backend's conv kernels handle it).
 */
export function conv2dPad(padding: Padding): 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] {
  if (padding === 'same' || padding === 'valid') return padding;
  const [ph, pw] = expandTuple('padding', 'padding', padding, 2, 0) as [number, number];
  return [
    [0, 0],
    [ph, ph],
    [pw, pw],
    [0, 0],
  ];
}
