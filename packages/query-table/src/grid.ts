import { ConfigError, ConfigRangeError, configKey, type Range, type SubnetConfig, widthInRange } from '@adaptnet/core';
import type { GridInfo, GridSpec } from './types.js';

/** Widths are rounded to this many decimals, so 0.25 + 9 · 0.05 is 0.7, not 0.7000000000000001. */
const DECIMALS = 6;
const round = (x: number): number => Number(x.toFixed(DECIMALS));

/**
 * `min, min + step, ..., max` (both ends included; `max` is appended when the steps miss it), each
 * computed as `min + i · step` and rounded to 6 decimals, e.g. `{ min: 0.25, max: 1 }` → 0.25, 0.3,
 * ..., 0.95, 1 (16 widths).
 */
export function defaultWidths(range: Range, step = 0.05): number[] {
  const { min, max } = range;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min <= 0 || min > max) {
    throw new ConfigError(`defaultWidths: range must satisfy 0 < min <= max, got [${min}, ${max}]`);
  }
  if (!Number.isFinite(step) || step <= 0) throw new ConfigError(`defaultWidths: step must be a positive number, got ${step}`);
  // The tolerance keeps (1 - 0.25) / 0.05 = 14.999999999999998 at 15 steps.
  const steps = Math.floor((max - min) / step + 1e-9);
  const widths = Array.from({ length: steps + 1 }, (_, i) => round(min + i * step));
  const last = widths[widths.length - 1] as number;
  if (Math.abs(last - max) > 10 ** -DECIMALS) widths.push(round(max));
  return widths;
}

/**
 * Resolves a grid spec against a model's trained width range: the widths (given, or the default
 * steps over `widthRange`) and the resolutions, both validated.
 */
export function resolveGrid(grid: GridSpec, widthRange: Range | undefined): GridInfo {
  if (typeof grid !== 'object' || grid === null)
    throw new ConfigError('evaluateGrid: grid must be { resolutions, frames?, widths?, widthStep? }');
  const resolutions = [...(grid.resolutions ?? [])];
  if (resolutions.length === 0)
    throw new ConfigError('evaluateGrid: grid.resolutions is empty; give the resolutions the model was trained at');
  for (const r of resolutions) {
    if (!Number.isInteger(r) || r <= 0) throw new ConfigError(`evaluateGrid: resolutions must be positive integers, got ${r}`);
  }
  if (new Set(resolutions).size !== resolutions.length) {
    throw new ConfigError(`evaluateGrid: grid.resolutions has duplicates: ${resolutions.join(', ')}`);
  }
  let widths: number[];
  if (grid.widths !== undefined) {
    widths = [...grid.widths];
    if (widths.length === 0) throw new ConfigError('evaluateGrid: grid.widths is empty');
  } else {
    if (widthRange === undefined) {
      throw new ConfigError('evaluateGrid: the model has no widthRange; give grid.widths explicitly');
    }
    widths = defaultWidths(widthRange, grid.widthStep ?? 0.05);
  }
  const seen = new Map<string, number>();
  for (const w of widths) {
    if (!Number.isFinite(w) || w <= 0) throw new ConfigError(`evaluateGrid: widths must be positive numbers, got ${w}`);
    if (widthRange && !widthInRange(w, widthRange)) {
      throw new ConfigRangeError(`evaluateGrid: width ${w} is outside the model's width range: [${widthRange.min}, ${widthRange.max}]`);
    }
    const key = configKey({ width: w, resolution: 1 });
    const twin = seen.get(key);
    if (twin !== undefined)
      throw new ConfigError(`evaluateGrid: widths ${twin} and ${w} are the same configuration (${key.split('-')[0]})`);
    seen.set(key, w);
  }
  if (grid.frames === undefined) return { widths, resolutions };
  const frames = [...grid.frames];
  if (frames.length === 0) throw new ConfigError('evaluateGrid: grid.frames is empty; omit it for a 2D grid or give the clip lengths');
  for (const t of frames) {
    if (!Number.isInteger(t) || t <= 0) throw new ConfigError(`evaluateGrid: frames must be positive integers, got ${t}`);
  }
  if (new Set(frames).size !== frames.length) throw new ConfigError(`evaluateGrid: grid.frames has duplicates: ${frames.join(', ')}`);
  return { widths, resolutions, frames };
}

/**
 * Every configuration of a grid: frames outermost (when the grid has them, in the given order),
 * then resolutions (in the given order), widths innermost. A 2D grid's configurations have no `frames`.
 */
export function gridConfigs(grid: GridInfo): SubnetConfig[] {
  const plane = (frames?: number): SubnetConfig[] =>
    grid.resolutions.flatMap((resolution) =>
      grid.widths.map((width) => (frames === undefined ? { width, resolution } : { width, resolution, frames })),
    );
  return grid.frames === undefined ? plane() : grid.frames.flatMap((t) => plane(t));
}

/** Configurations in the grid: widths × resolutions (× frames). */
export function gridSize(grid: GridInfo): number {
  return grid.widths.length * grid.resolutions.length * (grid.frames?.length ?? 1);
}
