import type { SubnetConfig } from '@adaptnet/core';

/** A fraction as a percentage, e.g. `87.66%`. */
export function formatPercent(fraction: number, digits = 2): string {
  return `${(100 * fraction).toFixed(digits)}%`;
}

/** `width 0.5, resolution 20` (plus frames and scales when set). */
export function formatRowConfig(config: SubnetConfig): string {
  let text = `width ${config.width}, resolution ${config.resolution}`;
  if (config.frames !== undefined) text += `, frames ${config.frames}`;
  if (config.scales !== undefined) text += `, scales ${config.scales.join(',')}`;
  return text;
}
