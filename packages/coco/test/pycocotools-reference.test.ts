import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS, CocoDataset, type CocoEvalResult, evaluateCoco, parseResults } from '../src/index.js';
import {
  buildCase,
  type CaseData,
  IOU_0626_CASE,
  REFERENCE_SPECS,
  type ReferenceCase,
  type ReferenceOutput,
  runPycocotools,
} from './helpers/reference-cases.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/pycocotools-reference.json', import.meta.url), 'utf8')) as ReferenceOutput & {
  specs: unknown;
};

function evaluateCase(c: CaseData): CocoEvalResult {
  const gt = CocoDataset.fromJson(c.gt, c.name);
  return evaluateCoco(gt, parseResults(c.results, gt, c.name));
}

const sha256 = (a: Float64Array) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

/** Bit-exact agreement with pycocotools on everything it reports. */
function expectSameAsPycocotools(ours: CocoEvalResult, ref: ReferenceCase): void {
  expect(ours.stats).toEqual(ref.stats);
  expect(ours.summarize()).toBe(ref.summary);
  expect([...ours.counts]).toEqual(ref.counts);
  expect(Array.from(ours.recall)).toEqual(ref.recall);
  expect(ours.perCategoryAP()).toEqual(ref.perCategoryAP);
  expect(sha256(ours.precision)).toBe(ref.precisionSha256);
  expect(sha256(ours.scores)).toBe(ref.scoresSha256);
}

describe(`committed pycocotools ${fixture.pycocotools} reference (numpy ${fixture.numpy})`, () => {
  it('the fixture was built from the specs this test rebuilds', () => {
    expect(fixture.specs).toEqual(REFERENCE_SPECS);
    expect(fixture.cases.map((c) => c.name)).toEqual([IOU_0626_CASE.name, ...REFERENCE_SPECS.map((s) => s.name)]);
  });

  it('IoU and recall thresholds are the same floats as np.linspace makes (0.8999999999999999, not 0.9)', () => {
    expect([...COCO_IOU_THRESHOLDS]).toEqual(fixture.iouThrs);
    expect([...COCO_RECALL_THRESHOLDS]).toEqual(fixture.recThrs);
    expect(COCO_IOU_THRESHOLDS[8]).not.toBe(0.9);
  });

  it('one 100×100 box and a detection at IoU 0.626 give [0.3, 1, 0, -1, -1, 0.3, 0.3, 0.3, 0.3, -1, -1, 0.3]', () => {
    const ours = evaluateCase(IOU_0626_CASE);
    const expected = [0.3, 1.0, 0.0, -1, -1, 0.3, 0.3, 0.3, 0.3, -1, -1, 0.3];
    ours.stats.forEach((s, i) => expect(s).toBeCloseTo(expected[i] as number, 12));
    expectSameAsPycocotools(ours, fixture.cases[0] as ReferenceCase);
  });

  for (const [i, spec] of REFERENCE_SPECS.entries()) {
    it(`${spec.name}: stats, summary, recall, precision and scores arrays equal pycocotools bit for bit`, () => {
      expectSameAsPycocotools(evaluateCase(buildCase(spec)), fixture.cases[i + 1] as ReferenceCase);
    });
  }
});

const python = process.env.ADAPTNET_PYTHON;
describe.skipIf(python === undefined || python === '')(
  'live pycocotools on fresh random cases (set ADAPTNET_PYTHON to a Python with pycocotools and numpy to run)',
  () => {
    it('fresh seeds agree bit for bit', async () => {
      const base = Date.now() % 1_000_000;
      const cases = [
        buildCase({ name: `live-${base}`, seed: base }),
        buildCase({ name: `live-ties-${base + 1}`, seed: base + 1, options: { tiedScores: true, crowdedShare: 0.3, crowdShare: 0.25 } }),
        buildCase({ name: `live-many-${base + 2}`, seed: base + 2, options: { images: 200, categories: 9 } }),
      ];
      const reference = await runPycocotools(python as string, cases);
      for (const [i, c] of cases.entries()) {
        // The seed is in the case name, so a failure can be replayed.
        expect(reference.cases[i]?.name).toBe(c.name);
        expectSameAsPycocotools(evaluateCase(c), reference.cases[i] as ReferenceCase);
      }
    }, 120_000);
  },
);
