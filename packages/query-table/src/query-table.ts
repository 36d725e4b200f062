import { CheckpointError, ConfigError, ConfigRangeError, configKey, type Module, type SubnetConfig } from '@adaptnet/core';
import { formatMflops } from '@adaptnet/flops';
import { type BnStatistics, importStatistics } from '@adaptnet/norm';
import { migrateTableFile, QUERY_TABLE_FORMAT, QUERY_TABLE_VERSION, type QueryTableFile, queryTableFileSchema } from './file-schema.js';
import { formatRowConfig } from './format-values.js';
import { costOfRow, frontierSteps, paretoFrontier } from './frontier.js';
import { gridSize } from './grid.js';
import { stringifyTableFile } from './stringify.js';
import {
  type Budget,
  type CostKind,
  type FrontierStep,
  type GridInfo,
  type GridSettings,
  type MetricInfo,
  type MetricRow,
  type RowInit,
  type TableModelInfo,
  type TableRow,
  TOP1_METRIC,
} from './types.js';

/** Options of `QueryTable.parse` / `fromJSON` / `loadQueryTable`. */
export interface LoadTableOptions {
  /**
   * Accept a table of any metric (rows typed `MetricRow`). Default false: only top-1
   * classification tables (rows typed `TableRow`, with `top1` / `top5`); another metric is a named error.
   */
  readonly anyMetric?: boolean;
}

export interface QueryTableInit {
  /** The metric as `value` (and `secondary`), or for top-1 tables as `top1` / `top5`. */
  readonly rows: readonly RowInit[];
  /** Default `TOP1_METRIC` (`{ name: 'top-1', secondary: 'top-5' }`). */
  readonly metric?: MetricInfo;
  /** BN statistics by configuration key; only those of frontier configurations are kept. */
  readonly statistics?: ReadonlyMap<string, BnStatistics> | Readonly<Record<string, BnStatistics>>;
  /** Default `{ name: 'unknown' }`. */
  readonly model?: TableModelInfo;
  /** Default: the widths, resolutions (and frames) of the rows. */
  readonly grid?: GridInfo;
  readonly settings?: GridSettings;
  /** Default: now. */
  readonly createdAt?: string;
  /** Default true. */
  readonly complete?: boolean;
}

function plainConfig(c: SubnetConfig): SubnetConfig {
  return {
    width: c.width,
    resolution: c.resolution,
    ...(c.frames === undefined ? {} : { frames: c.frames }),
    ...(c.scales === undefined ? {} : { scales: [...c.scales] }),
  };
}

const isTop1 = (metric: MetricInfo): boolean => metric.name === TOP1_METRIC.name;

