/**
 * COCO evaluation speed: a COCO-val-sized load (5,000 images × 100 detections, 80 categories) read,
 * validated and evaluated by @adaptnet/coco; with ADAPTNET_PYTHON (a Python with pycocotools), the
 * same files through pycocotools too, the stats compared and the speed ratio reported.
 *   pnpm --filter @adaptnet/coco bench      (ADAPTNET_BENCH_IMAGES=1000 for a shorter run)
 * Writes bench-results/eval.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCoco } from '../src/index.js';
import { readCocoDataset, readCocoResults } from '../src/node.js';
import { runPycocotools } from '../test/helpers/reference-cases.js';
import { cocoLikeCase } from './coco-like.js';

const images = Number(process.env.ADAPTNET_BENCH_IMAGES ?? 5000);
const detsPerImage = 100;
const { gt, results } = cocoLikeCase(1, images, detsPerImage);
const dir = await mkdtemp(join(tmpdir(), 'coco-bench-'));
const seconds = (t0: number) => (performance.now() - t0) / 1000;
try {
  await writeFile(join(dir, 'gt.json'), JSON.stringify(gt));
  await writeFile(join(dir, 'results.json'), JSON.stringify(results));
  let t0 = performance.now();
  const dataset = await readCocoDataset(join(dir, 'gt.json'));
  const detections = await readCocoResults(join(dir, 'results.json'), dataset);
  const load = seconds(t0);
  t0 = performance.now();
  const evaluation = evaluateCoco(dataset, detections);
  const evaluate = seconds(t0);
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    images,
    boxes: gt.annotations.length,
    detections: results.length,
    categories: gt.categories.length,
    adaptnet: { loadSeconds: load, evaluateSeconds: evaluate, stats: evaluation.stats },
  };
  process.stdout.write(
    `@adaptnet/coco: read+validate ${load.toFixed(2)} s, evaluate ${evaluate.toFixed(2)} s (${images} images, ${results.length} detections)\n`,
  );
  const python = process.env.ADAPTNET_PYTHON;
  if (python !== undefined && python !== '') {
    const reference = await runPycocotools(python, [{ name: 'bench', gt, results }]);
    const ref = reference.cases[0];
    const pyEvaluate = ref?.seconds?.evaluateAccumulate ?? Number.NaN;
    const identical = JSON.stringify(ref?.stats) === JSON.stringify(evaluation.stats) && ref?.summary === evaluation.summarize();
    report.pycocotools = {
      version: reference.pycocotools,
      loadSeconds: ref?.seconds?.load,
      evaluateSeconds: pyEvaluate,
      stats: ref?.stats,
    };
    report.speedup = pyEvaluate / evaluate;
    report.identicalStats = identical;
    process.stdout.write(
      `pycocotools ${reference.pycocotools}: evaluate+accumulate ${pyEvaluate.toFixed(2)} s → ${(pyEvaluate / evaluate).toFixed(1)}× faster; stats identical: ${identical}\n`,
    );
  } else {
    process.stdout.write('pycocotools not timed: set ADAPTNET_PYTHON to a Python with pycocotools and numpy\n');
  }
  await mkdir('bench-results', { recursive: true });
  await writeFile(join('bench-results', 'eval.json'), `${JSON.stringify(report, null, 2)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
