import { createHash } from 'node:crypto';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level: equal values give equal text (and hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export interface FieldDifference {
  /** Dotted path, e.g. `train.optimizer.lr`. */
  readonly field: string;
  readonly run: unknown;
  readonly given: unknown;
}

/** Fields where two JSON values differ, depth first (objects by key; arrays and scalars as wholes). */
export function jsonDifferences(run: unknown, given: unknown, ignore: readonly string[] = [], prefix = ''): FieldDifference[] {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (ignore.includes(prefix)) return [];
  if (isObject(run) && isObject(given)) {
    const keys = [...new Set([...Object.keys(run), ...Object.keys(given)])].sort();
    return keys.flatMap((k) => jsonDifferences(run[k], given[k], ignore, prefix === '' ? k : `${prefix}.${k}`));
  }
  return canonicalJson(run) === canonicalJson(given) ? [] : [{ field: prefix || '(root)', run, given }];
}
