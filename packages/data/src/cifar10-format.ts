import { DatasetError } from './errors.js';

export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

/** Per-channel mean and std of the CIFAR-10 training pixels on [0, 1]. */
export const CIFAR10_NORMALIZE = Object.freeze({
  mean: Object.freeze([0.4914, 0.4822, 0.4465]),
  std: Object.freeze([0.247, 0.2435, 0.2616]),
});

export const CIFAR10_SIDE = 32;
const PLANE = CIFAR10_SIDE * CIFAR10_SIDE;
export const CIFAR10_RECORD = 1 + 3 * PLANE;
/** Decodes CIFAR-10 binary records (label byte, then 32×32 R, G and B planes) into HWC pixels. */
export function decodeCifarRecords(bytes: Uint8Array, path: string, into: { pixels: Uint8Array; labels: Int32Array; at: number }): number {
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD !== 0) {
    throw new DatasetError(
      'corrupt',
      path,
      `${path} is ${bytes.length} bytes, not a whole number of ${CIFAR10_RECORD}-byte CIFAR-10 records (label + 3×32×32); it may be truncated`,
    );
  }
  const n = bytes.length / CIFAR10_RECORD;
  for (let r = 0; r < n; r++) {
    const rec = r * CIFAR10_RECORD;
    const label = bytes[rec] as number;
    if (label > 9) throw new DatasetError('corrupt', path, `${path}: record ${r} has label ${label}; CIFAR-10 labels are 0..9`);
    into.labels[into.at + r] = label;
    const out = (into.at + r) * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      into.pixels[out + 3 * p] = bytes[rec + 1 + p] as number;
      into.pixels[out + 3 * p + 1] = bytes[rec + 1 + PLANE + p] as number;
      into.pixels[out + 3 * p + 2] = bytes[rec + 1 + 2 * PLANE + p] as number;
    }
  }
  return n;
}
