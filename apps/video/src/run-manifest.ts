import { VIDEO_BACKBONE_NAMES } from '@adaptnet/backbones';
import { parseTrainConfig, type TrainConfig } from '@adaptnet/train';
import { RunFolder, type RunFolderSpec } from '@adaptnet/train/node';
import { z } from 'zod';

export const RUN_MANIFEST = 'run.json';
export const RUN_FORMAT = 'adaptnet-video-run';
export const RUN_VERSION = 1;

/** The video backbones of `@adaptnet/backbones` (input `[N, T, H, W, C]`). */
export const ARCHITECTURES = VIDEO_BACKBONE_NAMES;
export type ArchitectureName = (typeof ARCHITECTURES)[number];

const normalization = z.object({ mean: z.array(z.number()), std: z.array(z.number().positive()) });

/** The recipe run.json records (besides `format` and `version`): network, clips and training configuration. */
const recipeSchema = z.object({
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
    /** Training clips (moving-fashion: rendered; folders: a seeded subset when smaller). */
    trainClips: z.number().int().positive().optional(),
    /** Test clips of the moving-fashion sets. */
    testClips: z.number().int().positive().optional(),
    /** Moving-fashion sets: distractor items per clip (0–3). */
    distractors: z.number().int().min(0).max(3).optional(),
    /** Frame side the clips are decoded or rendered at (before crops). */
    side: z.number().int().positive(),
    /** Frames per sampled clip (T of the full configuration's window) and their spacing τ. */
    clipFrames: z.number().int().positive(),
    stride: z.number().int().positive(),
    classNames: z.array(z.string()),
    normalize: normalization,
    evalCropFraction: z.number().positive().max(1),
  }),
  train: z.record(z.string(), z.unknown()),
});

export type RunRecipe = z.infer<typeof recipeSchema>;

/** The run folder description `@adaptnet/train/node`'s RunFolder works with. */
export const RUN_SPEC: RunFolderSpec<RunRecipe> = {
  format: RUN_FORMAT,
  version: RUN_VERSION,
  schema: recipeSchema,
  tool: 'adaptnet-video',
};

/** What a run directory records so that `eval`, `table` and `predict` rebuild the same network and clips. */
export interface RunManifest extends Omit<RunRecipe, 'train'> {
  readonly format: typeof RUN_FORMAT;
  readonly version: typeof RUN_VERSION;
  readonly train: TrainConfig;
}

/** The manifest of a run recipe (validating its training configuration). */
export function manifestOf(recipe: RunRecipe, source: string): RunManifest {
  return { format: RUN_FORMAT, version: RUN_VERSION, ...recipe, train: parseTrainConfig(recipe.train, source) };
}

/** The recipe part of a manifest, as run.json stores it. */
export function recipeOf(manifest: RunManifest): RunRecipe {
  const { format: _f, version: _v, ...recipe } = manifest;
  return recipe;
}

export async function readRunManifest(dir: string): Promise<RunManifest> {
  return manifestOf(await RunFolder.readRecipe(dir, RUN_SPEC), `${dir}/${RUN_MANIFEST}`);
}
