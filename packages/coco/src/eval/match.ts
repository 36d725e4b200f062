import type { CocoAnnotation } from '../dataset.js';
import type { CocoDetection } from '../results.js';
import { pairIou } from './iou.js';
import { COCO_AREA_RANGES } from './params.js';

/** Outcome of one detection at one IoU threshold and area range. */
export const FP = 0;
export const TP = 1;
export const IGNORED = 2;

const A = COCO_AREA_RANGES.length;

/**
 * Sorts `order[0, n)` (indices into `scores`) by descending score, ties in index order: the
 * order of pycocotools' `np.argsort(-scores, kind='mergesort')`.
 */
export function sortByScoreDescending(order: Int32Array, n: number, scores: Float64Array): void {
  if (n <= 32) {
    for (let i = 1; i < n; i++) {
      const v = order[i] as number;
      const s = scores[v] as number;
      let j = i - 1;
      while (j >= 0 && (scores[order[j] as number] as number) < s) {
        order[j + 1] = order[j] as number;
        j--;
      }
      order[j + 1] = v;
    }
    return;
  }
  order.subarray(0, n).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, need: number, make: (n: number) => T): T {
  if (a.length >= need) return a;
  const b = make(Math.max(need, 2 * a.length));
  b.set(a);
  return b;
}

/**
 * The matching of every image × category cell of one category (pycocotools' `evaluateImg` for
 * each area range), kept in flat buffers so that millions of detections allocate little.
 * Cell c holds D(c) detections, scores descending at `scores[scoreStart(c) + d]`, and the outcome
 * of detection d at area range a and threshold t at `outcomes[outcomeStart(c) + (a·T + t)·D(c) + d]`.
 */
export class CellStore {
  count = 0;
  sizes = new Int32Array(64);
  scoreStart = new Int32Array(64);
  outcomeStart = new Int32Array(64);
  /** Ground truths not ignored, per cell and area range: [c·A + a]. */
  counted = new Int32Array(64 * A);
  scores = new Float64Array(1024);
  outcomes = new Uint8Array(1024 * 40);
  private scoreEnd = 0;
  private outcomeEnd = 0;
  // Scratch space reused by every cell.
  private order = new Int32Array(128);
  private detScores = new Float64Array(128);
  private dtArea = new Float64Array(128);
  private ious = new Float64Array(1024);
  private gIgnore = new Uint8Array(64);
  private gOrder = new Int32Array(64);
  private gtTaken = new Uint8Array(64);
  private thresholds: Float64Array;

  constructor(iouThrs: readonly number[]) {
    this.thresholds = Float64Array.from(iouThrs, (t) => Math.min(t, 1 - 1e-10));
  }

  reset(): void {
    this.count = 0;
    this.scoreEnd = 0;
    this.outcomeEnd = 0;
  }

  /** Matches one cell: `gts` in file order, `dts` in results order; keeps the `maxDet` best detections. */
  add(gts: readonly CocoAnnotation[], dts: readonly CocoDetection[], maxDet: number): void {
    const T = this.thresholds.length;
    const G = gts.length;
    const n = dts.length;
    if (this.order.length < n) {
      this.order = new Int32Array(2 * n);
      this.detScores = new Float64Array(2 * n);
    }
    const order = this.order;
    const detScores = this.detScores;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      detScores[i] = (dts[i] as CocoDetection).score;
    }
    sortByScoreDescending(order, n, detScores);
    const D = Math.min(maxDet, n);

    const c = this.count++;
    if (this.sizes.length <= c) {
      this.sizes = grow(this.sizes, c + 1, (k) => new Int32Array(k));
      this.scoreStart = grow(this.scoreStart, c + 1, (k) => new Int32Array(k));
      this.outcomeStart = grow(this.outcomeStart, c + 1, (k) => new Int32Array(k));
      this.counted = grow(this.counted, (c + 1) * A, (k) => new Int32Array(k));
    }
    this.sizes[c] = D;
    this.scoreStart[c] = this.scoreEnd;
    this.outcomeStart[c] = this.outcomeEnd;
    this.scores = grow(this.scores, this.scoreEnd + D, (k) => new Float64Array(k));
    this.outcomes = grow(this.outcomes, this.outcomeEnd + A * T * D, (k) => new Uint8Array(k));
    if (this.dtArea.length < D) this.dtArea = new Float64Array(2 * D);
    const scores = this.scores;
    const outcomes = this.outcomes;
    const dtArea = this.dtArea;
    for (let d = 0; d < D; d++) {
      const det = dts[order[d] as number] as CocoDetection;
      scores[this.scoreEnd + d] = det.score;
      dtArea[d] = det.bbox[2] * det.bbox[3];
    }

    if (this.gIgnore.length < G) {
      this.gIgnore = new Uint8Array(2 * G);
      this.gOrder = new Int32Array(2 * G);
      this.gtTaken = new Uint8Array(2 * G);
    }
    if (this.ious.length < D * G) this.ious = new Float64Array(2 * D * G);
    const gIgnore = this.gIgnore;
    const gOrder = this.gOrder;
    const gtTaken = this.gtTaken;
    const ious = this.ious;
    for (let g = 0; g < G; g++) {
      const gt = gts[g] as CocoAnnotation;
      const [gx, gy, gw, gh] = gt.bbox;
      const crowd = gt.iscrowd !== 0;
      for (let d = 0; d < D; d++) {
        const [dx, dy, dw, dh] = (dts[order[d] as number] as CocoDetection).bbox;
        ious[d * G + g] = pairIou(dx, dy, dw, dh, gx, gy, gw, gh, crowd);
      }
    }

    const out = this.outcomeEnd;
    for (let a = 0; a < A; a++) {
      const [lo, hi] = COCO_AREA_RANGES[a] as readonly [number, number];
      let kept = 0;
      for (let g = 0; g < G; g++) {
        const gt = gts[g] as CocoAnnotation;
        gIgnore[g] = gt.iscrowd !== 0 || gt.area < lo || gt.area > hi ? 1 : 0;
        if (gIgnore[g] === 0) gOrder[kept++] = g;
      }
      this.counted[c * A + a] = kept;
      // Ground truths not ignored first, file order kept within each group (a stable sort on the flag).
      let j = kept;
      for (let g = 0; g < G; g++) if (gIgnore[g] === 1) gOrder[j++] = g;
      for (let t = 0; t < T; t++) {
        gtTaken.fill(0, 0, G);
        const row = out + (a * T + t) * D;
        for (let d = 0; d < D; d++) {
          let matched = -1; // a ground-truth index
          let best = this.thresholds[t] as number;
          for (let k = 0; k < G; k++) {
            const g = gOrder[k] as number;
            if (gtTaken[g] === 1 && (gts[g] as CocoAnnotation).iscrowd === 0) continue;
            if (matched > -1 && gIgnore[matched] === 0 && gIgnore[g] === 1) break;
            const iou = ious[d * G + g] as number;
            if (iou < best) continue;
            best = iou;
            matched = g;
          }
          let outcome = FP;
          let unmatched = true;
          if (matched > -1) {
            gtTaken[matched] = 1;
            // pycocotools stores the ground truth's id as the match, so a ground truth with id 0 reads as unmatched.
            unmatched = (gts[matched] as CocoAnnotation).id === 0;
            outcome = gIgnore[matched] === 1 ? IGNORED : unmatched ? FP : TP;
          }
          const area = dtArea[d] as number;
          if (unmatched && (area < lo || area > hi)) outcome = IGNORED;
          outcomes[row + d] = outcome;
        }
      }
    }
    this.scoreEnd += D;
    this.outcomeEnd += A * T * D;
  }
}
