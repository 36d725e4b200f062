import type { QueryTableFile } from './file-schema.js';

/**
 * JSON with one line per top-level field, per row and per configuration's BN statistics: readable
 * and diffable without spreading every statistic over its own line.
 */
export function stringifyTableFile(file: QueryTableFile): string {
  const fields: string[] = [];
  for (const [name, value] of Object.entries(file)) {
    if (value === undefined) continue;
    let text: string;
    if (name === 'rows' && Array.isArray(value) && value.length > 0) {
      text = `[\n${value.map((row) => `    ${JSON.stringify(row)}`).join(',\n')}\n  ]`;
    } else if (name === 'bnStatistics' && Object.keys(value).length > 0) {
      const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
      text = `{\n${entries.join(',\n')}\n  }`;
    } else {
      text = JSON.stringify(value);
    }
    fields.push(`  ${JSON.stringify(name)}: ${text}`);
  }
  return `{\n${fields.join(',\n')}\n}\n`;
}
