import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedDimensions, formatFrontier, PLOT_LAYERS, plotSpec, QueryTable, STEP_COLORS } from '../src/index.js';
import { type RenderedPlot, renderPlot } from '../src/node.js';
import { fig9Rows } from './helpers/fig9-table.js';
import { videoRows } from './helpers/video-table.js';

const table = new QueryTable({ rows: videoRows() });

describe('frontier steps', () => {
  it('say which dimension each step changes: width, spatial, temporal or several', () => {
    const steps = table.frontierSteps();
    expect(steps.map((s) => s.row.key)).toEqual(['w0.500-r6-f2', 'w1.000-r6-f2', 'w1.000-r8-f2', 'w1.000-r8-f4', 'w1.000-r10-f8']);
    expect(steps.map((s) => s.change)).toEqual([null, 'width', 'spatial', 'temporal', 'several']);
    expect(steps.map((s) => s.dimensions)).toEqual([[], ['width'], ['spatial'], ['temporal'], ['spatial', 'temporal']]);
    expect(changedDimensions({ width: 0.5, resolution: 6 }, { width: 0.5000001, resolution: 6 })).toEqual([]);
    expect(changedDimensions({ width: 0.5, resolution: 6, frames: 2 }, { width: 1, resolution: 8, frames: 4 })).toEqual([
      'width',
      'spatial',
      'temporal',
    ]);
  });

  it('are a column of the text output', () => {
    const lines = formatFrontier(table).split('\n');
    expect(lines[0]).toMatch(/^width +resolution +frames +MFLOPs +params +top-1 +top-5 +step$/);
    expect(lines.slice(2).map((l) => l.trim().split(/ +/).at(-1))).toEqual(['-', 'width', 'spatial', 'temporal', 'several']);
    expect(lines.slice(2).map((l) => l.trim().split(/ +/)[2])).toEqual(['2', '2', '2', '4', '8']);
  });
});

/** The direct children of a layer's `<g class="... <layer>_marks">` group (path or line elements). */
function marks(svg: string, layer: string): string[] {
  const start = svg.indexOf(`role-mark ${layer}_marks"`);
  expect(start).toBeGreaterThan(0);
  const body = svg.slice(start, svg.indexOf('</g>', start));
  return body.match(/<(path|line) [^>]*>/g) ?? [];
}
const attr = (el: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(el)?.[1];

describe('the Fig. 18 plot of a 3D table', () => {
  let dir: string;
  let plot: RenderedPlot;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'query-table-fig18-'));
    plot = await renderPlot(table, { svgPath: join(dir, 'plot.svg'), title: 'Slow' });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the spec colours each frontier segment by the dimension it changes, and shapes points by frames', () => {
    const spec = plotSpec(table) as unknown as {
      layer: { name: string; data?: { values: { change: string; cost: number; cost2: number }[] }; encoding: Record<string, unknown> }[];
    };
    const segments = spec.layer.find((l) => l.name === PLOT_LAYERS.frontierSegments)!;
    expect(segments.data!.values.map((v) => [v.change, v.cost, v.cost2])).toEqual([
      ['width', 100 / 1e6, 200 / 1e6],
      ['spatial', 200 / 1e6, 300 / 1e6],
      ['temporal', 300 / 1e6, 500 / 1e6],
      ['several', 500 / 1e6, 700 / 1e6],
    ]);
    expect(segments.encoding.color).toMatchObject({
      field: 'change',
      scale: { domain: ['spatial', 'temporal', 'width', 'several'], range: ['#d62728', '#2ca02c', '#1f77b4', '#000000'] },
    });
    const rows = spec.layer.find((l) => l.name === PLOT_LAYERS.rows)!;
    expect(rows.encoding.shape).toMatchObject({ field: 'frames', scale: { domain: ['8', '4', '2'] } });
    expect(spec.layer.some((l) => l.name === PLOT_LAYERS.frontierLine)).toBe(false);
  });

  it('renders one segment per step in its dimension’s colour, left to right, and a frames legend', () => {
    const lines = marks(plot.svg, PLOT_LAYERS.frontierSegments);
    expect(lines).toHaveLength(4);
    const strokes = lines.map((l) => attr(l, 'stroke'));
    expect(strokes).toEqual([STEP_COLORS.width, STEP_COLORS.spatial, STEP_COLORS.temporal, STEP_COLORS.several]);
    expect(marks(plot.svg, PLOT_LAYERS.rows)).toHaveLength(7);
    expect(marks(plot.svg, PLOT_LAYERS.frontierPoints)).toHaveLength(5);
    const labels = [...plot.svg.matchAll(/role-legend-label"[^>]*><text[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    for (const l of ['8', '4', '2', 'width', 'spatial', 'temporal', 'several', '10', '6']) expect(labels).toContain(l);
  });

  it('2D tables keep the black frontier line and no segments', () => {
    const spec = plotSpec(new QueryTable({ rows: fig9Rows() })) as unknown as {
      layer: { name: string; encoding: Record<string, unknown> }[];
    };
    expect(spec.layer.map((l) => l.name)).toEqual([PLOT_LAYERS.rows, PLOT_LAYERS.frontierLine, PLOT_LAYERS.frontierPoints]);
    expect(spec.layer[0]!.encoding.shape).toBeUndefined();
  });
});
