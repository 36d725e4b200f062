import { CheckpointError, ConfigError, ConfigRangeError, configKey, type Module, type SubnetConfig } from '@adaptnet/core';
import { formatMflops } from '@adaptnet/flops';
import { type BnStatistics, importStatistics } from '@adaptnet/norm';
import { QUERY_TABLE_FORMAT, QUERY_TABLE_VERSION, type QueryTableFile, queryTableFileSchema } from './file-schema.js';
import { formatRowConfig } from './format-values.js';
import { costOfRow, paretoFrontier } from './frontier.js';
import { stringifyTableFile } from './stringify.js';
import type { Budget, CostKind, GridInfo, GridSettings, TableModelInfo, TableRow } from './types.js';

export interface QueryTableInit {
  readonly rows: readonly TableRow[];
  /** BN statistics by configuration key; only those of frontier configurations are kept. */
  readonly statistics?: ReadonlyMap<string, BnStatistics> | Readonly<Record<string, BnStatistics>>;
  /** Default `{ name: 'unknown' }`. */
  readonly model?: TableModelInfo;
  /** Default: the widths and resolutions of the rows. */
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

function checkRow(row: TableRow, i: number): TableRow {
  const where = `rows[${i}] (${row.key})`;
  const expected = configKey(row.config);
  if (row.key !== expected) throw new ConfigError(`${where}: key must be configKey(config) = '${expected}'`);
  if (!Number.isInteger(row.macs) || row.macs < 0) throw new ConfigError(`${where}: macs must be an integer >= 0, got ${row.macs}`);
  if (!Number.isInteger(row.params) || row.params < 0) throw new ConfigError(`${where}: params must be an integer >= 0, got ${row.params}`);
  for (const k of ['top1', 'top5'] as const) {
    if (!(row[k] >= 0 && row[k] <= 1)) throw new ConfigError(`${where}: ${k} must be a fraction in [0, 1], got ${row[k]}`);
  }
  if (row.top5 < row.top1) throw new ConfigError(`${where}: top5 ${row.top5} is below top1 ${row.top1}`);
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
    params: row.params,
    top1: row.top1,
    top5: row.top5,
    samples: row.samples,
    ...(row.latencyMs === undefined ? {} : { latencyMs: row.latencyMs }),
  });
}