function checkRow(row: RowInit, i: number, metric: MetricInfo): MetricRow {
  const where = `rows[${i}] (${row.key})`;
  const expected = configKey(row.config);
  if (row.key !== expected) throw new ConfigError(`${where}: key must be configKey(config) = '${expected}'`);
  if (!Number.isInteger(row.macs) || row.macs < 0) throw new ConfigError(`${where}: macs must be an integer >= 0, got ${row.macs}`);
  if (!Number.isInteger(row.params) || row.params < 0) throw new ConfigError(`${where}: params must be an integer >= 0, got ${row.params}`);
  const views = row.views ?? 1;
  if (!Number.isInteger(views) || views <= 0) throw new ConfigError(`${where}: views must be a positive integer, got ${views}`);
  const top1 = isTop1(metric);
  const value = row.value ?? (top1 ? row.top1 : undefined);
  const secondary = row.secondary ?? (top1 ? row.top5 : undefined);
  if (row.value !== undefined && row.top1 !== undefined && row.value !== row.top1) {
    throw new ConfigError(`${where}: value ${row.value} and top1 ${row.top1} disagree; give one of them`);
  }
  if (row.secondary !== undefined && row.top5 !== undefined && row.secondary !== row.top5) {
    throw new ConfigError(`${where}: secondary ${row.secondary} and top5 ${row.top5} disagree; give one of them`);
  }
  if (!top1 && (row.top1 !== undefined || row.top5 !== undefined)) {
    throw new ConfigError(`${where}: top1 / top5 belong to top-1 tables; this table's metric is ${metric.name} (use value / secondary)`);
  }
  if (value === undefined || !Number.isFinite(value)) {
    throw new ConfigError(`${where}: ${metric.name} (value${top1 ? ' or top1' : ''}) must be a finite number, got ${String(value)}`);
  }
  if (secondary !== undefined && !Number.isFinite(secondary)) {
    throw new ConfigError(`${where}: ${metric.secondary ?? 'secondary'} must be a finite number, got ${secondary}`);
  }
  if ((secondary !== undefined) !== (metric.secondary !== undefined)) {
    throw new ConfigError(
      metric.secondary === undefined
        ? `${where}: the metric ${metric.name} has no secondary metric, but the row gives one`
        : `${where}: ${metric.secondary} (secondary${top1 ? ' or top5' : ''}) is missing`,
    );
  }
  if (top1) {
    for (const [k, v] of [
      ['top1', value],
      ['top5', secondary],
    ] as const) {
      if (!((v as number) >= 0 && (v as number) <= 1)) throw new ConfigError(`${where}: ${k} must be a fraction in [0, 1], got ${v}`);
    }
    if ((secondary as number) < value) throw new ConfigError(`${where}: top5 ${secondary} is below top1 ${value}`);
  }
  if (!Number.isInteger(row.samples) || row.samples <= 0) {
    throw new ConfigError(`${where}: samples must be a positive integer, got ${row.samples}`);
  }
  if (row.latencyMs !== undefined && !(Number.isFinite(row.latencyMs) && row.latencyMs > 0)) {
    throw new ConfigError(`${where}: latencyMs must be a positive number, got ${row.latencyMs}`);
  }
  return Object.freeze({
    config: plainConfig(row.config),
    key: row.key,
    macs: row.macs,
    views,
    params: row.params,
    value,
    ...(secondary === undefined ? {} : { secondary }),
    ...(top1 ? { top1: value, top5: secondary as number } : {}),
    samples: row.samples,
    ...(row.latencyMs === undefined ? {} : { latencyMs: row.latencyMs }),
  });
}

function sameKeys(a: readonly string[], b: readonly MetricRow[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]?.key);
}

