import { BN_STATISTICS_FORMAT, BN_STATISTICS_VERSION, type BnStatistics } from '@adaptnet/norm';
import { z } from 'zod';
import type { GridInfo, GridSettings, TableModelInfo, TableRow } from './types.js';

export const QUERY_TABLE_FORMAT = 'adaptnet-query-table';
export const QUERY_TABLE_VERSION = 1;

/** The JSON file: one table, the BN statistics of its frontier configurations included. */
export interface QueryTableFile {
  readonly format: typeof QUERY_TABLE_FORMAT;
  readonly version: typeof QUERY_TABLE_VERSION;
  /** ISO 8601. */
  readonly createdAt: string;
  /** False for the partial table `evaluateGrid` checkpoints after every row. */
  readonly complete: boolean;
  readonly model: TableModelInfo;
  readonly grid: GridInfo;
  readonly settings?: GridSettings;
  readonly rows: readonly TableRow[];
  /** The MACs frontier, cheapest first (must equal the frontier recomputed from `rows`). */
  readonly frontierKeys: readonly string[];
  /** The latency frontier, fastest first; present exactly when the rows have latencies. */
  readonly latencyFrontierKeys?: readonly string[];
  /** `exportStatistics` output per configuration key, for every configuration on a frontier. */
  readonly bnStatistics: Readonly<Record<string, BnStatistics>>;
}

const finite = z.number().finite();
const positiveInt = z.number().int().positive();
const fraction = finite.min(0).max(1);

const configSchema = z.object({
  width: finite.positive(),
  resolution: positiveInt,
  frames: positiveInt.optional(),
  scales: z.array(finite.positive()).optional(),
});

const rowSchema = z.object({
  config: configSchema,
  key: z.string().min(1),
  macs: z.number().int().nonnegative(),
  params: z.number().int().nonnegative(),
  top1: fraction,
  top5: fraction,
  samples: positiveInt,
  latencyMs: finite.positive().optional(),
});

const statisticsSchema = z.object({
  format: z.literal(BN_STATISTICS_FORMAT),
  version: z.literal(BN_STATISTICS_VERSION),
  config: configSchema,
  layers: z.record(
    z.string(),
    z.object({
      key: z.string().min(1),
      mean: z.array(finite),
      variance: z.array(finite.nonnegative()),
    }),
  ),
});

export const queryTableFileSchema: z.ZodType<QueryTableFile> = z.object({
  format: z.literal(QUERY_TABLE_FORMAT),
  version: z.literal(QUERY_TABLE_VERSION),
  createdAt: z.string().datetime(),
  complete: z.boolean(),
  model: z.object({
    name: z.string().min(1),
    architecture: z.string().min(1).optional(),
    parameters: z.number().int().nonnegative().optional(),
    weightsSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  }),
  grid: z.object({ widths: z.array(finite.positive()), resolutions: z.array(positiveInt) }),
  settings: z
    .object({
      calibrationSamples: positiveInt,
      maxBatches: positiveInt.nullable(),
      latency: z
        .object({ runs: positiveInt, batchSize: positiveInt, warmup: z.number().int().nonnegative(), backend: z.string().min(1) })
        .nullable(),
    })
    .optional(),
  rows: z.array(rowSchema),
  frontierKeys: z.array(z.string()),
  latencyFrontierKeys: z.array(z.string()).optional(),
  bnStatistics: z.record(z.string(), statisticsSchema),
});
