import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@adaptnet/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLOT_LAYERS, plotSpec, QueryTable } from '../src/index.js';
import { type RenderedPlot, renderPlot } from '../src/node.js';
import { fig9Rows } from './helpers/fig9-table.js';
import { randomRows } from './helpers/random-table.js';

/** The `<g class="... <layer>_marks">` group's direct <path> elements. */
function markPaths(svg: string, layer: string): string[] {
  const start = svg.indexOf(`role-mark ${layer}_marks"`);
  expect(start).toBeGreaterThan(0);
  const body = svg.slice(start, svg.indexOf('</g>', start));
  return body.match(/<path [^>]*>/g) ?? [];
}

const attr = (el: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(el)?.[1];

// Four resolutions, so four colours; the frontier runs through all of them.
const rows = fig9Rows();
const table = new QueryTable({ rows });

let dir: string;
let plot: RenderedPlot;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'query-table-plot-'));
  plot = await renderPlot(table, { svgPath: join(dir, 'plot.svg'), pngPath: join(dir, 'plot.png'), title: 'MobileNetV1' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('renderPlot', () => {
  it('has one legend entry, in its own colour, per resolution (largest first)', () => {
    const labels = [...plot.svg.matchAll(/role-legend-label"[^>]*><text[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(['224', '192', '160', '128']);
    const fills = [...plot.svg.matchAll(/role-legend-symbol"[^>]*><path [^>]*fill="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(fills).size).toBe(4);
    expect(plot.svg).toContain('>MobileNetV1</text>');
  });

  it('draws every row, and marks the frontier with outlined points in its resolution colour and a line through them', () => {
    const legend = new Map(
      [...plot.svg.matchAll(/role-legend-symbol"[^>]*><path [^>]*fill="([^"]+)"[\s\S]*?role-legend-label"[^>]*><text[^>]*>([^<]+)</g)].map(
        (m) => [m[2], m[1]],
      ),
    );
    const all = markPaths(plot.svg, PLOT_LAYERS.rows);
    expect(all).toHaveLength(rows.length);
    const points = markPaths(plot.svg, PLOT_LAYERS.frontierPoints);
    expect(points).toHaveLength(table.frontier.length);
    expect(new Set(table.frontier.map((r) => r.config.resolution)).size).toBe(4);
    const keys = points.map((p) => /config: (w[\d.]+-r\d+)/.exec(attr(p, 'aria-label') ?? '')?.[1]);
    expect(new Set(keys)).toEqual(new Set(table.frontier.map((r) => r.key)));
    for (const p of points) {
      const key = /config: (\S+?);/.exec(attr(p, 'aria-label') ?? '')?.[1];
      const row = table.row(key!)!;
      expect(attr(p, 'stroke')).toBe('black');
      expect(attr(p, 'fill')).toBe(legend.get(String(row.config.resolution)));
    }
    const [line] = markPaths(plot.svg, PLOT_LAYERS.frontierLine);
    const vertices = [...(attr(line!, 'd') ?? '').matchAll(/[ML]([\d.-]+),([\d.-]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(vertices).toHaveLength(table.frontier.length);
    for (let i = 1; i < vertices.length; i++) {
      expect(vertices[i]![0]).toBeGreaterThan(vertices[i - 1]![0]); // cost grows to the right
      expect(vertices[i]![1]).toBeLessThan(vertices[i - 1]![1]); // accuracy grows upwards
    }
  });

  it('writes the SVG and a PNG (sharp) at twice the size', async () => {
    expect(await readFile(join(dir, 'plot.svg'), 'utf8')).toBe(plot.svg);
    const png = await readFile(join(dir, 'plot.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(Buffer.from(plot.png!).equals(png)).toBe(true);
    const width = Number(/<svg [^>]*width="(\d+)"/.exec(plot.svg)?.[1]);
    expect((await sharp(png).metadata()).width).toBe(2 * width);
  });

  it('plots latency on the x axis when asked, and refuses it for a table without latency', async () => {
    const spec = plotSpec(table, { cost: 'latencyMs' }) as { layer: { encoding: { x: { title: string } } }[] };
    expect(spec.layer[0]!.encoding.x.title).toBe('latency (ms)');
    const { svg } = await renderPlot(table, { cost: 'latencyMs' });
    expect(markPaths(svg, PLOT_LAYERS.frontierPoints)).toHaveLength(table.latencyFrontier.length);
    const plain = new QueryTable({ rows: randomRows(5, 10, false) });
    expect(() => plotSpec(plain, { cost: 'latencyMs' })).toThrow(ConfigError);
  });
});
