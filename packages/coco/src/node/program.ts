import { Command, InvalidArgumentError } from 'commander';
import { CocoError } from '../errors.js';
import { evaluateCoco } from '../eval/evaluate.js';
import { makeFashionDetection } from './fashion-detection.js';
import { readCocoDataset, readCocoResults } from './files.js';

/** Where the CLI writes: results (stdout) and notes/errors (stderr). Tests capture them. */
export interface CliOutput {
  result(text: string): void;
  info(text: string): void;
}

const processOutput: CliOutput = {
  result: (text) => process.stdout.write(`${text}\n`),
  info: (text) => process.stderr.write(`${text}\n`),
};

function integer(name: string, min: number) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isInteger(v) || v < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got '${text}'`);
    return v;
  };
}

export function createProgram(out: CliOutput = processOutput): Command {
  const program = new Command('adaptnet-coco')
    .description('COCO detection data and the exact pycocotools bbox metric.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.result(s.replace(/\n$/, '')), writeErr: (s) => out.info(s.replace(/\n$/, '')) });

  program
    .command('eval')
    .description("evaluate COCO results against ground truth (pycocotools COCOeval, iouType 'bbox')")
    .argument('<gt>', 'instances JSON (images, annotations, categories)')
    .argument('<results>', 'results JSON: [{image_id, category_id, bbox, score}, ...]')
    .option('--json', 'print one JSON object {stats, names, perCategoryAP} instead of the table')
    .option('--max-bytes <n>', 'refuse JSON files larger than n bytes (default 536870912)', integer('--max-bytes', 1))
    .action(async (gtPath: string, resultsPath: string, flags: { json?: boolean; maxBytes?: number }) => {
      const limit = flags.maxBytes === undefined ? {} : { maxBytes: flags.maxBytes };
      const gt = await readCocoDataset(gtPath, limit);
      const detections = await readCocoResults(resultsPath, gt, limit);
      const result = evaluateCoco(gt, detections);
      if (flags.json) {
        out.result(
          JSON.stringify({
            stats: result.stats,
            names: STAT_NAMES,
            perCategoryAP: result.perCategoryAP(),
            images: result.params.imgIds.length,
            detections: detections.length,
          }),
        );
      } else {
        out.result(result.summarize());
      }
    });

  program
    .command('make-data')
    .description('write Fashion-MNIST detection (real Fashion-MNIST items on 128-320 px canvases) as a COCO folder')
    .requiredOption('-o, --out <dir>', 'output folder (must not exist): images/, annotations/instances_{train,val}.json')
    .option('--train <n>', 'training images (default 1000)', integer('--train', 0), 1000)
    .option('--val <n>', 'validation images (default 200)', integer('--val', 0), 200)
    .option('--seed <n>', 'seed (default 0)', integer('--seed', 0), 0)
    .option('--clutter <n>', 'unlabelled fragments per image (default 0)', integer('--clutter', 0), 0)
    .option('--fashion-dir <dir>', 'Fashion-MNIST IDX folder (default /usr/share/datasets/fashion-mnist)')
    .action(async (flags: { out: string; train: number; val: number; seed: number; clutter: number; fashionDir?: string }) => {
      const summary = await makeFashionDetection({
        out: flags.out,
        train: flags.train,
        val: flags.val,
        seed: flags.seed,
        clutter: flags.clutter,
        ...(flags.fashionDir === undefined ? {} : { fashionDir: flags.fashionDir }),
      });
      for (const [split, s] of Object.entries(summary.splits)) {
        out.result(`${split}: ${s.images} images, ${s.annotations} boxes (small ${s.small}, medium ${s.medium}, large ${s.large})`);
      }
      out.result(`wrote ${summary.out}`);
    });
  return program;
}

/** The 12 stats' short names, pycocotools order. */
export const STAT_NAMES: readonly string[] = Object.freeze([
  'AP',
  'AP50',
  'AP75',
  'APs',
  'APm',
  'APl',
  'AR1',
  'AR10',
  'AR100',
  'ARs',
  'ARm',
  'ARl',
]);

/** Runs the CLI and returns the exit code: 0 ok, 2 bad input (arguments, malformed files), 1 anything else. */
export async function main(argv: readonly string[], out: CliOutput = processOutput): Promise<number> {
  try {
    await createProgram(out).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // 0 for --help and --version; 2 for usage errors and a missing command (commander printed the help).
      return (e as { exitCode?: unknown }).exitCode === 0 ? 0 : 2;
    }
    out.info(`adaptnet-coco: error: ${(e as Error).message ?? String(e)}`);
    return e instanceof CocoError ? 2 : 1;
  }
}