function sameKeys(a: readonly string[], b: readonly TableRow[]): boolean {
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
 */
export class QueryTable {
  readonly rows: readonly TableRow[];
  /** By MACs: cost and top-1 both strictly increase along it. */
  readonly frontier: readonly TableRow[];
  /** By latency; empty when the table has no latencies. */
  readonly latencyFrontier: readonly TableRow[];
  /** Every row has `latencyMs`. */
  readonly hasLatency: boolean;
  readonly model: TableModelInfo;
  readonly grid: GridInfo;
  readonly settings: GridSettings | undefined;
  readonly createdAt: string;
  /** False for a partial table (an interrupted `evaluateGrid`). */
  readonly complete: boolean;
  private readonly byKey: ReadonlyMap<string, TableRow>;
  private readonly statistics: ReadonlyMap<string, BnStatistics>;
  private readonly macsCosts: Float64Array;
  private readonly latencyCosts: Float64Array;

  constructor(init: QueryTableInit) {
    const rows = init.rows.map(checkRow);
    const byKey = new Map<string, TableRow>();
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
    this.grid = init.grid ?? {
      widths: [...new Set(rows.map((r) => r.config.width))].sort((a, b) => a - b),
      resolutions: [...new Set(rows.map((r) => r.config.resolution))].sort((a, b) => b - a),
    };
    this.settings = init.settings;
    this.createdAt = init.createdAt ?? new Date().toISOString();
    this.complete = init.complete ?? true;
  }

  /** The row of a configuration (or configuration key), if measured. */
  row(config: SubnetConfig | string): TableRow | undefined {
    return this.byKey.get(typeof config === 'string' ? config : configKey(config));
  }

  /** The cheapest row by `cost` (the first frontier row). */
  cheapest(cost: CostKind = 'macs'): TableRow {
    const row = this.frontierBy(cost)[0];
    if (row === undefined) throw new ConfigError('the query table has no rows');
    return row;
  }

  /**
   * The most accurate configuration (top-1) whose cost is within the budget; among equally
   * accurate ones the cheapest, then the higher top-5, then the smaller key. A binary search on the
   * frontier: O(log n), microseconds. A budget below every row is a `ConfigRangeError` naming the
   * cheapest configuration and its cost.
   */
  query(budget: Budget): TableRow {
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
      const name = cost === 'macs' ? 'maxMacs' : 'maxLatencyMs';
      throw new ConfigRangeError(
        `${name} ${limit} is below the cheapest configuration in the table: ${c.key} (${formatRowConfig(c.config)}) at ${at}; allowed: ${name} >= ${costOfRow(c, cost)}`,
      );
    }
    return frontier[lo - 1] as TableRow;
  }

  /** The stored BN statistics of a frontier configuration, if any. */
  statisticsFor(config: SubnetConfig | string): BnStatistics | undefined {
    return this.statistics.get(typeof config === 'string' ? config : configKey(config));
  }

  /**
   * Installs the calibrated BN statistics stored for a frontier configuration into `model` (same
   * architecture), so it runs that configuration with no recalibration and no reload. Returns the row.
   */
  applyStatistics(model: Module, config: SubnetConfig | string): TableRow {
    const key = typeof config === 'string' ? config : configKey(config);
    const stats = this.statistics.get(key);
    if (stats === undefined) {
      const available = [...this.statistics.keys()].join(', ') || '(none)';
      const why = this.byKey.has(key) ? 'is not on a frontier' : 'is not in the table';
      throw new ConfigRangeError(`${key} ${why}; the table ships BN statistics for its frontier configurations only: ${available}`);
    }
    importStatistics(model, stats);
    return this.byKey.get(key) as TableRow;
  }

  /** `query` then `applyStatistics`: switches `model` to the best configuration within the budget. */
  configure(model: Module, budget: Budget): TableRow {
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
      model: this.model,
      grid: { widths: [...this.grid.widths], resolutions: [...this.grid.resolutions] },
      ...(this.settings === undefined ? {} : { settings: this.settings }),
      rows: this.rows,
      frontierKeys: this.frontier.map((r) => r.key),
      ...(this.hasLatency ? { latencyFrontierKeys: this.latencyFrontier.map((r) => r.key) } : {}),
      bnStatistics: Object.fromEntries(this.statistics),
    };
  }

  /**
   * Validates parsed JSON: a foreign format or another version is `E_CHECKPOINT_FORMAT`, a schema
   * violation `E_CHECKPOINT_FORMAT` naming the first issue, inconsistent contents (keys, frontier,
   * statistics) `E_CHECKPOINT_CORRUPT`. `source` (e.g. the path) starts every message.
   */
  static fromJSON(json: unknown, source = 'query table'): QueryTable {
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
    if (version !== QUERY_TABLE_VERSION) {
      throw fail(
        'E_CHECKPOINT_FORMAT',
        `${QUERY_TABLE_FORMAT} version ${JSON.stringify(version)} is not supported; this build reads version ${QUERY_TABLE_VERSION}`,
      );
    }
    const parsed = queryTableFileSchema.safeParse(json);
    if (!parsed.success)
      throw fail('E_CHECKPOINT_FORMAT', `invalid ${QUERY_TABLE_FORMAT} v${QUERY_TABLE_VERSION} file (${firstIssue(parsed.error)})`);
    const file = parsed.data;
    let table: QueryTable;
    try {
      table = new QueryTable({
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
    for (const row of table.rows) {
      if (!widths.has(row.config.width.toFixed(3)) || !resolutions.has(row.config.resolution)) {
        throw fail(
          'E_CHECKPOINT_CORRUPT',
          `row ${row.key} is outside the grid (widths ${file.grid.widths.join(', ')}; resolutions ${file.grid.resolutions.join(', ')})`,
        );
      }
    }
    const gridSize = widths.size * resolutions.size;
    if (file.complete && table.rows.length < gridSize) {
      throw fail('E_CHECKPOINT_CORRUPT', `marked complete but has ${table.rows.length} rows for a grid of ${gridSize} configurations`);
    }
    return table;
  }

  /** Parses and validates a table file's text; unparsable JSON is `E_CHECKPOINT_CORRUPT`. */
  static parse(text: string, source = 'the query table'): QueryTable {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new CheckpointError('E_CHECKPOINT_CORRUPT', `${source}: not valid JSON (truncated or edited?): ${(e as Error).message}`);
    }
    return QueryTable.fromJSON(json, source);
  }

  /** The file's text: the format `parse` reads. */
  stringify(): string {
    return stringifyTableFile(this.toJSON());
  }

  private frontierBy(cost: CostKind): readonly TableRow[] {
    if (cost === 'latencyMs' && !this.hasLatency) {
      throw noLatencyError();
    }
    return cost === 'macs' ? this.frontier : this.latencyFrontier;
  }
}

export function noLatencyError(): ConfigError {
  return new ConfigError(
    'this table was built without latency measurement; rebuild it with evaluateGrid(model, grid, val, calib, { latency: { runs: 20 } }) on the target device',
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
