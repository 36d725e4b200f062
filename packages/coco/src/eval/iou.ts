/**
 * IoU of a detection and a ground-truth box (`x, y, w, h`) exactly as pycocotools' `bbIou`
 * (maskApi.c) computes it, operation for operation; for a crowd the union is the detection's area.
 */
export function pairIou(
  dx: number,
  dy: number,
  dw: number,
  dh: number,
  gx: number,
  gy: number,
  gw: number,
  gh: number,
  crowd: boolean,
): number {
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const i = w * h;
  const da = dw * dh;
  return i / (crowd ? da : da + gw * gh - i);
}

/** IoU of every detection with every ground truth (`[x, y, w, h]` boxes), `[D × G]` row-major. */
export function boxIou(dts: readonly (readonly number[])[], gts: readonly (readonly number[])[], iscrowd: ArrayLike<number>): Float64Array {
  const n = gts.length;
  const out = new Float64Array(dts.length * n);
  dts.forEach((d, i) => {
    gts.forEach((g, j) => {
      out[i * n + j] = pairIou(
        d[0] as number,
        d[1] as number,
        d[2] as number,
        d[3] as number,
        g[0] as number,
        g[1] as number,
        g[2] as number,
        g[3] as number,
        iscrowd[j] !== 0,
      );
    });
  });
  return out;
}
