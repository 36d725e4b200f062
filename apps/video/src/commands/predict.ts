import { initBackend } from '@adaptnet/core/node';
import { averageViews, VideoStream } from '@adaptnet/data';
import { inputFor, type TableRow } from '@adaptnet/query-table';
import * as tf from '@tensorflow/tfjs-core';
import type { Output } from '../output.js';
import { checkTableMatchesWeights, loadVerifiedModel, loadVerifiedTable, openRun, TABLE_FILE } from '../run-folder.js';
import { adaptChannels, loadVideosForPrediction } from '../video-input.js';
import { type BudgetFlags, budgetOf, describeRow } from './query.js';

export interface PredictFlags extends BudgetFlags {
  readonly run: string;
  /** A video file, or a folder of them. */
  readonly video: string;
  readonly table?: string;
  /** Dark objects on a light background → light on dark, as the moving-actions clips are. */
  readonly invert?: boolean;
  readonly top?: number;
}

export interface VideoPrediction {
  readonly file: string;
  readonly classes: readonly { readonly name: string; readonly probability: number }[];
}

export interface Prediction {
  readonly row: TableRow;
  readonly videos: readonly VideoPrediction[];
}

/**
 * `adaptnet-video predict`: picks the configuration for the budget from the run's table, installs
 * its stored BN statistics (no recalibration), decodes each video with ffmpeg (the run's window of
 * frames, centred; the short side at the run's size, centre crop) and prints its top classes.
 */
export async function predictCommand(flags: PredictFlags, out: Output): Promise<Prediction> {
  const budget = budgetOf(flags);
  const { folder, manifest } = await openRun(flags.run);
  const table = await loadVerifiedTable(folder, flags.table);
  const row = budget === undefined ? (table.frontier[table.frontier.length - 1] as TableRow) : table.query(budget);
  const decoded = await loadVideosForPrediction(flags.video, manifest.data.side, manifest.data.classNames);
  const source = adaptChannels(decoded, manifest.model.inChannels, flags.invert ?? false);
  const views = row.views;
  await initBackend({ log: false });
  const { model } = await loadVerifiedModel(folder, manifest);
  try {
    checkTableMatchesWeights(table, model, flags.table ?? folder.path(TABLE_FILE), flags.run);
    table.applyStatistics(model, row.config);
    const stream = new VideoStream(source, {
      batchSize: 1,
      frames: manifest.data.clipFrames,
      stride: manifest.data.stride,
      views,
      eval: { kind: 'center-crop', cropFraction: manifest.data.evalCropFraction },
      normalize: manifest.data.normalize,
    });
    const videos: VideoPrediction[] = [];
    let index = 0;
    out.result(describeRow(row));
    for await (const batch of stream.epoch(0)) {
      const probs = tf.tidy(() => {
        const logits = model.forward(inputFor(model, batch, row.config), { config: row.config, training: false });
        return averageViews(tf.softmax(logits as tf.Tensor2D), views);
      });
      const p = Array.from(probs.dataSync());
      probs.dispose();
      batch.dispose();
      const classes = p
        .map((probability, i) => ({ name: manifest.data.classNames[i] ?? String(i), probability }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, flags.top ?? 5);
      const file = source.clipName(index++);
      videos.push({ file, classes });
      if (source.size > 1) out.result(`${file}:`);
      for (const c of classes) out.result(`${(c.probability * 100).toFixed(1).padStart(5)}%  ${c.name}`);
    }
    return { row, videos };
  } finally {
    model.dispose();
  }
}
