import sharp from 'sharp';

/** One detection in image pixels: `[x, y, w, h]` (COCO order), its class label (0-based) and score. */
export interface DrawnDetection {
  readonly bbox: readonly [number, number, number, number];
  readonly label: number;
  readonly score: number;
}

/** Decoded pixels, HWC bytes. */
export interface RawImage {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

/** Ten well-separated colours (Tableau 10), one per class, cycling. */
export const BOX_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

export function colourOf(label: number): string {
  return BOX_COLOURS[((label % BOX_COLOURS.length) + BOX_COLOURS.length) % BOX_COLOURS.length] as string;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

/** The caption drawn above a box: class name and score, e.g. `Sneaker 0.87`. */
export function captionOf(d: DrawnDetection, classNames: readonly string[]): string {
  return `${classNames[d.label] ?? `class ${d.label}`} ${d.score.toFixed(2)}`;
}

/**
 * An SVG the size of the image with one outlined rectangle per detection (stroke `lineWidth` px,
 * drawn inside the box so that its outer edge is the box edge) and a filled caption tab above it
 * (below its top edge when the box touches the image top).
 */
export function overlaySvg(
  width: number,
  height: number,
  detections: readonly DrawnDetection[],
  classNames: readonly string[],
  lineWidth = 2,
): string {
  const font = Math.max(9, Math.round(Math.min(width, height) / 24));
  const parts = detections.map((d) => {
    const [x, y, w, h] = d.bbox;
    const colour = colourOf(d.label);
    const caption = escapeXml(captionOf(d, classNames));
    const half = lineWidth / 2;
    const tabW = Math.ceil(caption.length * font * 0.6) + 4;
    const tabH = font + 3;
    const tabY = y - tabH >= 0 ? y - tabH : y;
    return [
      `<rect x="${x + half}" y="${y + half}" width="${Math.max(0, w - lineWidth)}" height="${Math.max(0, h - lineWidth)}" fill="none" stroke="${colour}" stroke-width="${lineWidth}"/>`,
      `<rect x="${x}" y="${tabY}" width="${tabW}" height="${tabH}" fill="${colour}"/>`,
      `<text x="${x + 2}" y="${tabY + font}" font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="#ffffff">${caption}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** The image as an RGB PNG with the detections drawn (boxes in class colours, name and score captions). */
export async function drawDetections(
  image: RawImage,
  detections: readonly DrawnDetection[],
  classNames: readonly string[],
): Promise<Buffer> {
  const svg = overlaySvg(image.width, image.height, detections, classNames);
  const base = await sharp(Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .toColourspace('srgb')
    .png()
    .toBuffer();
  return sharp(base)
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .removeAlpha()
    .png()
    .toBuffer();
}

/** One printed line per detection: `Sneaker 0.87 [x y w h]` in image pixels. */
export function formatDetection(d: DrawnDetection, classNames: readonly string[]): string {
  return `${captionOf(d, classNames)} [${d.bbox.map((v) => v.toFixed(1)).join(' ')}]`;
}