function firstIssue(error: { issues: readonly { path: readonly (string | number)[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown problem';
}

/**
 * A measured grid: every row, the Pareto frontiers by MACs (and by latency when measured), and the
 * calibrated BN statistics of the frontier configurations. `query` is a binary search on a
 * frontier; `applyStatistics` switches a model to a frontier configuration without recalibration.
 * `R` is `TableRow` for top-1 tables (the default) and `MetricRow` for tables of other metrics.
 */
export class QueryTable<R extends MetricRow = TableRow> {
  readonly rows: readonly R[];
  /** The metric rows are ranked by (higher is better); `top-1` unless the table was built with another. */
  readonly metric: MetricInfo;
  /** By MACs: cost and the metric both strictly increase along it. */
  readonly frontier: readonly R[];
  /** By latency; empty when the table has no latencies. */
  readonly latencyFrontier: readonly R[];
  /** Every row has `latencyMs`. */
  readonly hasLatency: boolean;
  /** Samples averaged per prediction (multi-view testing), the same for every row; 1 for an empty table. */
  readonly views: number;
  readonly model: TableModelInfo;
  readonly grid: GridInfo;
  readonly settings: GridSettings | undefined;
  readonly createdAt: string;
  /** False for a partial table (an interrupted `evaluateGrid`). */
  readonly complete: boolean;
  private readonly byKey: ReadonlyMap<string, R>;
  private readonly statistics: ReadonlyMap<string, BnStatistics>;
  private readonly macsCosts: Float64Array;
  private readonly latencyCosts: Float64Array;

  constructor(init: QueryTableInit) {
    const metric = checkMetric(init.metric ?? TOP1_METRIC);
    this.metric = metric;
    const rows = init.rows.map((r, i) => checkRow(r, i, metric) as R);
    const byKey = new Map<string, R>();
    for (const row of rows) {
      if (byKey.has(row.key)) throw new ConfigError(`the table has two rows for ${row.key}`);
      byKey.set(row.key, row);
    }
    const timed = rows.filter((r) => r.latencyMs !== undefined).length;
    if (timed !== 0 && timed !== rows.length) {
      throw new ConfigError(
        `${rows.length - timed} of ${rows.length} rows have no latencyMs; latency must be measured for every row or none`,
      );
    }
    const views = [...new Set(rows.map((r) => r.views))];
    if (views.length > 1) {
      throw new ConfigError(`the rows have different view counts (${views.join(', ')}); one table must use the same views for every row`);
    }
    this.views = views[0] ?? 1;
    this.rows = Object.freeze(rows);
    this.byKey = byKey;
    this.hasLatency = rows.length > 0 && timed === rows.length;
    this.frontier = Object.freeze(paretoFrontier(rows, 'macs'));
    this.latencyFrontier = Object.freeze(this.hasLatency ? paretoFrontier(rows, 'latencyMs') : []);
    this.macsCosts = Float64Array.from(this.frontier, (r) => r.macs);
    this.latencyCosts = Float64Array.from(this.latencyFrontier, (r) => r.latencyMs as number);

    const given = init.statistics instanceof Map ? [...init.statistics] : Object.entries(init.statistics ?? {});
    const keep = new Set([...this.frontier, ...this.latencyFrontier].map((r) => r.key));
    const statistics = new Map<string, BnStatistics>();
    for (const [key, stats] of given) {
      if (!byKey.has(key)) throw new ConfigError(`BN statistics are given for ${key}, which is not a row of the table`);
      const own = configKey(stats.config);
      if (own !== key) throw new ConfigError(`the BN statistics stored under ${key} are for ${own}`);
      if (keep.has(key)) statistics.set(key, stats);
    }
    this.statistics = statistics;
    this.model = { ...(init.model ?? { name: 'unknown' }) };
    const frames = [...new Set(rows.flatMap((r) => (r.config.frames === undefined ? [] : [r.config.frames])))].sort((a, b) => b - a);
    this.grid = init.grid ?? {
      widths: [...new Set(rows.map((r) => r.config.width))].sort((a, b) => a - b),
      resolutions: [...new Set(rows.map((r) => r.config.resolution))].sort((a, b) => b - a),
      ...(frames.length === 0 ? {} : { frames }),
    };
    this.settings = init.settings;
    this.createdAt = init.createdAt ?? new Date().toISOString();
    this.complete = init.complete ?? true;
  }

  /** True for a width × spatial × temporal table (its configurations have `frames`). */
  get isVideo(): boolean {
    return this.grid.frames !== undefined || this.rows.some((r) => r.config.frames !== undefined);
  }

  /**
   * The frontier (by MACs, or by latency) cheapest first, each row with the dimension its step from
   * the previous frontier row changes: width, spatial, temporal or several (TPAMI Fig. 18).
   */
  frontierSteps(cost: CostKind = 'macs'): FrontierStep<R>[] {
    return frontierSteps(this.frontierBy(cost));
  }

  /** The row of a configuration (or configuration key), if measured. */
  row(config: SubnetConfig | string): R | undefined {
    return this.byKey.get(typeof config === 'string' ? config : configKey(config));
  }

  /** The cheapest row by `cost` (the first frontier row). */
  cheapest(cost: CostKind = 'macs'): R {
    const row = this.frontierBy(cost)[0];
    if (row === undefined) throw new ConfigError('the query table has no rows');
    return row;
  }

  /**
   * The best configuration (highest metric: top-1 by default) whose cost is within the budget; among
   * equally good ones the cheapest, then the higher secondary metric (top-5), then the smaller key.
   * `maxMacs` bounds the MACs of one forward pass (per view, as `row.macs`). A binary search on the
   * frontier: O(log n), microseconds. A budget below every row is a `ConfigRangeError` naming the
   * cheapest configuration and its cost.
   */
  query(budget: Budget): R {
    const [cost, limit] = parseBudget(budget);
    const frontier = this.frontierBy(cost);
    const costs = cost === 'macs' ? this.macsCosts : this.latencyCosts;
    let lo = 0;
    let hi = costs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((costs[mid] as number) <= limit) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) {
      const c = this.cheapest(cost);
      const at = cost === 'macs' ? `${c.macs} MACs (${formatMflops(c.macs)})` : `${(c.latencyMs as number).toFixed(3)} ms`;
      // The caller's flag when it says how it spells the budget, the field's name otherwise.
      const flag = budget.flag ?? { name: cost === 'macs' ? 'maxMacs' : 'maxLatencyMs', per: 1 };
      const typed = (v: number) => Number((v / flag.per).toPrecision(12));
      throw new ConfigRangeError(
        `${flag.name} ${typed(limit)} is below the cheapest configuration in the table: ${c.key} (${formatRowConfig(c.config)}) at ${at}; allowed: ${flag.name} >= ${typed(costOfRow(c, cost))}`,
      );
    }
    return frontier[lo - 1] as R;
  }

  /** The stored BN statistics of a frontier configuration, if any. */
  statisticsFor(config: SubnetConfig | string): BnStatistics | undefined {
    return this.statistics.get(typeof config === 'string' ? config : configKey(config));
  }

  /**
   * Installs the calibrated BN statistics stored for a frontier configuration into `model` (same
   * architecture), so it runs that configuration with no recalibration and no reload. Returns the row.
   */
  applyStatistics(model: Module, config: SubnetConfig | string): R {
    const key = typeof config === 'string' ? config : configKey(config);
    const stats = this.statistics.get(key);
    if (stats === undefined) {
      const available = [...this.statistics.keys()].join(', ') || '(none)';
      const why = this.byKey.has(key) ? 'is not on a frontier' : 'is not in the table';
      throw new ConfigRangeError(`${key} ${why}; the table ships BN statistics for its frontier configurations only: ${available}`);
    }
    importStatistics(model, stats);
    return this.byKey.get(key) as R;
  }

  /** `query` then `applyStatistics`: switches `model` to the best configuration within the budget. */
  configure(model: Module, budget: Budget): R {
    const row = this.query(budget);
    this.applyStatistics(model, row.config);
    return row;
  }

  /** The file contents. Throws `ConfigError` when a frontier configuration has no BN statistics. */
  toJSON(): QueryTableFile {
    const missing = [...this.frontier, ...this.latencyFrontier].filter((r) => !this.statistics.has(r.key)).map((r) => r.key);
    if (missing.length > 0) {
      throw new ConfigError(
        `the table has no BN statistics for frontier configurations ${[...new Set(missing)].join(', ')}; tables built by evaluateGrid carry them`,
      );
    }
    return {
      format: QUERY_TABLE_FORMAT,
      version: QUERY_TABLE_VERSION,
      createdAt: this.createdAt,
      complete: this.complete,
      metric: { ...this.metric },
      model: this.model,
      grid: {
        widths: [...this.grid.widths],
        resolutions: [...this.grid.resolutions],
        ...(this.grid.frames === undefined ? {} : { frames: [...this.grid.frames] }),
      },
      ...(this.settings === undefined ? {} : { settings: this.settings }),
      rows: this.rows.map(fileRow),
      frontierKeys: this.frontier.map((r) => r.key),
      ...(this.hasLatency ? { latencyFrontierKeys: this.latencyFrontier.map((r) => r.key) } : {}),
      bnStatistics: Object.fromEntries(this.statistics),
    };
  }

  /**
   * Validates parsed JSON: a foreign format or an unknown version is `E_CHECKPOINT_FORMAT`, a schema
   * violation `E_CHECKPOINT_FORMAT` naming the first issue, inconsistent contents (keys, frontier,
   * statistics) `E_CHECKPOINT_CORRUPT`. Version 1 files (2D, top-1) are read as version 2. A table
   * of another metric than top-1 needs `{ anyMetric: true }`. `source` (e.g. the path) starts every message.
   */
  static fromJSON(json: unknown, source?: string, options?: { readonly anyMetric?: false }): QueryTable<TableRow>;
  static fromJSON(json: unknown, source: string | undefined, options: LoadTableOptions): QueryTable<MetricRow>;
  static fromJSON(json: unknown, source = 'query table', options: LoadTableOptions = {}): QueryTable<MetricRow> {
    const fail = (code: 'E_CHECKPOINT_FORMAT' | 'E_CHECKPOINT_CORRUPT', message: string) =>
      new CheckpointError(code, `${source}: ${message}`);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw fail('E_CHECKPOINT_FORMAT', `not an ${QUERY_TABLE_FORMAT} file (expected a JSON object)`);
    }
    const { format, version } = json as { format?: unknown; version?: unknown };
    if (format !== QUERY_TABLE_FORMAT) {
      throw fail(
        'E_CHECKPOINT_FORMAT',
        `not an ${QUERY_TABLE_FORMAT} file (format is ${format === undefined ? 'missing' : JSON.stringify(format)})`,
      );
    }
    if (version !== QUERY_TABLE_VERSION && version !== 1) {
      throw fail(
        'E_CHECKPOINT_FORMAT',
        `${QUERY_TABLE_FORMAT} version ${JSON.stringify(version)} is not supported; this build reads versions 1 and ${QUERY_TABLE_VERSION}`,
      );
    }
    const migrated = migrateTableFile(json as Record<string, unknown>);
    if (!migrated.ok) throw fail('E_CHECKPOINT_FORMAT', `invalid ${QUERY_TABLE_FORMAT} v${String(version)} file (${migrated.issue})`);
    const parsed = queryTableFileSchema.safeParse(migrated.json);
    if (!parsed.success)
      throw fail('E_CHECKPOINT_FORMAT', `invalid ${QUERY_TABLE_FORMAT} v${String(version)} file (${firstIssue(parsed.error)})`);
    const file = parsed.data;
    if (!options.anyMetric && !isTop1(file.metric)) {
      throw fail(
        'E_CHECKPOINT_FORMAT',
        `a table of ${JSON.stringify(file.metric.name)}, not a top-1 classification table; load it with { anyMetric: true }`,
      );
    }
    let table: QueryTable<MetricRow>;
    try {
      table = new QueryTable<MetricRow>({
        metric: file.metric,
        rows: file.rows,
        statistics: file.bnStatistics,
        model: file.model,
        grid: file.grid,
        ...(file.settings === undefined ? {} : { settings: file.settings }),
        createdAt: file.createdAt,
        complete: file.complete,
      });
    } catch (e) {
      if (e instanceof ConfigError) throw fail('E_CHECKPOINT_CORRUPT', e.message);
      throw e;
    }
    if (!sameKeys(file.frontierKeys, table.frontier)) {
      throw fail(
        'E_CHECKPOINT_CORRUPT',
        `frontierKeys [${file.frontierKeys.join(', ')}] is not the frontier of the rows [${table.frontier.map((r) => r.key).join(', ')}]`,
      );
    }
    if (table.hasLatency !== (file.latencyFrontierKeys !== undefined)) {
      throw fail(
        'E_CHECKPOINT_CORRUPT',
        table.hasLatency
          ? 'the rows have latencies but latencyFrontierKeys is missing'
          : 'latencyFrontierKeys is given but the rows have no latencies',
      );
    }
    if (file.latencyFrontierKeys && !sameKeys(file.latencyFrontierKeys, table.latencyFrontier)) {
      throw fail(
        'E_CHECKPOINT_CORRUPT',
        `latencyFrontierKeys [${file.latencyFrontierKeys.join(', ')}] is not the latency frontier of the rows`,
      );
    }
    for (const row of [...table.frontier, ...table.latencyFrontier]) {
      if (!table.statistics.has(row.key))
        throw fail('E_CHECKPOINT_CORRUPT', `bnStatistics has no entry for frontier configuration ${row.key}`);
    }
    const widths = new Set(file.grid.widths.map((w) => w.toFixed(3)));
    const resolutions = new Set(file.grid.resolutions);
    const frames = file.grid.frames === undefined ? undefined : new Set(file.grid.frames);
    for (const row of table.rows) {
      const t = row.config.frames;
      const framesOk = frames === undefined ? t === undefined : t !== undefined && frames.has(t);
      if (!widths.has(row.config.width.toFixed(3)) || !resolutions.has(row.config.resolution) || !framesOk) {
        throw fail(
          'E_CHECKPOINT_CORRUPT',
          `row ${row.key} is outside the grid (widths ${file.grid.widths.join(', ')}; resolutions ${file.grid.resolutions.join(', ')}; frames ${file.grid.frames?.join(', ') ?? 'none (2D)'})`,
        );
      }
    }
    const size = gridSize({ widths: [...widths].map(Number), resolutions: [...resolutions], ...(frames ? { frames: [...frames] } : {}) });
    if (file.complete && table.rows.length < size) {
      throw fail('E_CHECKPOINT_CORRUPT', `marked complete but has ${table.rows.length} rows for a grid of ${size} configurations`);
    }
    return table;
  }

  /** Parses and validates a table file's text; unparsable JSON is `E_CHECKPOINT_CORRUPT`. */
  static parse(text: string, source?: string, options?: { readonly anyMetric?: false }): QueryTable<TableRow>;
  static parse(text: string, source: string | undefined, options: LoadTableOptions): QueryTable<MetricRow>;
  static parse(text: string, source = 'the query table', options: LoadTableOptions = {}): QueryTable<MetricRow> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new CheckpointError('E_CHECKPOINT_CORRUPT', `${source}: not valid JSON (truncated or edited?): ${(e as Error).message}`);
    }
    return QueryTable.fromJSON(json, source, options);
  }

  /** The file's text: the format `parse` reads. */
  stringify(): string {
    return stringifyTableFile(this.toJSON());
  }

  private frontierBy(cost: CostKind): readonly R[] {
    if (cost === 'latencyMs' && !this.hasLatency) {
      throw noLatencyError();
    }
    return cost === 'macs' ? this.frontier : this.latencyFrontier;
  }
}

