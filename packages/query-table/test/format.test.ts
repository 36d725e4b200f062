import { configKey } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { formatFrontier, formatRowLine, QueryTable, type TableRow } from '../src/index.js';

const row = (width: number, resolution: number, macs: number, top1: number, latencyMs?: number): TableRow => ({
  config: { width, resolution },
  key: configKey({ width, resolution }),
  macs,
  params: 1000 * Math.round(100 * width),
  views: 1,
  value: top1,
  secondary: Math.min(1, top1 + 0.1),
  top1,
  top5: Math.min(1, top1 + 0.1),
  samples: 10_000,
  ...(latencyMs === undefined ? {} : { latencyMs }),
});

describe('formatFrontier', () => {
  it('prints the frontier, cheapest first, one aligned line per configuration', () => {
    const table = new QueryTable({
      rows: [row(1, 28, 14_350_000, 0.9041), row(0.5, 20, 1_990_000, 0.8766), row(0.25, 16, 345_000, 0.851), row(0.5, 16, 1_300_000, 0.84)],
    });
    expect(formatFrontier(table)).toBe(
      [
        'width  resolution  MFLOPs   params   top-1    top-5',
        '-----  ----------  ------  -------  ------  -------',
        ' 0.25          16    0.34   25,000  85.10%   95.10%',
        ' 0.50          20    1.99   50,000  87.66%   97.66%',
        ' 1.00          28   14.35  100,000  90.41%  100.00%',
      ].join('\n'),
    );
    expect(formatFrontier(table, { all: true }).split('\n').slice(2)).toEqual([
      '*0.25          16    0.34   25,000  85.10%   95.10%',
      ' 0.50          16    1.30   50,000  84.00%   94.00%',
      '*0.50          20    1.99   50,000  87.66%   97.66%',
      '*1.00          28   14.35  100,000  90.41%  100.00%',
    ]);
    // The step column is on for video tables; 2D tables show it on request.
    expect(formatFrontier(table, { steps: true, all: true }).split('\n').slice(2)).toEqual([
      '*0.25          16    0.34   25,000  85.10%   95.10%        -',
      ' 0.50          16    1.30   50,000  84.00%   94.00%',
      '*0.50          20    1.99   50,000  87.66%   97.66%  several',
      '*1.00          28   14.35  100,000  90.41%  100.00%  several',
    ]);
  });

  it('adds latency when measured, and sorts by it on request', () => {
    const table = new QueryTable({ rows: [row(1, 28, 14_350_000, 0.9, 3), row(0.5, 20, 1_990_000, 0.87, 4)] });
    const lines = formatFrontier(table, { cost: 'latencyMs' }).split('\n');
    expect(lines[0]).toBe('width  resolution  MFLOPs   params   top-1    top-5  latency ms');
    expect(lines.slice(2)).toEqual([' 1.00          28   14.35  100,000  90.00%  100.00%       3.000']);
    expect(() => formatFrontier(new QueryTable({ rows: [row(1, 28, 1, 0.9)] }), { cost: 'latencyMs' })).toThrow(/without latency/);
  });
});

describe('formatRowLine', () => {
  it('is one progress line per configuration', () => {
    expect(formatRowLine(row(0.5, 20, 1_990_000, 0.8766), 12, 64, 3.14)).toBe(
      '[table 12/64] w=0.50 r=20  1.99 MFLOPs  top-1 87.66%  top-5 97.66%  (3.1 s)',
    );
    expect(formatRowLine(row(1, 28, 14_350_000, 0.9041, 2.5), 1, 2)).toBe(
      '[table 1/2] w=1.00 r=28  14.35 MFLOPs  top-1 90.41%  top-5 100.00%  2.50 ms',
    );
  });
});
