import { createBackbone, isVideoBackboneName, VIDEO_BACKBONE_NAMES } from '@adaptnet/backbones';
import { ConfigError, type ConfigSpace, type SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { costOf, formatCostReport, formatCount, formatInteger } from '@adaptnet/flops';
import { buildModel } from '../model.js';
import type { Output } from '../output.js';
import { readRunManifest } from '../run-manifest.js';

export interface FlopsFlags {
  readonly run?: string;
  readonly model?: string;
  readonly inChannels?: number;
  readonly numClasses?: number;
  readonly width?: number;
  readonly resolution?: number;
  readonly frames?: number;
  readonly json?: boolean;
  readonly layers?: boolean;
}

export interface FlopsResult {
  /** Multiply-adds of one view (one clip at the configuration). */
  readonly macs: number;
  readonly params: number;
}

const largest = (list: ConfigSpace['resolutions'] | ConfigSpace['frames']): number =>
  Array.isArray(list) ? Math.max(...list) : (list as { max: number }).max;

/** Small variants default to the app's default data (1 channel, 8 classes); the published networks to Kinetics-400 (3, 400). */
function defaultsOf(model: string): { inChannels: number; numClasses: number } {
  return model.endsWith('-small') ? { inChannels: 1, numClasses: 8 } : { inChannels: 3, numClasses: 400 };
}

/**
 * `adaptnet-video flops`: exact multiply-adds and parameters of one view at (width, resolution,
 * frames), of a registry network (`--model`) or of a run's network (`--run`). No run is needed.
 */
export async function flopsCommand(flags: FlopsFlags, out: Output): Promise<FlopsResult> {
  if (flags.run !== undefined && flags.model !== undefined) throw new ConfigError('give --run or --model, not both');
  await initBackend({ backend: 'cpu', log: false });
  let label: string;
  let model: ReturnType<typeof buildModel>;
  if (flags.run !== undefined) {
    const manifest = await readRunManifest(flags.run);
    model = buildModel(manifest);
    label = `${manifest.model.architecture} of ${flags.run}`;
  } else {
    const name = flags.model ?? 'slow-small';
    if (!isVideoBackboneName(name))
      throw new ConfigError(`--model ${name} is not a video network; allowed: ${VIDEO_BACKBONE_NAMES.join(', ')}`);
    const { inChannels, numClasses } = { ...defaultsOf(name), ...definedOf(flags) };
    const width = flags.width ?? 1;
    if (width > 1) throw new ConfigError(`--width ${width} is above 1 (the full network)`);
    // The published networks train widths in [0.63, 1]; counting a narrower one widens the range down to it.
    model = createBackbone(name, { inChannels, numClasses, widthRange: { min: Math.min(width, 0.63), max: 1 } });
    label = `${name} (${inChannels} channel${inChannels === 1 ? '' : 's'}, ${numClasses} classes)`;
  }
  try {
    const space = (model as unknown as { configSpace: ConfigSpace }).configSpace;
    const config: SubnetConfig = {
      width: flags.width ?? model.widthRange?.max ?? 1,
      resolution: flags.resolution ?? largest(space.resolutions),
      frames: flags.frames ?? largest(space.frames),
    };
    const cost = costOf(model, config);
    const result = { macs: cost.macs, params: cost.params };
    if (flags.json) out.result(JSON.stringify(result));
    else if (flags.layers) out.result(formatCostReport(cost));
    else
      out.result(
        `${label} width ${config.width} resolution ${config.resolution} frames ${config.frames}: ${formatInteger(cost.macs)} multiply-adds (${formatCount(cost.macs, 3).replace(/G$/, ' GFLOPs').replace(/M$/, ' MFLOPs')}) per view, ${formatInteger(cost.params)} parameters; input [${cost.inShape.join(', ')}]`,
      );
    return result;
  } finally {
    model.dispose();
  }
}

function definedOf(flags: FlopsFlags): Partial<{ inChannels: number; numClasses: number }> {
  return {
    ...(flags.inChannels === undefined ? {} : { inChannels: flags.inChannels }),
    ...(flags.numClasses === undefined ? {} : { numClasses: flags.numClasses }),
  };
}