function checkMetric(metric: MetricInfo): MetricInfo {
  if (typeof metric !== 'object' || metric === null || typeof metric.name !== 'string' || metric.name.length === 0) {
    throw new ConfigError(`the metric must be { name, secondary? } with a non-empty name, got ${JSON.stringify(metric)}`);
  }
  if (metric.secondary !== undefined && (typeof metric.secondary !== 'string' || metric.secondary.length === 0)) {
    throw new ConfigError(`metric.secondary must be a non-empty string when given, got ${JSON.stringify(metric.secondary)}`);
  }
  if (isTop1(metric) && metric.secondary !== TOP1_METRIC.secondary) {
    throw new ConfigError(`the top-1 metric's secondary metric is top-5, got ${JSON.stringify(metric.secondary)}`);
  }
  return Object.freeze(metric.secondary === undefined ? { name: metric.name } : { name: metric.name, secondary: metric.secondary });
}

/**
 * A row as the file stores it: the metric as `value` / `secondary`; top-1 tables also keep `top1` /
 * `top5` (as version 1 did) for readers of the JSON, checked against `value` / `secondary` on load.
 */
function fileRow(row: MetricRow): MetricRow {
  const { top1, top5 } = row as Partial<TableRow>;
  return {
    config: row.config,
    key: row.key,
    macs: row.macs,
    views: row.views,
    params: row.params,
    value: row.value,
    ...(row.secondary === undefined ? {} : { secondary: row.secondary }),
    ...(top1 === undefined || top5 === undefined ? {} : { top1, top5 }),
    samples: row.samples,
    ...(row.latencyMs === undefined ? {} : { latencyMs: row.latencyMs }),
  };
}

export function noLatencyError(): ConfigError {
  return new ConfigError(
    'this table was built without latency measurement; rebuild it on the target device with latency measured (the apps: `table --latency-runs 20`; the library: evaluateGrid(..., { latency: { runs: 20 } }))',
  );
}

function parseBudget(budget: Budget): [CostKind, number] {
  const b = budget as { maxMacs?: unknown; maxLatencyMs?: unknown };
  const show = () => {
    try {
      return JSON.stringify(budget);
    } catch {
      return String(budget);
    }
  };
  if (typeof budget !== 'object' || budget === null || (b.maxMacs === undefined) === (b.maxLatencyMs === undefined)) {
    throw new ConfigError(`query: the budget must be { maxMacs } or { maxLatencyMs }, got ${show()}`);
  }
  const cost: CostKind = b.maxMacs !== undefined ? 'macs' : 'latencyMs';
  const limit = b.maxMacs ?? b.maxLatencyMs;
  if (typeof limit !== 'number' || Number.isNaN(limit)) {
    throw new ConfigError(`query: ${cost === 'macs' ? 'maxMacs' : 'maxLatencyMs'} must be a number, got ${show()}`);
  }
  return [cost, limit];
}
