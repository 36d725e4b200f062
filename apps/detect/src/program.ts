import { CocoError } from '@adaptnet/coco';
import {
  appProgram,
  type CliOutput,
  integerOption,
  intListOption,
  nonNegativeIntOption,
  OptionValueError,
  positiveIntOption,
  positiveOption,
  processOutput,
  runCli,
} from '@adaptnet/train/node';
import { type Command, Option } from 'commander';
import { COMPARE_STRATEGIES, compareCommand, parseConfigList } from './commands/compare.js';
import { evalCommand } from './commands/evaluate.js';
import { flopsCommand } from './commands/flops.js';
import { makeDataCommand } from './commands/make-data.js';
import { predictCommand } from './commands/predict.js';
import { queryCommand } from './commands/query.js';
import { tableCommand } from './commands/table.js';
import { DETECT_STRATEGIES, trainCommand } from './commands/train.js';
import { BACKBONES } from './model.js';

const TOOL = 'adaptnet-detect';

const nonNegativeInt = nonNegativeIntOption;
const positive = positiveOption;
const positiveInt = positiveIntOption;
const fraction = (name: string) => (text: string) => {
  const v = positiveOption(name)(text);
  if (v >= 1) throw new OptionValueError(`${name} must be in (0, 1), got '${text}'`);
  return v;
};

/** Options `train` and `compare` share: data, recipe, detector and output. */
function addRecipeOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML or JSON file with training options (flags override it)')
    .option('--data <dir>', 'detection data: a COCO folder written by make-data (images/, annotations/instances_{train,val}.json)')
    .option('--train-subset <n>', 'train on a seeded random subset of n images', positiveInt('--train-subset'))
    .addOption(new Option('--backbone <name>', 'backbone (default mobilenet-v1-fashion)').choices(BACKBONES))
    .option('--backbone-from <run>', 'initialise the backbone from an adaptnet-classify run (same item type, same architecture)')
    .option('--width-min <w>', 'smallest trained backbone width (default 0.25)', positive('--width-min'))
    .option('--width-max <w>', 'largest trained backbone width (default 1)', positive('--width-max'))
    .option('--sizes <list>', 'trained shorter-side input sizes, largest = full detector (default 64,48,32)', intListOption)
    .option('--channels <n>', 'FPN and head channels (default 32)', positiveInt('--channels'))
    .option('--head-convs <n>', 'conv + GroupNorm blocks per head tower (default 1)', positiveInt('--head-convs'))
    .option('-e, --epochs <n>', 'epochs, may be fractional (default 3)', positive('--epochs'))
    .option('-b, --batch-size <n>', 'batch size (default 8)', positiveInt('--batch-size'))
    .option('--lr <lr>', 'base learning rate (default 0.02, warm-up, cosine to 0)', positive('--lr'))
    .option('--seed <n>', 'seed of weights, data order and sampling (default 0)', integerOption('--seed'))
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'bar', 'lines', 'none']).default('auto'));
}

/** Options of commands that evaluate (eval, table, compare). */
function addEvalOptions(cmd: Command): Command {
  return cmd
    .option(
      '--calibration-samples <n>',
      'training images for BN calibration per configuration (default 256)',
      positiveInt('--calibration-samples'),
    )
    .option('--max-images <n>', 'evaluate on the first n validation images (quick checks)', positiveInt('--max-images'));
}

