import { BN_STATISTICS_FORMAT, BN_STATISTICS_VERSION, type BnStatistics } from '@adaptnet/norm';
import { z } from 'zod';
import type { GridInfo, GridSettings, MetricInfo, MetricRow, TableModelInfo } from './types.js';

export const QUERY_TABLE_FORMAT = 'adaptnet-query-table';
/**
 * 2: rows carry the metric as `value` / `secondary` with the table's `metric` named, and `views`;
 * the grid may have `frames`. Version 1 files (top-1 / top-5 rows, 2D) are still read.
 */
export const QUERY_TABLE_VERSION = 2;

/** The JSON file: one table, the BN statistics of its frontier configurations included. */
export interface QueryTableFile {
  readonly format: typeof QUERY_TABLE_FORMAT;
  readonly version: typeof QUERY_TABLE_VERSION;
  /** ISO 8601. */
  readonly createdAt: string;
  /** False for the partial table `evaluateGrid` checkpoints after every row. */
  readonly complete: boolean;
  /** What `value` (and `secondary`) of the rows are. */
  readonly metric: MetricInfo;
  readonly model: TableModelInfo;
  readonly grid: GridInfo;
  readonly settings?: GridSettings;
  /** Top-1 tables also write `top1` / `top5` (equal to `value` / `secondary`). */
  readonly rows: readonly (MetricRow & { readonly top1?: number; readonly top5?: number })[];
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
  views: positiveInt,
  params: z.number().int().nonnegative(),
  value: finite,
  secondary: finite.optional(),
  /** Top-1 tables: the same numbers as `value` / `secondary`, for readers of the JSON. */
  top1: fraction.optional(),
  top5: fraction.optional(),
  samples: positiveInt,
  latencyMs: finite.positive().optional(),
});

const v1RowSchema = z.object({ top1: fraction, top5: fraction }).passthrough();

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
  metric: z.object({ name: z.string().min(1), secondary: z.string().min(1).optional() }),
  model: z.object({
    name: z.string().min(1),
    architecture: z.string().min(1).optional(),
    parameters: z.number().int().nonnegative().optional(),
    weightsSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  }),
  grid: z.object({ widths: z.array(finite.positive()), resolutions: z.array(positiveInt), frames: z.array(positiveInt).optional() }),
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

/**
 * Version 1 → 2: rows' `top1` / `top5` become `value` / `secondary` of the `top-1` metric, every
 * row has 1 view. A version 2 object is returned as it is. `issue` names the first bad v1 field.
 */
export function migrateTableFile(json: Record<string, unknown>): { ok: true; json: unknown } | { ok: false; issue: string } {
  if (json.version !== 1) return { ok: true, json };
  if (!Array.isArray(json.rows)) return { ok: true, json }; // the v2 schema names it
  const rows: unknown[] = [];
  for (const [i, row] of json.rows.entries()) {
    const parsed = v1RowSchema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, issue: `rows.${i}.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
    }
    const { top1, top5, ...rest } = parsed.data;
    rows.push({ ...rest, views: 1, value: top1, secondary: top5 });
  }
  return { ok: true, json: { ...json, version: QUERY_TABLE_VERSION, metric: { name: 'top-1', secondary: 'top-5' }, rows } };
}
