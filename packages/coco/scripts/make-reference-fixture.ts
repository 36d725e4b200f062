/**
 * Regenerates test/fixtures/pycocotools-reference.json from the real pycocotools:
 *   ADAPTNET_PYTHON=/path/to/python-with-pycocotools node --import tsx scripts/make-reference-fixture.ts
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCase, IOU_0626_CASE, REFERENCE_SPECS, runPycocotools } from '../test/helpers/reference-cases.js';

const python = process.env.ADAPTNET_PYTHON;
if (python === undefined || python === '') {
  process.stderr.write('set ADAPTNET_PYTHON to a Python with pycocotools and numpy\n');
  process.exit(2);
}
const inputs = [IOU_0626_CASE, ...REFERENCE_SPECS.map(buildCase)];
const reference = await runPycocotools(python, inputs);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'pycocotools-reference.json');
// Timings vary from run to run; the fixture keeps only the numbers.
const cases = reference.cases.map(({ seconds: _, ...rest }) => rest);
await writeFile(out, `${JSON.stringify({ ...reference, cases, specs: REFERENCE_SPECS }, null, 1)}\n`);
process.stdout.write(`wrote ${out}: ${reference.cases.length} cases (pycocotools ${reference.pycocotools}, numpy ${reference.numpy})\n`);
