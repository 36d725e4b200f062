import { formatFixed } from './numpy.js';
import type { AreaLabel } from './params.js';

interface SummaryParams {
  readonly iouThrs: readonly number[];
  readonly maxDets: readonly number[];
}

const ROWS: readonly { ap: boolean; iouThr?: number; area: AreaLabel; maxDetIndex: number }[] = [
  { ap: true, area: 'all', maxDetIndex: 2 },
  { ap: true, iouThr: 0.5, area: 'all', maxDetIndex: 2 },
  { ap: true, iouThr: 0.75, area: 'all', maxDetIndex: 2 },
  { ap: true, area: 'small', maxDetIndex: 2 },
  { ap: true, area: 'medium', maxDetIndex: 2 },
  { ap: true, area: 'large', maxDetIndex: 2 },
  { ap: false, area: 'all', maxDetIndex: 0 },
  { ap: false, area: 'all', maxDetIndex: 1 },
  { ap: false, area: 'all', maxDetIndex: 2 },
  { ap: false, area: 'small', maxDetIndex: 2 },
  { ap: false, area: 'medium', maxDetIndex: 2 },
  { ap: false, area: 'large', maxDetIndex: 2 },
];

/**
 * The lines `COCOeval.summarize()` prints for the 12 stats, formatted as its
 * `' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'`.
 */
export function summaryLines(stats: readonly number[], p: SummaryParams): string[] {
  return ROWS.map((row, i) => {
    const title = (row.ap ? 'Average Precision' : 'Average Recall').padEnd(18);
    const type = row.ap ? '(AP)' : '(AR)';
    const iou =
      row.iouThr === undefined
        ? `${formatFixed(p.iouThrs[0] as number, 2)}:${formatFixed(p.iouThrs[p.iouThrs.length - 1] as number, 2)}`
        : formatFixed(row.iouThr, 2);
    const maxDets = String(p.maxDets[row.maxDetIndex]).padStart(3);
    return ` ${title} ${type} @[ IoU=${iou.padEnd(9)} | area=${row.area.padStart(6)} | maxDets=${maxDets} ] = ${formatFixed(stats[i] as number, 3)}`;
  });
}
