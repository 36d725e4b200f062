import { ConfigError, type ConfigSpace, type Module } from '@adaptnet/core';
import { SlimConv3d, SlimDense } from '@adaptnet/slimmable';
import type { FeatureStep } from '../backbone.js';
import { Sequential } from '../layers/sequential.js';
import { X3dBlock } from './blocks.js';
import { ActivationLayer, ConvBnAct3d } from './layers.js';
import { resolveVideoOptions, VIDEO_WIDTH_RANGE, VideoBackbone, type VideoBackboneOptions } from './video-backbone.js';

export interface X3dOptions extends VideoBackboneOptions {
  /** Blocks per stage res2..res5. Default [3, 5, 11, 7] (X3D-M: depth factor 2.2 on [1, 2, 5, 3]). */
  readonly repeats?: readonly [number, number, number, number];
  /** Output channels of the stem and of res2..res5. Default [24, 24, 48, 96, 192] (X3D-M, width factor 2). */
  readonly widths?: readonly [number, number, number, number, number];
  /** Inner (channel-wise conv) channels = ⌊expansion · stage output⌋. Default 2.25. */
  readonly expansion?: number;
  /** Channels of the head's 1×1 layer after pooling (full width at every width). Default 2048. */
  readonly headChannels?: number;
}

/** MutualNet's X3D-M ranges (TPAMI §6.5): γs → {142, 160, 192, 224}, γt → {6, 9, 12, 16} frames. */
export const X3D_M_CONFIG_SPACE: ConfigSpace = { width: VIDEO_WIDTH_RANGE, resolutions: [142, 160, 192, 224], frames: [6, 9, 12, 16] };
/** The same ratios for 64-px, 16-frame clips (`input: 'small'`). */
export const X3D_SMALL_CONFIG_SPACE: ConfigSpace = { width: VIDEO_WIDTH_RANGE, resolutions: [40, 46, 54, 64], frames: [6, 9, 12, 16] };

/** SE hidden width: PySlowFast's `SE._round_width(c, 1/16)` (multiple of 8, at least 8, never below 90 %). */
export function seChannels(channels: number, ratio = 1 / 16): number {
  const w = channels * ratio;
  let out = Math.max(8, Math.floor(Math.floor(w + 4) / 8) * 8);
  if (out < 0.9 * w) out += 8;
  return out;
}

/**
 * X3D-M (Feichtenhofer 2020, Table 1; PySlowFast `X3D`): stem 1×3×3 stride-2 conv then a
 * channel-wise 5×1×1 conv (BN, ReLU); four stages of X3D blocks (channel-wise 3×3×3, expansion
 * 2.25, SE 1/16 on every other block starting with the first, Swish), the first of each at spatial
 * stride 2; head 1×1×1 conv to the last inner width (432), global pool, 2048-unit layer with ReLU
 * (no BN), classifier. No temporal striding. `input: 'small'` only changes the default ranges.
 */
export class X3d extends VideoBackbone {
  constructor(options: X3dOptions = {}, name = 'x3d') {
    const small = options.input === 'small';
    const { o, build, space } = resolveVideoOptions(name, options, small ? X3D_SMALL_CONFIG_SPACE : X3D_M_CONFIG_SPACE);
    super(name, o.inChannels, build.widthRange, space);
    const repeats = options.repeats ?? [3, 5, 11, 7];
    const widths = options.widths ?? [24, 24, 48, 96, 192];
    const expansion = options.expansion ?? 2.25;
    const headChannels = options.headChannels ?? 2048;
    if (repeats.length !== 4 || !repeats.every((r) => Number.isInteger(r) && r >= 1))
      throw new ConfigError(`${name}: repeats must be 4 positive integers, got [${repeats.join(', ')}]`);
    if (widths.length !== 5 || !widths.every((w) => Number.isInteger(w) && w >= 1))
      throw new ConfigError(`${name}: widths must be 5 positive integers, got [${widths.join(', ')}]`);
    if (!(Number.isFinite(expansion) && expansion >= 1))
      throw new ConfigError(`${name}: expansion must be a number >= 1, got ${expansion}`);
    if (!Number.isInteger(headChannels) || headChannels < 1)
      throw new ConfigError(`${name}: headChannels must be a positive integer, got ${headChannels}`);
    const features: FeatureStep[] = [];
    const stemOut = widths[0];
    const stem = new Sequential(`${name}.stem`, [
      [
        'xy',
        // X3D's stem: the 1×3×3 conv has no BN/activation of its own; they follow the 5×1×1.
        new SlimConv3d(`${name}.stem.xy`, {
          inChannels: o.inChannels,
          outChannels: stemOut,
          kernelSize: [1, 3, 3],
          strides: [1, 2, 2],
          padding: [0, 1, 1],
          input: { slim: false },
          widthRange: build.widthRange,
          divisor: build.divisor,
          rng: build.rng,
        }),
      ],
      [
        't',
        new ConvBnAct3d(`${name}.stem.t`, build, {
          inChannels: stemOut,
          outChannels: stemOut,
          kernel: [5, 1, 1],
          depthwise: true,
          activation: 'relu',
        }),
      ],
    ]);
    features.push({ module: this.addModule('stem', stem), stride: 2 });
    let ch = stemOut;
    let inner = ch;
    repeats.forEach((count, stage) => {
      const out = widths[stage + 1] as number;
      inner = Math.floor(expansion * out);
      for (let i = 0; i < count; i++) {
        const stride = i === 0 ? 2 : 1;
        const local = `res${stage + 2}_${i}`;
        const block = new X3dBlock(`${name}.${local}`, build, {
          inChannels: ch,
          innerChannels: inner,
          outChannels: out,
          stride,
          seChannels: i % 2 === 0 ? seChannels(inner) : 0,
        });
        features.push({ module: this.addModule(local, block), stride });
        ch = out;
      }
    });
    const head: Module[] = [];
    if (o.includeTop) {
      head.push(
        this.addModule(
          'conv5',
          new ConvBnAct3d(`${name}.conv5`, build, { inChannels: ch, outChannels: inner, kernel: [1, 1, 1], activation: 'relu' }),
        ),
      );
      const [pool, fc] = this.videoClassifierHead(build, headChannels, o.numClasses, false);
      const lin5 = new SlimDense(`${name}.lin5`, {
        inUnits: inner,
        outUnits: headChannels,
        useBias: false,
        output: { slim: false },
        widthRange: build.widthRange,
        divisor: build.divisor,
        rng: build.rng,
      });
      head.push(
        pool as Module,
        this.addModule(
          'lin5',
          new Sequential(`${name}.lin5`, [
            ['dense', lin5],
            ['relu', new ActivationLayer(`${name}.lin5.relu`, 'relu')],
          ]),
        ),
        fc as Module,
      );
    }
    this.setLayout(features, head);
  }
}
