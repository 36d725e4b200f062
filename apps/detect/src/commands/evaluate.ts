import { ConfigError, configKey } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { formatMflops } from '@adaptnet/flops';
import type { CliOutput } from '@adaptnet/train/node';
import { evaluationData, type Measurement, type MeasureOptions, measureConfig, trainConfigOf, trainedSizes } from '../measure.js';
import { loadVerifiedDetector, openRun } from '../run-folder.js';

export interface EvalFlags extends MeasureOptions {
  readonly run: string;
  readonly width?: number;
  readonly size?: number;
  /** Evaluate a size the run did not train (refused otherwise). */
  readonly allowUntrained?: boolean;
}

/** Where `eval` writes the COCO results JSON of a configuration, inside the run. */
export const resultsFile = (key: string) => `results-${key}.json`;

/**
 * `adaptnet-detect eval`: calibrates and evaluates one configuration (default: the full detector)
 * on the validation split, prints pycocotools' 12-line summary and writes the results JSON.
 */
export async function evalCommand(flags: EvalFlags, out: CliOutput): Promise<Measurement> {
  const folder = await openRun(flags.run, { lock: true, log: (line) => out.info(line) });
  try {
    const train = trainConfigOf(folder.recipe, folder.path('run.json'));
    const trained = trainedSizes(train);
    const size = flags.size ?? Math.max(...trained);
    if (!trained.includes(size)) {
      if (!flags.allowUntrained) {
        throw new ConfigError(
          `--size ${size} was not trained (trained: ${trained.join(', ')}); pass --allow-untrained to evaluate it anyway`,
        );
      }
      out.info(`[eval] note: size ${size} was not trained (trained: ${trained.join(', ')}); expect a lower AP`);
    }
    await initBackend({ log: (line) => out.info(line) });
    const { detector } = await loadVerifiedDetector(folder);
    try {
      const { min, max } = detector.widthRange;
      // Default: the full detector; an individually trained one: its own width.
      const width = flags.width ?? (train.strategy === 'individual' ? (train.width ?? max) : max);
      if (width < min || width > max) throw new ConfigError(`--width ${width} is outside the detector's width range [${min}, ${max}]`);
      const config = { width, resolution: size };
      const data = await evaluationData(folder.recipe, train, flags);
      const m = await measureConfig(detector, data, config);
      const name = resultsFile(configKey(config));
      await folder.commit(name, JSON.stringify(m.results));
      out.result(
        `width ${width} size ${size}: ${formatMflops(m.macs)}, ${m.params} params, ${m.images} images, ${m.results.length} detections`,
      );
      out.result(m.summary);
      out.result(`results: ${folder.path(name)}`);
      return m;
    } finally {
      detector.dispose();
    }
  } finally {
    await folder.close();
  }
}
