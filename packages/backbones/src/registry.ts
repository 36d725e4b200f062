import { ConfigError } from '@adaptnet/core';
import type { Backbone } from './backbone.js';
import { MobileNetV1, type MobileNetV1Options } from './models/mobilenet-v1.js';
import { MobileNetV2, type MobileNetV2Options } from './models/mobilenet-v2.js';
import { ResNet, type ResNetOptions } from './models/resnet.js';
import { ShuffleNetV2, type ShuffleNetV2Options } from './models/shufflenet-v2.js';
import { Vgg16, type VggOptions } from './models/vgg.js';
import { Slow, type SlowOptions } from './video/slow.js';
import { SlowFast, type SlowFastOptions } from './video/slowfast.js';
import { SLOW_SMALL, SLOWFAST_SMALL, X3D_SMALL } from './video/small-variants.js';
import { X3d, type X3dOptions } from './video/x3d.js';

/** Options of each registered backbone, by name. */
export interface BackboneOptionsByName {
  'mobilenet-v1': MobileNetV1Options;
  'mobilenet-v2': MobileNetV2Options;
  'resnet-18': Omit<ResNetOptions, 'depth'>;
  'resnet-50': Omit<ResNetOptions, 'depth'>;
  'shufflenet-v2': ShuffleNetV2Options;
  'vgg-16-bn': VggOptions;
  'slow-8x8': SlowOptions;
  'slowfast-4x16': SlowFastOptions;
  'x3d-m': X3dOptions;
  'slow-small': SlowOptions;
  'slowfast-small': SlowFastOptions;
  'x3d-small': X3dOptions;
}

export type BackboneName = keyof BackboneOptionsByName;

const FACTORIES: { readonly [N in BackboneName]: (options: BackboneOptionsByName[N]) => Backbone } = {
  'mobilenet-v1': (o) => new MobileNetV1(o),
  'mobilenet-v2': (o) => new MobileNetV2(o),
  'resnet-18': (o) => new ResNet({ ...o, depth: 18 }),
  'resnet-50': (o) => new ResNet({ ...o, depth: 50 }),
  'shufflenet-v2': (o) => new ShuffleNetV2(o),
  'vgg-16-bn': (o) => new Vgg16(o),
  'slow-8x8': (o) => new Slow(o, 'slow_8x8'),
  'slowfast-4x16': (o) => new SlowFast(o, 'slowfast_4x16'),
  'x3d-m': (o) => new X3d(o, 'x3d_m'),
  'slow-small': (o) => new Slow({ ...SLOW_SMALL, ...o }, 'slow_small'),
  'slowfast-small': (o) => new SlowFast({ ...SLOWFAST_SMALL, ...o }, 'slowfast_small'),
  'x3d-small': (o) => new X3d({ ...X3D_SMALL, ...o }, 'x3d_small'),
};

/** The video backbones (input `[N, T, H, W, C]`, `config.frames`), in registration order. */
export const VIDEO_BACKBONE_NAMES = ['slow-8x8', 'slowfast-4x16', 'x3d-m', 'slow-small', 'slowfast-small', 'x3d-small'] as const;

export type VideoBackboneName = (typeof VIDEO_BACKBONE_NAMES)[number];

/**
 * The image (2D) backbones, in registration order; apps that classify images list these.
 * `createBackbone` also builds every name of `VIDEO_BACKBONE_NAMES`.
 */
export const BACKBONE_NAMES: readonly Exclude<BackboneName, VideoBackboneName>[] = (Object.keys(FACTORIES) as BackboneName[]).filter(
  (n): n is Exclude<BackboneName, VideoBackboneName> => !(VIDEO_BACKBONE_NAMES as readonly string[]).includes(n),
);

export function isBackboneName(name: string): name is BackboneName {
  return Object.hasOwn(FACTORIES, name);
}

export function isVideoBackboneName(name: string): name is VideoBackboneName {
  return (VIDEO_BACKBONE_NAMES as readonly string[]).includes(name);
}

/**
 * Builds a backbone by name, e.g. `createBackbone('mobilenet-v2', { widthRange: { min: 0.35, max: 1 } })`.
 * An unknown name is a `ConfigError` listing the known ones.
 */
export function createBackbone<N extends BackboneName>(name: N, options?: BackboneOptionsByName[N]): Backbone;
export function createBackbone(name: string, options?: object): Backbone;
export function createBackbone(name: string, options: object = {}): Backbone {
  if (!isBackboneName(name)) {
    throw new ConfigError(
      `unknown backbone '${name}'; known backbones: ${BACKBONE_NAMES.join(', ')}; video: ${VIDEO_BACKBONE_NAMES.join(', ')}`,
    );
  }
  if (typeof options !== 'object' || options === null) throw new ConfigError(`${name}: options must be an object`);
  const factory = FACTORIES[name] as (o: object) => Backbone;
  return factory(options);
}
