import { initBackend } from '@adaptnet/core/node';
import { costOf, formatCostReport, formatMflops } from '@adaptnet/flops';
import { parseTrainConfig } from '@adaptnet/train';
import type { CliOutput } from '@adaptnet/train/node';
import { squareInput } from '../grid-model.js';
import { buildDetector, detectorSpecFor } from '../model.js';
import { openRun } from '../run-folder.js';
import { DEFAULT_RECIPE } from './train.js';

export interface FlopsFlags {
  readonly run?: string;
  readonly width?: number;
  readonly size?: number;
  readonly channels?: number;
  readonly headConvs?: number;
  readonly layers?: boolean;
}

/** `adaptnet-detect flops`: exact multiply-adds and parameters of the whole detector at one configuration. */
export async function flopsCommand(flags: FlopsFlags, out: CliOutput): Promise<{ macs: number; params: number }> {
  await initBackend({ backend: 'cpu', log: false });
  const spec =
    flags.run !== undefined
      ? (await openRun(flags.run)).recipe.model.detector
      : detectorSpecFor(
          {
            backbone: 'mobilenet-v1-fashion',
            inChannels: 1,
            numClasses: 10,
            widthRange: { min: 0.25, max: 1 },
            seed: 0,
            ...(flags.channels === undefined ? {} : { channels: flags.channels }),
            ...(flags.headConvs === undefined ? {} : { headConvs: flags.headConvs }),
          },
          parseTrainConfig({ strategy: 'mutualnet', resolutions: DEFAULT_RECIPE.resolutions }),
        );
  const detector = buildDetector(spec as never);
  try {
    const config = { width: flags.width ?? detector.widthRange.max, resolution: flags.size ?? Math.max(...DEFAULT_RECIPE.resolutions) };
    const cost = costOf(squareInput(detector), config);
    out.result(
      flags.layers
        ? formatCostReport(cost)
        : `detector width ${config.width} size ${config.resolution}×${config.resolution}: ${formatMflops(cost.macs, 3)} (multiply-adds; backbone, FPN and head), ${cost.params} parameters`,
    );
    return { macs: cost.macs, params: cost.params };
  } finally {
    detector.dispose();
  }
}
