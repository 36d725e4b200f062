import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoError, evaluateCoco, toResultsJson } from '../src/index.js';
import { cocoFolder, loadCocoImage, readCocoDataset, readCocoResults, readJsonFile, writeCocoResults } from '../src/node.js';
import { randomCase } from './helpers/random-cases.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coco-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading files', () => {
  it('missing file, directory, over the size cap, not JSON: one-line CocoErrors', async () => {
    await expect(readJsonFile(join(dir, 'nope.json'))).rejects.toThrow(/nope\.json does not exist/);
    await expect(readJsonFile(dir)).rejects.toThrow(/is not a regular file/);
    await writeFile(join(dir, 'big.json'), JSON.stringify({ x: 'y'.repeat(200) }));
    await expect(readJsonFile(join(dir, 'big.json'), { maxBytes: 100 })).rejects.toThrow(
      /big\.json is 208 bytes, more than the limit of 100 bytes/,
    );
    await writeFile(join(dir, 'bad.json'), '{"images": [1, 2');
    const e = await readJsonFile(join(dir, 'bad.json')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CocoError);
    expect((e as CocoError).message).toMatch(/bad\.json is not valid JSON/);
  });
});

describe('round trip: dataset → results JSON → evaluation', () => {
  it('perfect detections in resized-input coordinates come back in image pixels and score AP 1', async () => {
    const { gt: json } = randomCase(3, { images: 20, categories: 4, crowdShare: 0 });
    await writeFile(join(dir, 'gt.json'), JSON.stringify(json));
    const gt = await readCocoDataset(join(dir, 'gt.json'));
    // The model saw every image at half size and reports labels, not category ids.
    const detections = gt.annotations.map((a, i) => {
      const [x, y, w, h] = a.bbox;
      return {
        imageId: a.imageId,
        label: gt.labelOf(a.categoryId),
        bbox: [x / 2, y / 2, w / 2, h / 2] as [number, number, number, number],
        score: 1 - i / 1000,
        inputSize: { width: gt.image(a.imageId).width / 2, height: gt.image(a.imageId).height / 2 },
      };
    });
    const rows = toResultsJson(detections, gt);
    expect(Object.keys(rows[0] as object)).toEqual(['image_id', 'category_id', 'bbox', 'score']);
    rows.forEach((r, i) => expect(r.bbox).toEqual([...(gt.annotations[i]?.bbox ?? [])]));
    await writeCocoResults(join(dir, 'results.json'), rows);
    expect(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'))).toEqual(rows);
    const back = await readCocoResults(join(dir, 'results.json'), gt);
    const stats = evaluateCoco(gt, back).stats;
    expect(stats[0]).toBeCloseTo(1, 12);
    expect(stats[8]).toBeCloseTo(1, 12);
  });

  it('a detection without category or label is refused', () => {
    const { gt: json } = randomCase(3, { images: 2 });
    return import('../src/index.js').then(({ CocoDataset }) => {
      const gt = CocoDataset.fromJson(json);
      expect(() => toResultsJson([{ imageId: gt.imageIds[0] as number, bbox: [0, 0, 1, 1], score: 1 }], gt)).toThrow(
        /detections\[0\] needs categoryId or label/,
      );
    });
  });
});

describe('images through sharp', () => {
  it('loads grey and RGB, and checks the size against the instances file', async () => {
    await mkdir(join(dir, 'images'), { recursive: true });
    const pixels = Uint8Array.from({ length: 6 * 4 }, (_, i) => i * 10);
    await sharp(pixels, { raw: { width: 6, height: 4, channels: 1 } })
      .png()
      .toFile(join(dir, 'images', 'a.png'));
    const gt = (await import('../src/index.js')).CocoDataset.fromJson({
      images: [
        { id: 1, width: 6, height: 4, file_name: 'a.png' },
        { id: 2, width: 7, height: 4, file_name: 'a.png' },
      ],
      annotations: [],
      categories: [{ id: 1, name: 'x' }],
    });
    const folder = cocoFolder(gt, join(dir, 'images'));
    const grey = await folder.load(1, { channels: 1 });
    expect(Array.from(grey.pixels)).toEqual(Array.from(pixels));
    const rgb = await loadCocoImage(join(dir, 'images'), gt.image(1));
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.pixels.subarray(0, 6))).toEqual([0, 0, 0, 10, 10, 10]);
    await expect(folder.load(2)).rejects.toThrow(/is 6×4 but the instances file says 7×4/);
  });
});
