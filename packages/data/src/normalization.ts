import { ConfigError } from '@adaptnet/core';

/** Per-channel mean and std on [0, 1] pixels. */
export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** value = pixel·scale[c] + shift[c]: (pixel/255 − mean)/std, or pixel/255 without normalisation. */
export interface PixelAffine {
  readonly scale: Float32Array;
  readonly shift: Float32Array;
}

export function pixelAffine(channels: number, normalize: Normalization | undefined): PixelAffine {
  const scale = new Float32Array(channels).fill(1 / 255);
  const shift = new Float32Array(channels);
  if (normalize === undefined) return { scale, shift };
  const { mean, std } = normalize;
  for (const [key, values] of [
    ['mean', mean],
    ['std', std],
  ] as const) {
    if (values.length !== channels && values.length !== 1) {
      throw new ConfigError(`normalize.${key} has ${values.length} values; the source has ${channels} channels (give ${channels} or 1)`);
    }
  }
  for (let c = 0; c < channels; c++) {
    const m = (mean.length === 1 ? mean[0] : mean[c]) as number;
    const s = (std.length === 1 ? std[0] : std[c]) as number;
    if (!Number.isFinite(m)) throw new ConfigError(`normalize.mean must be finite numbers, got ${m}`);
    if (!(Number.isFinite(s) && s > 0)) throw new ConfigError(`normalize.std must be finite numbers > 0, got ${s}`);
    scale[c] = 1 / (255 * s);
    shift[c] = -m / s;
  }
  return { scale, shift };
}

/** torchvision's ImageNet statistics. */
export const IMAGENET_NORMALIZE = Object.freeze({
  mean: Object.freeze([0.485, 0.456, 0.406]),
  std: Object.freeze([0.229, 0.224, 0.225]),
});
