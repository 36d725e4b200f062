import { readFile } from 'node:fs/promises';
import { ConfigError } from '@adaptnet/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const STRATEGIES = ['individual', 'usnet', 'mutualnet', 'rsnet', 'resizable'] as const;

/**
 * - `individual`: one configuration (the I-Net baseline);
 * - `usnet`: sandwich widths at the max resolution, inplace distillation (US-Net);
 * - `mutualnet`: sandwich widths × resolutions, full net at the max resolution on labels, the
 *   others KL to its detached logits (MutualNet);
 * - `rsnet`: every resolution at full width, private BN per resolution, MRED (RS-Nets);
 * - `resizable`: fair spatial sampling of per-stage feature scales, scale-aware BN (resizable nets).
 */
export type Strategy = (typeof STRATEGIES)[number];

const positive = z.number().finite().positive();
const resolution = z.number().int().positive();

const optimizerSchema = z
  .object({
    lr: positive.default(0.1),
    momentum: z.number().min(0).lt(1).default(0.9),
    nesterov: z.boolean().default(true),
    weightDecay: z.number().min(0).default(5e-5),
    /** Which weights weight decay reaches (MutualNet's code skips BN; the reference recipe decays conv weights only). */
    decay: z
      .object({
        conv: z.boolean().default(true),
        depthwise: z.boolean().default(true),
        dense: z.boolean().default(false),
        batchNorm: z.boolean().default(false),
        bias: z.boolean().default(false),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

const scheduleSchema = z
  .object({
    kind: z.enum(['cosine', 'constant']).default('cosine'),
    /** Linear warm-up from 0, in iterations. */
    warmupSteps: z.number().int().min(0).default(0),
    /** Cosine end point. */
    finalLr: z.number().min(0).default(0),
  })
  .strict()
  .default({});

const widthRangeSchema = z
  .object({ min: positive, max: positive })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'widthRange.min must be <= widthRange.max' });

export const TrainConfigSchema = z
  .object({
    strategy: z.enum(STRATEGIES, {
      errorMap: (issue, ctx) => ({
        message:
          issue.code === 'invalid_enum_value'
            ? `unknown strategy '${String(issue.received)}'; allowed: ${STRATEGIES.join(', ')}`
            : ctx.defaultError,
      }),
    }),
    /** Widths trained by the sandwich strategies; default: the model's width range. */
    widthRange: widthRangeSchema.optional(),
    /** Trained input resolutions; the largest is the full network's. */
    resolutions: z.array(resolution).min(1).default([224]),
    /**
     * Video models only (required for them, refused for image models): the trained frames per
     * clip, e.g. [3, 5, 8]; the largest is the full network's. SlowFast: the slow pathway's frames
     * (its fast pathway reads α × the largest).
     */
    frames: z.array(z.number().int().positive()).min(1).optional(),
    /** `individual`: the one configuration trained (default: max width, max resolution, max frames). */
    width: positive.optional(),
    resolution: resolution.optional(),
    /** `individual` on a video model: its frames per clip (default: the largest of `frames`). */
    frameCount: z.number().int().positive().optional(),
    /** Sandwich strategies: random widths per iteration besides max and min. */
    numRandom: z.number().int().min(0).default(2),
    /** Draw random widths on a grid (e.g. 0.05) instead of continuously. */
    widthStep: positive.optional(),
    epochs: positive.default(1),
    batchSize: z.number().int().positive().default(128),
    seed: z.number().int().default(0),
    optimizer: optimizerSchema,
    schedule: scheduleSchema,
    labelSmoothing: z.number().min(0).lt(1).default(0),
    distill: z
      .object({ temperature: positive.default(1) })
      .strict()
      .default({}),
    mred: z
      .object({ mode: z.enum(['full', 'vanilla']).default('full') })
      .strict()
      .default({}),
    resizable: z
      .object({
        /** Scale factors every resizable stage can take. */
        choices: z.array(positive).min(1).default([1, 0.75, 0.5]),
        /** Subnets per iteration; must divide the number of choices (default: all of them). */
        subnetsPerIteration: z.number().int().positive().optional(),
      })
      .strict()
      .default({}),
    /** Write a resumable checkpoint every N iterations (0: only at epoch ends). */
    checkpointEvery: z.number().int().min(0).default(500),
  })
  .strict();

/** A validated training configuration with every default filled in. */
export type TrainConfig = z.infer<typeof TrainConfigSchema>;
/** What a file or code may give: everything but `strategy` optional. */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

function describeIssue(issue: z.ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') return `${path}: unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  return `${path}: ${issue.message}`;
}

/** Validates and fills defaults; throws ConfigError naming the first bad field. */
export function parseTrainConfig(input: unknown, source = 'training config'): TrainConfig {
  const parsed = TrainConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(`${source}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  return parsed.data;
}

/** Reads a YAML (`.yaml`/`.yml`) or JSON file, to be merged or validated by the caller. */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`config file ${path} must hold a mapping of options, got ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** `readConfigFile` + `parseTrainConfig`, with `overrides` (e.g. CLI flags) applied on top. */
export async function loadTrainConfig(path: string, overrides: Record<string, unknown> = {}): Promise<TrainConfig> {
  return parseTrainConfig({ ...(await readConfigFile(path)), ...overrides }, path);
}
