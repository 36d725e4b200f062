import type { CocoAnnotation, CocoDataset } from '../dataset.js';
import { CocoError } from '../errors.js';
import type { CocoDetection } from '../results.js';
import { CellStore, FP, sortByScoreDescending, TP } from './match.js';
import { numpyMean } from './numpy.js';
import {
  type AreaLabel,
  COCO_AREA_LABELS,
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
} from './params.js';
import { summaryLines } from './summarize.js';

export interface CocoEvalOptions {
  /** Evaluate these images only (default: every ground-truth image). */
  readonly imgIds?: readonly number[];
  /** Evaluate these categories only (default: every ground-truth category). */
  readonly catIds?: readonly number[];
}

/** Parameters an evaluation ran with (pycocotools' `params`). */
export interface CocoEvalParams {
  readonly iouThrs: readonly number[];
  readonly recThrs: readonly number[];
  readonly maxDets: readonly number[];
  readonly areaRng: readonly (readonly [number, number])[];
  readonly areaRngLbl: readonly AreaLabel[];
  /** Ascending, unique. */
  readonly imgIds: readonly number[];
  /** Ascending, unique. */
  readonly catIds: readonly number[];
}

/** pycocotools' accumulated `eval`: row-major arrays with −1 where a category has no ground truth. */
export interface CocoEvalResult {
  readonly params: CocoEvalParams;
  /** [T, R, K, A, M]: IoU thresholds, recall points, categories, area ranges, max detections. */
  readonly counts: readonly [number, number, number, number, number];
  /** Interpolated precision, shape [T, R, K, A, M]. */
  readonly precision: Float64Array;
  /** Recall, shape [T, K, A, M]. */
  readonly recall: Float64Array;
  /** Score at each recall point, shape [T, R, K, A, M]. */
  readonly scores: Float64Array;
  /** The 12 summary numbers in pycocotools' order (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl). */
  readonly stats: readonly number[];
  /** AP@[.50:.95] (area all, 100 detections) of one category; −1 when it has no ground truth. */
  categoryAP(categoryId: number): number;
  /** `categoryAP` of every evaluated category, ascending id. */
  perCategoryAP(): { categoryId: number; ap: number }[];
  /** Precision at [t, r, k, a, m]. */
  precisionAt(t: number, r: number, k: number, a: number, m: number): number;
  /** The 12-line table `COCOeval.summarize()` prints, in its wording. */
  summarize(): string;
}

const EPS = 2.220446049250313e-16; // np.spacing(1)

