import { type Box, iou } from './box-coding.js';

/**
 * Greedy non-maximum suppression: visits boxes by descending score (ties: lower index first) and
 * keeps a box unless it overlaps an already kept one with IoU > `iouThreshold`. Returns the kept
 * indices in that order, at most `maxKeep`.
 */
export function nms(boxes: readonly Box[], scores: ArrayLike<number>, iouThreshold: number, maxKeep = Number.POSITIVE_INFINITY): number[] {
  const order = Array.from({ length: boxes.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxKeep) break;
    const box = boxes[i] as Box;
    if (kept.every((k) => iou(box, boxes[k] as Box) <= iouThreshold)) kept.push(i);
  }
  return kept;
}

/**
 * NMS run separately per class (boxes of different classes never suppress each other); returns
 * indices over all classes ordered by descending score, at most `maxKeep`.
 */
export function classwiseNms(
  boxes: readonly Box[],
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  iouThreshold: number,
  maxKeep = Number.POSITIVE_INFINITY,
): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < boxes.length; i++) {
    const l = labels[i] as number;
    const list = byClass.get(l);
    if (list === undefined) byClass.set(l, [i]);
    else list.push(i);
  }
  const kept: number[] = [];
  for (const members of byClass.values()) {
    const keep = nms(
      members.map((i) => boxes[i] as Box),
      members.map((i) => scores[i] as number),
      iouThreshold,
      maxKeep,
    );
    for (const k of keep) kept.push(members[k] as number);
  }
  kept.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return kept.slice(0, maxKeep);
}
