import type { CostReport } from './cost-of.js';

/**
 * The one place the cost unit is written. The counters count multiply-adds (`macs` in code, and the
 * `maxMacs` budget); displays use the papers' unit, MFLOPs, which MutualNet, US-Net and RS-Nets all
 * define as millions of multiply-adds. So `1990000` → `'1.99'` and `MFLOPS_UNIT` beside it.
 */
export const MFLOPS_UNIT = 'MFLOPs';

/** Multiply-adds in the displayed unit, without the unit: `1990000` → `'1.99'`. */
export function formatMflopsValue(macs: number, digits = 2): string {
  return (macs / 1e6).toFixed(digits);
}

/** Multiply-adds with the unit: `1990000` → `'1.99 MFLOPs'`. */
export function formatMflops(macs: number, digits = 2): string {
  return `${formatMflopsValue(macs, digits)} ${MFLOPS_UNIT}`;
}

/** `1234567` → `'1.23M'`; below 1000 the integer itself. */
export function formatCount(n: number, digits = 2): string {
  const units: ReadonlyArray<readonly [number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [scale, unit] of units) if (Math.abs(n) >= scale) return `${(n / scale).toFixed(digits)}${unit}`;
  return String(n);
}

/** `1234567` → `'1,234,567'`. */
export function formatInteger(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

export interface FormatCostReportOptions {
  /** Show one row per layer (default true); false prints only the header and totals. */
  readonly layers?: boolean;
  /** Hide rows with 0 MACs and 0 params (activations, pooling). Default false. */
  readonly hideEmpty?: boolean;
}

/**
 * A fixed-width text table: one row per layer (name, kind, output shape, MACs, params, % of MACs),
 * then the totals, for the classification CLI's `flops` report.
 */
export function formatCostReport(report: CostReport, options: FormatCostReportOptions = {}): string {
  const { layers = true, hideEmpty = false } = options;
  const c = report.config;
  const extra = [c.frames !== undefined ? `frames ${c.frames}` : '', c.scales ? `scales ${c.scales.join(',')}` : ''].filter(Boolean);
  const lines = [
    `width ${c.width}, resolution ${c.resolution}${extra.length ? `, ${extra.join(', ')}` : ''}; input [${report.inShape.join(', ')}]`,
  ];
  if (layers) {
    const rows = report.layers
      .filter((l) => !hideEmpty || l.macs !== 0 || l.params !== 0)
      .map((l) => [
        l.name,
        l.kind,
        `[${l.outShape.join(', ')}]`,
        formatInteger(l.macs),
        formatInteger(l.params),
        report.macs > 0 ? `${((100 * l.macs) / report.macs).toFixed(1)}%` : '-',
      ]);
    const header = ['layer', 'kind', 'output', 'MACs', 'params', 'MACs %'];
    const all = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    const right = new Set([3, 4, 5]);
    const fmt = (r: readonly string[]) =>
      r
        .map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    lines.push(fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt));
  }
  const both = (n: number) => (Math.abs(n) >= 1000 ? `${formatInteger(n)} (${formatCount(n)})` : formatInteger(n));
  lines.push(`total: ${both(report.macs)} MACs, ${both(report.params)} params, output [${report.outShape.join(', ')}]`);
  return lines.join('\n');
}
