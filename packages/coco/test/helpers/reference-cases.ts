import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CocoInstancesJson, CocoResultJson } from '../../src/index.js';
import { type RandomCaseOptions, randomCase } from './random-cases.js';

export interface CaseSpec {
  readonly name: string;
  readonly seed?: number;
  readonly options?: Partial<RandomCaseOptions>;
}

export interface CaseData {
  readonly name: string;
  readonly gt: CocoInstancesJson;
  readonly results: CocoResultJson[];
}

/** pycocotools' answer for one case (see scripts/pycocotools-reference.py). */
export interface ReferenceCase {
  readonly name: string;
  readonly stats: number[];
  readonly summary: string;
  readonly recall: number[];
  readonly perCategoryAP: { categoryId: number; ap: number }[];
  readonly counts: number[];
  readonly precisionSha256: string;
  readonly scoresSha256: string;
  /** Wall time of COCO() + loadRes, and of evaluate() + accumulate(). */
  readonly seconds?: { load: number; evaluateAccumulate: number };
}

export interface ReferenceOutput {
  readonly pycocotools: string;
  readonly numpy: string;
  readonly iouThrs: number[];
  readonly recThrs: number[];
  readonly cases: ReferenceCase[];
}

/** One 100×100 ground truth and one detection [0, 0, 100, 62.6]: IoU 0.626. */
export const IOU_0626_CASE: CaseData = {
  name: 'iou-0.626',
  gt: {
    images: [{ id: 1, width: 200, height: 200, file_name: '1.jpg' }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 100, 100], area: 10000, iscrowd: 0 }],
    categories: [{ id: 1, name: 'box' }],
  },
  results: [{ image_id: 1, category_id: 1, bbox: [0, 0, 100, 62.6], score: 0.9 }],
};

/** The committed fixture's random cases: seeds and shapes (data rebuilt by `randomCase`). */
export const REFERENCE_SPECS: readonly CaseSpec[] = [
  ...[1, 2, 3, 4, 5, 6].map((seed) => ({ name: `random-${seed}`, seed })),
  { name: 'many-images', seed: 11, options: { images: 400, categories: 12, maxGt: 6 } },
  { name: 'crowded-over-100', seed: 12, options: { images: 25, crowdedShare: 0.6 } },
  { name: 'tied-scores', seed: 13, options: { images: 60, tiedScores: true, crowdedShare: 0.2 } },
  { name: 'crowd-heavy', seed: 14, options: { images: 60, crowdShare: 0.4 } },
  { name: 'one-category', seed: 15, options: { images: 80, categories: 1, maxGt: 12 } },
  { name: 'gt-id-zero', seed: 16, options: { images: 20, zeroGtId: true } },
];

export function buildCase(spec: CaseSpec): CaseData {
  return { name: spec.name, ...randomCase(spec.seed ?? 0, spec.options) };
}

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'pycocotools-reference.py');

/** Runs scripts/pycocotools-reference.py with `python` on the cases. */
export async function runPycocotools(python: string, cases: readonly CaseData[]): Promise<ReferenceOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'coco-ref-'));
  try {
    const list = [];
    for (const [i, c] of cases.entries()) {
      await writeFile(join(dir, `gt-${i}.json`), JSON.stringify(c.gt));
      await writeFile(join(dir, `results-${i}.json`), JSON.stringify(c.results));
      list.push({ name: c.name, gt: `gt-${i}.json`, results: `results-${i}.json` });
    }
    await writeFile(join(dir, 'cases.json'), JSON.stringify({ cases: list }));
    await promisify(execFile)(python, [SCRIPT, join(dir, 'cases.json'), join(dir, 'out.json')], { maxBuffer: 1 << 26 });
    return JSON.parse(await readFile(join(dir, 'out.json'), 'utf8')) as ReferenceOutput;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
