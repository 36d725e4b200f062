import { z } from 'zod';
import { ConfigError } from './errors.js';

export const MODEL_SPEC_FORMAT = 'adaptnet-model-spec';
export const MODEL_SPEC_VERSION = 1;

const subnetConfigSchema = z
  .object({
    width: z.number().positive(),
    resolution: z.number().int().positive(),
    frames: z.number().int().positive().optional(),
    scales: z.array(z.number().positive()).optional(),
  })
  .strict();

const bnPolicySchema = z.union([
  z.enum(['resolution', 'width', 'spatial', 'config']),
  z.object({ scaleOfStage: z.number().int().nonnegative() }).strict(),
]);

const rangeSchema = z.object({ min: z.number().positive(), max: z.number().positive() }).refine((r) => r.min <= r.max, {
  message: 'min must be <= max',
});

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const jsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonSchema), z.record(z.string(), jsonSchema)]),
);

/**
 * Everything needed to rebuild a trained network without the code that trained it: the backbone's
 * registry name and constructor options, how its BatchNorms are keyed, the configuration space it
 * was trained on, and the training strategy. Plain JSON; stored in the checkpoint header.
 */
export const modelSpecSchema = z
  .object({
    format: z.literal(MODEL_SPEC_FORMAT),
    version: z.literal(MODEL_SPEC_VERSION),
    /** A backbone registry name, e.g. `'mobilenet-v1'` (see `@adaptnet/backbones`' `BACKBONE_NAMES`). */
    architecture: z.string().min(1),
    /** The backbone's constructor options other than `norm` and `resizable` (JSON values only). */
    options: z.record(z.string(), jsonSchema),
    /** Resizable network: a feature resize per stage driven by `config.scales`. */
    resizable: z.boolean(),
    norm: z
      .object({
        policy: bnPolicySchema,
        /** Configurations that own a set from construction (every policy but `'config'`). */
        configs: z.array(subnetConfigSchema).optional(),
        epsilon: z.number().positive().optional(),
        momentum: z.number().positive().max(1).optional(),
      })
      .strict(),
    trainedSpace: z
      .object({
        widthRange: rangeSchema,
        resolutions: z.array(z.number().int().positive()).min(1),
        frames: z.array(z.number().int().positive()).optional(),
      })
      .strict(),
    /** The strategy's name (`mutualnet`, `usnet`, `individual`, `rsnet`, `resizable`, ...) and its full settings. */
    strategy: z.object({ name: z.string().min(1), settings: z.record(z.string(), jsonSchema).optional() }).strict(),
  })
  .strict();

export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** Validates a model spec (e.g. parsed from JSON); a bad field is a `ConfigError` naming it. */
export function parseModelSpec(value: unknown, where = 'model spec'): ModelSpec {
  const parsed = modelSpecSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${where}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}
