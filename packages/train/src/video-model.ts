import { ConfigError, type ConfigSpace, type InputSize, type Module, type SubnetConfig } from '@adaptnet/core';

export type { InputSize };

/** A video backbone as the trainer sees it (`@adaptnet/backbones`' `VideoBackbone`: Slow, SlowFast, X3D). */
export interface VideoModel extends Module {
  readonly configSpace: ConfigSpace;
  /** `[1, T, H, W, C]`: the clip the model reads at `config` (SlowFast: always the full clip). */
  inputShape(config: SubnetConfig): number[];
}

/**
 * TPAMI §4.2: a one-branch network (Slow, X3D: 3D convolutions extended from 2D) samples width,
 * space and time jointly; a two-branch one (SlowFast) varies only its slow pathway, the fast
 * pathway staying at its full configuration on the full clip.
 */
export type VideoBranches = 'one-branch' | 'two-branch';

/** A video model: its config space has frames and it declares a rank-5 input. */
export function isVideoModel(model: Module): model is VideoModel {
  const m = model as Partial<VideoModel>;
  return m.configSpace?.frames !== undefined && typeof m.inputShape === 'function';
}

/** 'two-branch' for SlowFast (a slow pathway sampled from the clip, fused with a fast one), 'one-branch' for other video models, undefined for image models. */
export function videoBranches(model: Module): VideoBranches | undefined {
  if (!isVideoModel(model)) return undefined;
  const m = model as unknown as { slowInput?: unknown; fusions?: unknown };
  return typeof m.slowInput === 'function' && Array.isArray(m.fusions) ? 'two-branch' : 'one-branch';
}

/**
 * The input a subnet reads. Image models: `config` itself (the batch's `images(config.resolution)`).
 * Video models: the clip of `model.inputShape(config)` — `config.frames` frames at
 * `config.resolution` for one-branch models; for SlowFast the full clip (α × the largest frames,
 * at the largest resolution) at every configuration, since its fast pathway reads the full clip and
 * its slow pathway samples `config.frames` frames at `config.resolution` from it.
 */
export function inputSizeOf(model: Module, config: SubnetConfig): InputSize {
  if (!isVideoModel(model)) return config;
  const shape = model.inputShape(config);
  if (shape.length !== 5)
    throw new ConfigError(`${model.name}: a video model's input must be rank 5, inputShape gave [${shape.join(', ')}]`);
  return { resolution: shape[2] as number, frames: shape[1] as number };
}
