import { isVideoBackboneName, resizableStageCount, VIDEO_WIDTH_RANGE } from '@adaptnet/backbones';
import { MODEL_SPEC_FORMAT, MODEL_SPEC_VERSION, type ModelSpec, parseModelSpec, type Range } from '@adaptnet/core';
import type { TrainConfig } from './config.js';
import { normOptionsFor } from './strategies/create.js';

/**
 * The model spec of a backbone trained with `config`: the registry name and options (JSON values),
 * the BN keying the strategy needs, the trained space and the strategy. What `loadModel` rebuilds
 * the network from; pass it to the `Trainer` so the saved weights carry it.
 */
export function modelSpecFor(architecture: string, options: object, config: TrainConfig): ModelSpec {
  const plain = JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
  const space = plain.configSpace as { width?: Range } | undefined;
  const defaultRange = isVideoBackboneName(architecture) ? (space?.width ?? VIDEO_WIDTH_RANGE) : { min: 0.25, max: 1 };
  const modelRange = (plain.widthRange as Range | undefined) ?? defaultRange;
  const resizable = config.strategy === 'resizable';
  const norm = normOptionsFor(config, {
    widthMax: modelRange.max,
    ...(resizable ? { resizableStages: resizableStageCount(architecture, plain) } : {}),
  });
  return parseModelSpec(
    JSON.parse(
      JSON.stringify({
        format: MODEL_SPEC_FORMAT,
        version: MODEL_SPEC_VERSION,
        architecture,
        options: plain,
        resizable,
        norm,
        trainedSpace: {
          widthRange: config.widthRange ?? modelRange,
          resolutions: config.resolutions,
          ...(config.frames === undefined ? {} : { frames: config.frames }),
        },
        strategy: { name: config.strategy, settings: config },
      }),
    ),
    `model spec of ${architecture}`,
  );
}
