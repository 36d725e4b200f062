/**
 * Box IoU exactly as pycocotools' `bbIou` (maskApi.c) computes it, operation for operation; for a
 * crowd ground truth the union is the detection's own area. Boxes are `[x, y, w, h]`.
 * Returns `[D × G]` row-major.
 */
export function boxIou(dts: readonly (readonly number[])[], gts: readonly (readonly number[])[], iscrowd: ArrayLike<number>): Float64Array {
  const m = dts.length;
  const n = gts.length;
  const out = new Float64Array(m * n);
  for (let g = 0; g < n; g++) {
    const G = gts[g] as readonly number[];
    const gx = G[0] as number;
    const gy = G[1] as number;
    const gw = G[2] as number;
    const gh = G[3] as number;
    const ga = gw * gh;
    const crowd = iscrowd[g] !== 0;
    for (let d = 0; d < m; d++) {
      const D = dts[d] as readonly number[];
      const dx = D[0] as number;
      const dy = D[1] as number;
      const dw = D[2] as number;
      const dh = D[3] as number;
      const da = dw * dh;
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w <= 0) continue;
      const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (h <= 0) continue;
      const i = w * h;
      const u = crowd ? da : da + ga - i;
      out[d * n + g] = i / u;
    }
  }
  return out;
}
