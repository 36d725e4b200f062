import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKBONE_NAMES } from '@adaptnet/backbones';
import { CheckpointError } from '@adaptnet/core';
import { writeFileAtomic } from '@adaptnet/core/node';
import { parseTrainConfig, type TrainConfig } from '@adaptnet/train';
import { z } from 'zod';

export const RUN_MANIFEST = 'run.json';
export const RUN_FORMAT = 'adaptnet-classify-run';
export const RUN_VERSION = 1;

/** `mobilenet-v1-fashion` is the reference recipe's small-input MobileNetV1; the rest are registry names. */
export const ARCHITECTURES = ['mobilenet-v1-fashion', ...BACKBONE_NAMES] as const;
export type ArchitectureName = (typeof ARCHITECTURES)[number];

const normalization = z.object({ mean: z.array(z.number()), std: z.array(z.number().positive()) });

const manifestSchema = z.object({
  format: z.literal(RUN_FORMAT),
  version: z.literal(RUN_VERSION),
  model: z.object({
    architecture: z.enum(ARCHITECTURES),
    input: z.enum(['small', 'imagenet']),
    inChannels: z.number().int().positive(),
    numClasses: z.number().int().positive(),
    widthRange: z.object({ min: z.number().positive(), max: z.number().positive() }),
    seed: z.number().int(),
  }),
  data: z.object({
    dataset: z.string().min(1),
    dir: z.string().optional(),
    trainSubset: z.number().int().positive().optional(),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    classNames: z.array(z.string()),
    normalize: normalization,
    evalCropFraction: z.number().positive().max(1),
  }),
  train: z.record(z.string(), z.unknown()),
});

export type RunManifestFile = z.infer<typeof manifestSchema>;

/** What a run directory records so that `eval`, `table` and `predict` rebuild the same network and data. */
export interface RunManifest extends Omit<RunManifestFile, 'train'> {
  readonly train: TrainConfig;
}

export async function writeRunManifest(dir: string, manifest: RunManifest): Promise<void> {
  await writeFileAtomic(join(dir, RUN_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function readRunManifest(dir: string): Promise<RunManifest> {
  const path = join(dir, RUN_MANIFEST);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CheckpointError(
      'E_CHECKPOINT_MISSING',
      `no training run in ${dir} (${RUN_MANIFEST} is missing); train one with: adaptnet-classify train --out ${dir}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CheckpointError(
      'E_CHECKPOINT_FORMAT',
      `${path} is not an adaptnet-classify run manifest (${issue?.path.join('.') || '(root)'}: ${issue?.message})`,
    );
  }
  return { ...parsed.data, train: parseTrainConfig(parsed.data.train, path) };
}
