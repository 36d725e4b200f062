import { RunFolder, type RunFolderSpec } from '@adaptnet/train/node';
import { z } from 'zod';

export const RUN_MANIFEST = 'run.json';
export const RUN_FORMAT = 'adaptnet-detect-run';
export const RUN_VERSION = 1;
export const TOOL = 'adaptnet-detect';

/** The recipe run.json records (besides `format` and `version`): detector, data and training. */
const recipeSchema = z.object({
  model: z.object({
    /** The detector's spec (`@adaptnet/detection`'s `DetectorSpec`), validated when the detector is built. */
    detector: z.record(z.string(), z.unknown()),
    /** The classification run whose backbone weights initialised the detector, and those weights' sha256. */
    backboneFrom: z.object({ run: z.string(), modelSha256: z.string() }).optional(),
  }),
  data: z.object({
    /** COCO folder (`make-data`): images/ and annotations/instances_{train,val}.json. */
    dir: z.string().min(1),
    trainSubset: z.number().int().positive().optional(),
    channels: z.union([z.literal(1), z.literal(3)]),
    classNames: z.array(z.string()).min(1),
  }),
  train: z.record(z.string(), z.unknown()),
});

export type RunRecipe = z.infer<typeof recipeSchema>;

export const RUN_SPEC: RunFolderSpec<RunRecipe> = { format: RUN_FORMAT, version: RUN_VERSION, schema: recipeSchema, tool: TOOL };

export async function readRunRecipe(dir: string): Promise<RunRecipe> {
  return RunFolder.readRecipe(dir, RUN_SPEC);
}
