import { ConfigError } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import { type Box, decodeLtrb, levelPoints } from './box-coding.js';
import { classwiseNms } from './nms.js';
import type { LevelShape } from './targets.js';

export interface PostprocessOptions {
  /** Minimum score √(σ(class) · σ(centre-ness)) of a detection. Default 0.05. */
  readonly scoreThreshold?: number;
  /** Best candidates per image before NMS. Default 1000. */
  readonly preNmsTopK?: number;
  /** Default 0.6. */
  readonly iouThreshold?: number;
  /** Detections kept per image. Default 100 (COCO's limit). */
  readonly maxDetections?: number;
}

/** Where an image sits in the network's input: resized by `scaleX`/`scaleY` and placed at the top left. */
export interface ImageGeometry {
  /** Original image size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Input pixels per original pixel, horizontally and vertically. */
  readonly scaleX: number;
  readonly scaleY: number;
}

export interface Detection {
  /** Contiguous class index 0..K-1. */
  readonly label: number;
  readonly score: number;
  /** `[x1, y1, x2, y2]` in original image pixels. */
  readonly box: Box;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Turns the detector's output `[N, P, K + 5]` into detections per image: score threshold, top-k,
 * box decoding from each point and level stride, clipping to the image, class-wise NMS, at most
 * `maxDetections`, and boxes in original image coordinates (divided by the image's scales).
 */
export function postprocess(
  output: tf.Tensor,
  levels: readonly LevelShape[],
  images: readonly ImageGeometry[],
  numClasses: number,
  options: PostprocessOptions = {},
): Detection[][] {
  const threshold = options.scoreThreshold ?? 0.05;
  const topK = options.preNmsTopK ?? 1000;
  const iouThreshold = options.iouThreshold ?? 0.6;
  const maxDetections = options.maxDetections ?? 100;
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new ConfigError(`iouThreshold must be in [0, 1], got ${iouThreshold}`);
  if (!Number.isInteger(maxDetections) || maxDetections < 1)
    throw new ConfigError(`maxDetections must be a positive integer, got ${maxDetections}`);
  const [n, p, d] = output.shape as [number, number, number];
  if (output.rank !== 3 || d !== numClasses + 5)
    throw new ConfigError(`output must be [N, P, ${numClasses + 5}], got [${output.shape.join(', ')}]`);
  if (images.length !== n) throw new ConfigError(`${images.length} image geometries for a batch of ${n}`);
  const points = new Float32Array(p * 2);
  const strides = new Float32Array(p);
  let offset = 0;
  for (const l of levels) {
    points.set(levelPoints(l.height, l.width, l.stride), offset * 2);
    strides.fill(l.stride, offset, offset + l.height * l.width);
    offset += l.height * l.width;
  }
  if (offset !== p) throw new ConfigError(`the levels hold ${offset} points, the output ${p}`);
  const data = output.dataSync();
  return images.map((geo, b) => {
    const cand: { point: number; label: number; score: number }[] = [];
    for (let q = 0; q < p; q++) {
      const row = (b * p + q) * d;
      const ctr = sigmoid(data[row + numClasses + 4] as number);
      for (let k = 0; k < numClasses; k++) {
        const score = Math.sqrt(sigmoid(data[row + k] as number) * ctr);
        if (score > threshold) cand.push({ point: q, label: k, score });
      }
    }
    cand.sort((a, c) => c.score - a.score);
    const top = cand.slice(0, topK);
    const boxes = top.map(({ point }): Box => {
      const row = (b * p + point) * d + numClasses;
      const ltrb = [data[row], data[row + 1], data[row + 2], data[row + 3]] as number[];
      const [x1, y1, x2, y2] = decodeLtrb(points[2 * point] as number, points[2 * point + 1] as number, ltrb, strides[point] as number);
      const clipX = (v: number): number => Math.min(Math.max(v / geo.scaleX, 0), geo.width);
      const clipY = (v: number): number => Math.min(Math.max(v / geo.scaleY, 0), geo.height);
      return [clipX(x1), clipY(y1), clipX(x2), clipY(y2)];
    });
    const keep = classwiseNms(
      boxes,
      top.map((c) => c.score),
      top.map((c) => c.label),
      iouThreshold,
      maxDetections,
    );
    return keep.map((i) => ({
      label: (top[i] as { label: number }).label,
      score: (top[i] as { score: number }).score,
      box: boxes[i] as Box,
    }));
  });
}

/** Detections of one image as `@adaptnet/coco` inputs (`[x, y, w, h]` in image pixels). */
export function toCocoDetections(
  imageId: number,
  detections: readonly Detection[],
): { imageId: number; label: number; bbox: [number, number, number, number]; score: number }[] {
  return detections.map((d) => ({
    imageId,
    label: d.label,
    score: d.score,
    bbox: [d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]],
  }));
}
