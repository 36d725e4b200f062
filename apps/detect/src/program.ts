import { CocoError } from '@adaptnet/coco';
import type { BackendChoice } from '@adaptnet/core/node';
import {
  type CliOutput,
  firstLine,
  integerOption,
  nonNegativeIntOption,
  positiveIntOption,
  processOutput,
  runCli,
} from '@adaptnet/train/node';
import { Command, Option } from 'commander';
import { makeDataCommand } from './commands/make-data.js';

const TOOL = 'adaptnet-detect';

const nonNegativeInt = nonNegativeIntOption;

/** Builds the `adaptnet-detect` program; `out` receives results and notes (tests capture them). */
export function createProgram(out: CliOutput = processOutput): Command {
  const program = new Command(TOOL)
    .description('Train, evaluate and deploy adaptive object detectors: one detector, many backbone width × input size configurations.')
    .addOption(
      new Option('--backend <name>', 'tfjs backend (default: the fastest available)').choices(['tensorflow', 'native', 'wasm', 'cpu']),
    )
    .option('--verbose', 'print stack traces on errors')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.result(s.replace(/\n$/, '')),
      writeErr: (s) => out.info(s.replace(/\n$/, '')),
      outputError: (s, write) => write(`${TOOL}: ${firstLine(s)} (see --help)`),
    })
    .hook('preAction', (cmd) => {
      const backend = cmd.opts<{ backend?: BackendChoice }>().backend;
      if (backend !== undefined) process.env.ADAPTNET_BACKEND = backend;
    });

  program
    .command('make-data')
    .description('write the Fashion-MNIST detection set (real items pasted on black canvases) as a COCO folder')
    .requiredOption('-o, --out <dir>', 'folder to create (refused if it exists)')
    .option('--train <n>', 'training images (default 2000)', nonNegativeInt('--train'))
    .option('--val <n>', 'validation images (default 300)', nonNegativeInt('--val'))
    .option('--seed <n>', 'seed (default 0); same seed, same files', integerOption('--seed'))
    .option('--clutter <n>', 'unlabelled item fragments per image (default 0)', nonNegativeInt('--clutter'))
    .option('--min-canvas <px>', 'smallest canvas side (default 96)', positiveIntOption('--min-canvas'))
    .option('--max-canvas <px>', 'largest canvas side (default 160)', positiveIntOption('--max-canvas'))
    .option('--min-side <px>', 'smallest item side (default 12)', positiveIntOption('--min-side'))
    .option('--max-side <px>', 'largest item side (default 128)', positiveIntOption('--max-side'))
    .option('--max-objects <n>', 'items per image, 1 to n (default 4)', positiveIntOption('--max-objects'))
    .option('--fashion-dir <dir>', 'Fashion-MNIST IDX files (default: the dataset-fashion-mnist package)')
    .action(async (flags) => {
      await makeDataCommand(flags, out);
    });

  return program;
}

/** Runs the CLI; returns the exit code instead of exiting (errors: one line, stack with --verbose). */
export async function main(argv: readonly string[], out: CliOutput = processOutput): Promise<number> {
  const program = createProgram(out);
  // Every CocoError is about the user's files or arguments (format, references, sizes, paths).
  return runCli(TOOL, argv, out, () => program.parseAsync(argv, { from: 'user' }), { badInput: (e) => e instanceof CocoError });
}