/** Builds the `adaptnet-detect` program; `out` receives results and notes (tests capture them). */
export function createProgram(out: CliOutput = processOutput): Command {
  const program = appProgram(
    TOOL,
    'Train, evaluate and deploy adaptive object detectors: one detector, many backbone width × input size configurations.',
    out,
  );

  program
    .command('make-data')
    .description('write the Fashion-MNIST detection set (real items pasted on black canvases) as a COCO folder')
    .requiredOption('-o, --out <dir>', 'folder to create (refused if it exists)')
    .option('--train <n>', 'training images (default 1000)', nonNegativeInt('--train'))
    .option('--val <n>', 'validation images (default 200)', nonNegativeInt('--val'))
    .option('--seed <n>', 'seed (default 0); same seed, same files', integerOption('--seed'))
    .option('--clutter <n>', 'unlabelled item fragments per image (default 0)', nonNegativeInt('--clutter'))
    .option('--min-canvas <px>', 'smallest canvas side (default 48)', positiveIntOption('--min-canvas'))
    .option('--max-canvas <px>', 'largest canvas side (default 64)', positiveIntOption('--max-canvas'))
    .option('--min-side <px>', 'smallest item side (default 12)', positiveIntOption('--min-side'))
    .option('--max-side <px>', 'largest item side (default 40)', positiveIntOption('--max-side'))
    .option('--max-objects <n>', 'items per image, 1 to n (default 2)', positiveIntOption('--max-objects'))
    .option('--fashion-dir <dir>', 'Fashion-MNIST IDX files (default: the dataset-fashion-mnist package)')
    .action(async (flags) => {
      await makeDataCommand(flags, out);
    });

  addRecipeOptions(
    program
      .command('train')
      .description('train a detector with one strategy (default: MutualNet on the make-data set)')
      .requiredOption('-o, --out <dir>', 'run directory: checkpoints, metrics.jsonl, weights (model/), run.json')
      .addOption(new Option('-s, --strategy <name>', 'training strategy (default mutualnet)').choices(DETECT_STRATEGIES))
      .option('--width <w>', 'individual: the backbone width trained', positive('--width'))
      .option('--size <s>', 'individual: the input size trained', positiveInt('--size'))
      .option(
        '--checkpoint-every <n>',
        'save a resumable checkpoint every n steps (default: 4 per epoch)',
        positiveInt('--checkpoint-every'),
      )
      .option('--resume', 'continue the run in <out> (the recipe must be identical)')
      .option('--force', 'start over in a non-empty <out>: its old contents are moved to <out>.replaced-<UTC time>, nothing is deleted'),
  ).action(async (flags) => {
    await trainCommand(flags, out);
  });

  addEvalOptions(
    program
      .command('eval')
      .description("calibrate BN and evaluate one configuration on the validation split: pycocotools' 12 numbers, results JSON")
      .requiredOption('--run <dir>', 'run directory written by train')
      .option('--width <w>', 'backbone width (default: the largest)', positive('--width'))
      .option('--size <s>', 'input size, shorter side (default: the largest trained)', positiveInt('--size'))
      .option('--allow-untrained', 'evaluate a size the run did not train (refused otherwise)'),
  ).action(async (flags) => {
    await evalCommand(flags, out);
  });

  addEvalOptions(
    program
      .command('table')
      .description('the query table: every width step × trained size, box AP and MACs, its Pareto frontier and plot')
      .requiredOption('--run <dir>', 'run directory written by train')
      .option('--width-step <s>', 'width grid step (default 0.25)', fraction('--width-step'))
      .option('--png', 'also render the plot as PNG'),
  ).action(async (flags) => {
    await tableCommand(flags, out);
  });

  program
    .command('query')
    .description('the most accurate configuration (box AP) within a budget')
    .requiredOption('--run <dir>', 'run directory with table.json')
    .option('--max-mflops <n>', 'budget in millions of multiply-adds', positive('--max-mflops'))
    .option('--json', 'print the row as JSON')
    .action(async (flags) => {
      await queryCommand(flags, out);
    });

  program
    .command('predict')
    .description('detect objects in an image with the best configuration within a budget; writes a PNG with the boxes drawn')
    .argument('<image>', 'JPEG, PNG, WebP, ... image')
    .requiredOption('--run <dir>', 'run directory (with table.json for --max-mflops)')
    .option('--max-mflops <n>', 'budget in millions of multiply-adds (needs the table)', positive('--max-mflops'))
    .option('--width <w>', 'instead: this backbone width (with --size)', positive('--width'))
    .option('--size <s>', 'instead: this input size', positiveInt('--size'))
    .option('-o, --out <file>', 'output PNG (default <image>.detections.png)')
    .option('--force', 'replace an existing --out file')
    .option('--score-threshold <p>', 'smallest score drawn and printed (default 0.3)', fraction('--score-threshold'))
    .option('--convert', "convert an image whose channel count differs from the detector's (RGB ↔ grey)")
    .option(
      '--calibration-samples <n>',
      'training images for BN calibration when the table has no statistics for the configuration (default 64)',
      positiveInt('--calibration-samples'),
    )
    .action(async (image: string, flags) => {
      await predictCommand({ ...flags, image }, out);
    });

  program
    .command('flops')
    .description('exact multiply-adds and parameters of the whole detector (backbone, FPN, head) at one configuration')
    .option('--run <dir>', 'the detector of a run (default: the default detector)')
    .option('--width <w>', 'backbone width (default 1)', positive('--width'))
    .option('--size <s>', 'square input side (default 64)', positiveInt('--size'))
    .option('--channels <n>', 'FPN and head channels of the default detector (default 32)', positiveInt('--channels'))
    .option('--head-convs <n>', 'head blocks of the default detector (default 1)', positiveInt('--head-convs'))
    .option('--layers', 'per-layer report')
    .action(async (flags) => {
      await flopsCommand(flags, out);
    });

  addEvalOptions(
    addRecipeOptions(
      program
        .command('compare')
        .description('MutualNet vs US-Net vs individually trained detectors at a few configurations (TPAMI Fig. 16)')
        .requiredOption('-o, --out <dir>', 'folder of the runs (reused when already trained)')
        .option('--configs <list>', 'width:size list (default 1:64,0.5:48,0.25:32)', parseConfigList)
        .option('--strategies <list>', `subset of ${COMPARE_STRATEGIES.join(',')}`, (t: string) => {
          const list = t.split(',');
          const bad = list.find((s) => !(COMPARE_STRATEGIES as readonly string[]).includes(s));
          if (bad !== undefined) throw new OptionValueError(`unknown strategy '${bad}'; allowed: ${COMPARE_STRATEGIES.join(', ')}`);
          return list;
        })
        .option('--png', 'also render the plot as PNG'),
    ),
  ).action(async (flags) => {
    await compareCommand(flags, out);
  });

  return program;
}

/** Runs the CLI; returns the exit code instead of exiting (errors: one line, stack with --verbose). */
export async function main(argv: readonly string[], out: CliOutput = processOutput): Promise<number> {
  const program = createProgram(out);
  // Every CocoError is about the user's files or arguments (format, references, sizes, paths).
  return runCli(TOOL, argv, out, () => program.parseAsync(argv, { from: 'user' }), { badInput: (e) => e instanceof CocoError });
}
