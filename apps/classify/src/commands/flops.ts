import type { SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { costOf, formatCostReport, formatMflops } from '@adaptnet/flops';
import { parseTrainConfig } from '@adaptnet/train';
import { buildModel } from '../model.js';
import type { Output } from '../output.js';
import { type ArchitectureName, type RunManifest, readRunManifest } from '../run-manifest.js';

export interface FlopsFlags {
  readonly run?: string;
  readonly architecture?: string;
  readonly inChannels?: number;
  readonly numClasses?: number;
  readonly input?: 'small' | 'imagenet';
  readonly width?: number;
  readonly resolution?: number;
  readonly layers?: boolean;
}

/** `adaptnet-classify flops`: exact multiply-adds and parameters of one configuration, per layer with --layers. */
export async function flopsCommand(flags: FlopsFlags, out: Output): Promise<{ macs: number; params: number }> {
  await initBackend({ backend: 'cpu', log: false });
  const spec: RunManifest['model'] =
    flags.run !== undefined
      ? (await readRunManifest(flags.run)).model
      : {
          architecture: (flags.architecture ?? 'mobilenet-v1-fashion') as ArchitectureName,
          input: flags.input ?? (flags.architecture === undefined || flags.architecture === 'mobilenet-v1-fashion' ? 'small' : 'imagenet'),
          inChannels: flags.inChannels ?? (flags.architecture === undefined || flags.architecture === 'mobilenet-v1-fashion' ? 1 : 3),
          numClasses: flags.numClasses ?? (flags.architecture === undefined || flags.architecture === 'mobilenet-v1-fashion' ? 10 : 1000),
          widthRange: { min: 0.25, max: 1 },
          seed: 0,
        };
  const model = buildModel(spec, parseTrainConfig({ strategy: 'mutualnet' }));
  try {
    const config: SubnetConfig = {
      width: flags.width ?? spec.widthRange.max,
      resolution: flags.resolution ?? (spec.input === 'small' ? 28 : 224),
    };
    const cost = costOf(model, config);
    out.result(
      flags.layers
        ? formatCostReport(cost)
        : `${spec.architecture} width ${config.width} resolution ${config.resolution}: ${formatMflops(cost.macs, 3)} (multiply-adds), ${cost.params} parameters`,
    );
    return { macs: cost.macs, params: cost.params };
  } finally {
    model.dispose();
  }
}