function uniqueSorted(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * COCO detection evaluation (pycocotools `COCOeval`, iouType 'bbox'): per image and category,
 * greedy matching by score at IoU .50:.05:.95 with crowd regions and area ranges, then 101-point
 * interpolated precision and recall per category, area range and detection budget. Reproduces
 * pycocotools' numbers exactly, including its float thresholds and numpy's summation order.
 */
export function evaluateCoco(gt: CocoDataset, detections: readonly CocoDetection[], options: CocoEvalOptions = {}): CocoEvalResult {
  const imgIds = uniqueSorted(options.imgIds ?? gt.imageIds);
  const catIds = uniqueSorted(options.catIds ?? gt.categoryIds);
  for (const id of imgIds) {
    if (!gt.hasImage(id)) throw new CocoError('E_COCO_ARGUMENT', `imgIds contains ${id}, which is not a ground-truth image`);
  }
  for (const id of catIds) {
    if (!gt.hasCategory(id)) {
      const allowed = gt.categoryIds.join(', ');
      throw new CocoError('E_COCO_ARGUMENT', `catIds contains ${id}, which is not a ground-truth category; allowed: ${allowed}`);
    }
  }
  const iouThrs = COCO_IOU_THRESHOLDS;
  const recThrs = COCO_RECALL_THRESHOLDS;
  const maxDets = COCO_MAX_DETS;
  const T = iouThrs.length;
  const R = recThrs.length;
  const K = catIds.length;
  const A = COCO_AREA_RANGES.length;
  const M = maxDets.length;
  const I = imgIds.length;
  const imgIndex = new Map(imgIds.map((id, i) => [id, i]));
  const catIndex = new Map(catIds.map((id, k) => [id, k]));

  // Ground truths and detections per (category, image), file order within each.
  const gtCells = new Map<number, CocoAnnotation[]>();
  const dtCells = new Map<number, CocoDetection[]>();
  const push = <V>(cells: Map<number, V[]>, key: number, v: V) => {
    const list = cells.get(key);
    if (list === undefined) cells.set(key, [v]);
    else list.push(v);
  };
  for (const imgId of imgIds) {
    for (const a of gt.annotationsOf(imgId)) {
      const k = catIndex.get(a.categoryId);
      if (k !== undefined) push(gtCells, k * I + (imgIndex.get(imgId) as number), a);
    }
  }
  for (const d of detections) {
    const i = imgIndex.get(d.imageId);
    const k = catIndex.get(d.categoryId);
    if (i !== undefined && k !== undefined) push(dtCells, k * I + i, d);
  }

  const maxDet = maxDets[M - 1] as number;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);

  const store = new CellStore(iouThrs);
  for (let k = 0; k < K; k++) {
    store.reset();
    for (let i = 0; i < I; i++) {
      const gts = gtCells.get(k * I + i);
      const dts = dtCells.get(k * I + i);
      if (gts === undefined && dts === undefined) continue;
      store.add(gts ?? [], dts ?? [], maxDet);
    }
    const cells = store.count;
    if (cells === 0) continue;
    const { sizes, scoreStart, outcomeStart, counted } = store;
    for (let m = 0; m < M; m++) {
      const budget = maxDets[m] as number;
      // Each image's top `budget` detections in image order, then a stable sort by score.
      let nd = 0;
      for (let c = 0; c < cells; c++) nd += Math.min(budget, sizes[c] as number);
      const cellOf = new Int32Array(nd);
      const within = new Int32Array(nd);
      const allScores = new Float64Array(nd);
      let n = 0;
      for (let c = 0; c < cells; c++) {
        const count = Math.min(budget, sizes[c] as number);
        const start = scoreStart[c] as number;
        for (let d = 0; d < count; d++, n++) {
          cellOf[n] = c;
          within[n] = d;
          allScores[n] = store.scores[start + d] as number;
        }
      }
      const order = new Int32Array(nd);
      for (let j = 0; j < nd; j++) order[j] = j;
      sortByScoreDescending(order, nd, allScores);
      const sortedScores = new Float64Array(nd);
      for (let j = 0; j < nd; j++) sortedScores[j] = allScores[order[j] as number] as number;
      // Outcomes in score order, gathered once per detection for every (area range, threshold): [(a·T + t)·nd + j].
      const AT = A * T;
      const sorted = new Uint8Array(AT * nd);
      const outcomes = store.outcomes;
      for (let j = 0; j < nd; j++) {
        const idx = order[j] as number;
        const c = cellOf[idx] as number;
        const D = sizes[c] as number;
        let src = (outcomeStart[c] as number) + (within[idx] as number);
        for (let at = 0; at < AT; at++, src += D) sorted[at * nd + j] = outcomes[src] as number;
      }
      const rc = new Float64Array(nd);
      const pr = new Float64Array(nd);
      for (let a = 0; a < A; a++) {
        let npig = 0;
        for (let c = 0; c < cells; c++) npig += counted[c * A + a] as number;
        if (npig === 0) continue;
        for (let t = 0; t < T; t++) {
          const row = (a * T + t) * nd;
          let tp = 0;
          let fp = 0;
          for (let j = 0; j < nd; j++) {
            const outcome = sorted[row + j];
            if (outcome === TP) tp++;
            else if (outcome === FP) fp++;
            rc[j] = tp / npig;
            pr[j] = tp / (fp + tp + EPS);
          }
          recall[((t * K + k) * A + a) * M + m] = nd > 0 ? (rc[nd - 1] as number) : 0;
          for (let j = nd - 1; j > 0; j--) if ((pr[j] as number) > (pr[j - 1] as number)) pr[j - 1] = pr[j] as number;
          // np.searchsorted(rc, recThrs, side='left'); recall points past the last detection stay 0.
          let j = 0;
          for (let r = 0; r < R; r++) {
            const thr = recThrs[r] as number;
            while (j < nd && (rc[j] as number) < thr) j++;
            const at = (((t * R + r) * K + k) * A + a) * M + m;
            precision[at] = j < nd ? (pr[j] as number) : 0;
            scores[at] = j < nd ? (sortedScores[j] as number) : 0;
          }
        }
      }
    }
  }

  const params: CocoEvalParams = {
    iouThrs,
    recThrs,
    maxDets,
    areaRng: COCO_AREA_RANGES,
    areaRngLbl: COCO_AREA_LABELS,
    imgIds,
    catIds,
  };
  const dims = { T, R, K, A, M };
  const stats = summaryStats(precision, recall, params, dims);
  const categoryAP = (categoryId: number): number => {
    const k = catIndex.get(categoryId);
    if (k === undefined) throw new CocoError('E_COCO_ARGUMENT', `category ${categoryId} was not evaluated; allowed: ${catIds.join(', ')}`);
    return meanAbove(selectPrecision(precision, dims, { k: [k], a: 0, m: M - 1 }));
  };
  return {
    params,
    counts: [T, R, K, A, M],
    precision,
    recall,
    scores,
    stats,
    categoryAP,
    perCategoryAP: () => catIds.map((categoryId) => ({ categoryId, ap: categoryAP(categoryId) })),
    precisionAt: (t, r, k, a, m) => precision[(((t * R + r) * K + k) * A + a) * M + m] as number,
    summarize: () => summaryLines(stats, params).join('\n'),
  };
}

