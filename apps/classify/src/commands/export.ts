import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, configKey, type SubnetConfig, widthInRange } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { exportSubnet, type SubnetFormat, type SubnetMetadata, subnetMetadata } from '@adaptnet/export';
import { SUBNET_MODEL_FILE, SUBNET_WEIGHTS_FILE, saveSubnet } from '@adaptnet/export/node';
import { formatMflops } from '@adaptnet/flops';
import { calibrate } from '@adaptnet/norm';
import type { QueryTable, TableRow } from '@adaptnet/query-table';
import type * as tf from '@tensorflow/tfjs-core';
import { calibrationStream, loadSplit } from '../data.js';
import { checkResolution } from '../limits.js';
import type { Output } from '../output.js';
import { checkTableMatchesWeights, loadVerifiedModel, loadVerifiedTable, openRun, TABLE_FILE } from '../run-folder.js';
import { RUN_MANIFEST } from '../run-manifest.js';

export interface ExportFlags {
  readonly run: string;
  readonly out: string;
  readonly width?: number;
  readonly resolution?: number;
  readonly maxMflops?: number;
  readonly table?: string;
  readonly calibrationSamples?: number;
  /** `layers` (default, tf.loadLayersModel) or `graph` (tf.loadGraphModel; also resizable networks' scales). */
  readonly format?: SubnetFormat;
  /** Replace an exported model already in `out` (never a run folder). */
  readonly force?: boolean;
}

/**
 * Refuses an `--out` that would lose something: a file, a run folder (its model.json is the run's
 * checkpoint), or an earlier export unless `force`. Checked before any work.
 */
function checkExportTarget(out: string, force: boolean): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory())
    throw new ConfigError(`--out ${out} is a file; give a folder for ${SUBNET_MODEL_FILE} and ${SUBNET_WEIGHTS_FILE}`);
  const names = readdirSync(out);
  if (names.includes(RUN_MANIFEST) || existsSync(join(dirname(resolve(out)), RUN_MANIFEST))) {
    throw new ConfigError(`--out ${out} is a training run or one of its folders; give the exported model a folder of its own`);
  }
  const existing = [SUBNET_MODEL_FILE, SUBNET_WEIGHTS_FILE].filter((f) => names.includes(f));
  if (existing.length > 0 && !force) {
    throw new ConfigError(
      `--out ${out} already holds an exported model (${existing.join(', ')}); pass --force to replace it, or choose another folder`,
    );
  }
}

export interface ExportResult {
  readonly config: SubnetConfig;
  readonly metadata: SubnetMetadata;
  readonly modelPath: string;
  readonly weightBytes: number;
  readonly format: SubnetFormat;
}

/**
 * `adaptnet-classify export`: one configuration of a trained run as a standard tfjs Layers model
 * (`--format layers`, the default) or graph model (`--format graph`).
 * `--max-mflops` picks it from the query table (which carries its BN statistics); `--width` and
 * `--resolution` name it, using the table's statistics when it has them and calibrating otherwise.
 */
export async function exportCommand(flags: ExportFlags, out: Output): Promise<ExportResult> {
  const named = flags.width !== undefined || flags.resolution !== undefined;
  if (named && flags.maxMflops !== undefined) throw new ConfigError('give --width and --resolution, or --max-mflops, not both');
  if (!named && flags.maxMflops === undefined) throw new ConfigError('give the configuration: --width W --resolution R, or --max-mflops N');
  if (named && (flags.width === undefined || flags.resolution === undefined))
    throw new ConfigError('--width and --resolution go together (or use --max-mflops N)');
  checkExportTarget(flags.out, flags.force ?? false);
  const { folder, manifest } = await openRun(flags.run);
  const tablePath = flags.table ?? folder.path(TABLE_FILE);
  // The table and the weights are verified against the run's records before either is used.
  const table: QueryTable | undefined =
    flags.maxMflops !== undefined || existsSync(tablePath) ? await loadVerifiedTable(folder, flags.table) : undefined;
  const config: SubnetConfig =
    flags.maxMflops !== undefined
      ? (table as QueryTable).query({ maxMacs: flags.maxMflops * 1e6, flag: { name: '--max-mflops', per: 1e6 } }).config
      : { width: flags.width as number, resolution: flags.resolution as number };
  checkResolution(config.resolution, manifest.model.inChannels, undefined, '--resolution');
  const row: TableRow | undefined = table?.rows.find((r) => r.key === configKey(config));
  await initBackend({ log: false });
  const { model } = await loadVerifiedModel(folder, manifest);
  try {
    if (table !== undefined) checkTableMatchesWeights(table, model, tablePath, folder.dir);
    const range = model.widthRange;
    if (!widthInRange(config.width, range))
      throw new ConfigError(`--width ${config.width} is outside the run's width range [${range.min}, ${range.max}]`);
    let source: string;
    try {
      table?.applyStatistics(model, config);
      source = table === undefined ? '' : 'the query table';
    } catch {
      source = '';
    }
    if (source === '') {
      const samples = flags.calibrationSamples ?? 2000;
      const dataSpec = { dataset: manifest.data.dataset, ...(manifest.data.dir === undefined ? {} : { dir: manifest.data.dir }) };
      const train = await loadSplit(dataSpec, 'train');
      const stream = calibrationStream(train, manifest.data, samples, manifest.train.seed);
      async function* images(): AsyncGenerator<tf.Tensor> {
        for await (const batch of stream.epoch(0)) {
          try {
            yield batch.images(config.resolution);
          } finally {
            batch.dispose();
          }
        }
      }
      await calibrate(model, images, [config], { samples: Math.min(samples, train.size) });
      source = `calibration on ${Math.min(samples, train.size)} training images`;
    }
    const format = flags.format ?? 'layers';
    const subnet = exportSubnet(model, config, {
      format,
      ...(row === undefined ? {} : { accuracy: { top1: row.top1, top5: row.top5, samples: row.samples } }),
      extra: {
        architecture: manifest.model.architecture,
        strategy: manifest.train.strategy,
        dataset: manifest.data.dataset,
        classNames: manifest.data.classNames,
        normalize: manifest.data.normalize,
        bnStatistics: source,
      },
    });
    try {
      const saved = await saveSubnet(subnet, flags.out);
      const metadata = subnetMetadata(subnet) as SubnetMetadata;
      const accuracy = row === undefined ? '' : `, top-1 ${(row.top1 * 100).toFixed(2)}%`;
      out.result(
        `width ${config.width} resolution ${config.resolution}: ${formatMflops(metadata.macs)}, ${metadata.exportedParams} parameters${accuracy} (BN from ${source})`,
      );
      out.result(`model: ${saved.modelPath} (${format} model, ${(saved.weightBytes / 1024).toFixed(1)} KiB of weights)`);
      return { config, metadata, modelPath: saved.modelPath, weightBytes: saved.weightBytes, format };
    } finally {
      if ('dispose' in subnet) subnet.dispose();
    }
  } finally {
    model.dispose();
    await folder.close();
  }
}