interface Dims {
  readonly T: number;
  readonly R: number;
  readonly K: number;
  readonly A: number;
  readonly M: number;
}

/** `precision[t, :, k, a, m]` flattened in numpy's C order (t, then r, then k). */
function selectPrecision(
  precision: Float64Array,
  { T, R, K, A, M }: Dims,
  sel: { t?: number[]; k?: number[]; a: number; m: number },
): number[] {
  const ts = sel.t ?? [...Array(T).keys()];
  const ks = sel.k ?? [...Array(K).keys()];
  const out: number[] = [];
  for (const t of ts)
    for (let r = 0; r < R; r++) for (const k of ks) out.push(precision[(((t * R + r) * K + k) * A + sel.a) * M + sel.m] as number);
  return out;
}

/** `np.mean(s[s > -1])`, or −1 when nothing is above −1. */
function meanAbove(values: readonly number[]): number {
  const kept = values.filter((v) => v > -1);
  return kept.length === 0 ? -1 : numpyMean(kept);
}

/** `COCOeval._summarizeDets`. */
function summaryStats(precision: Float64Array, recall: Float64Array, p: CocoEvalParams, dims: Dims): number[] {
  const { T, K, A, M } = dims;
  const areaIndex = (label: AreaLabel) => p.areaRngLbl.indexOf(label);
  const maxDetIndex = (n: number) => p.maxDets.indexOf(n);
  const thrIndex = (thr: number | undefined) => (thr === undefined ? undefined : p.iouThrs.flatMap((v, t) => (v === thr ? [t] : [])));
  const ap = (iouThr?: number, area: AreaLabel = 'all', maxDets = 100) =>
    meanAbove(
      selectPrecision(precision, dims, {
        ...(iouThr === undefined ? {} : { t: thrIndex(iouThr) }),
        a: areaIndex(area),
        m: maxDetIndex(maxDets),
      }),
    );
  const ar = (iouThr?: number, area: AreaLabel = 'all', maxDets = 100) => {
    const a = areaIndex(area);
    const m = maxDetIndex(maxDets);
    const ts = thrIndex(iouThr) ?? [...Array(T).keys()];
    const values: number[] = [];
    for (const t of ts) for (let k = 0; k < K; k++) values.push(recall[((t * K + k) * A + a) * M + m] as number);
    return meanAbove(values);
  };
  const [m0, m1, m2] = p.maxDets as [number, number, number];
  return [
    ap(),
    ap(0.5, 'all', m2),
    ap(0.75, 'all', m2),
    ap(undefined, 'small', m2),
    ap(undefined, 'medium', m2),
    ap(undefined, 'large', m2),
    ar(undefined, 'all', m0),
    ar(undefined, 'all', m1),
    ar(undefined, 'all', m2),
    ar(undefined, 'small', m2),
    ar(undefined, 'medium', m2),
    ar(undefined, 'large', m2),
  ];
}
