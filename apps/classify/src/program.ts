import { SUBNET_FORMATS } from '@adaptnet/export';
import { STRATEGIES } from '@adaptnet/train';
import { appProgram, integerOption, intListOption, positiveIntOption, positiveOption, runCli } from '@adaptnet/train/node';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { COMPARE_STRATEGIES, compareCommand, parseConfigList } from './commands/compare.js';
import { evalCommand, tableCommand } from './commands/evaluate.js';
import { exportCommand } from './commands/export.js';
import { flopsCommand } from './commands/flops.js';
import { predictCommand, queryCommand } from './commands/query.js';
import { trainCommand } from './commands/train.js';
import { type Output, processOutput } from './output.js';
import { ARCHITECTURES } from './run-manifest.js';

const positive = positiveOption;
const positiveInt = positiveIntOption;
const integer = integerOption;
const intList = intListOption;

/** Options `train` and `compare` share: data, recipe and output. */
function addRecipeOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML or JSON file with training options (flags override it)')
    .option('-d, --dataset <name>', 'fashion-mnist (default), mnist, cifar10 or folder:<path>')
    .option('--data-dir <dir>', 'data set folder (CIFAR-10 batches, MNIST IDX files, another Fashion-MNIST copy)')
    .option('--train-subset <n>', 'train on a seeded random subset of n images', positiveInt('--train-subset'))
    .option('-e, --epochs <n>', 'epochs, may be fractional (default 1)', positive('--epochs'))
    .option('-b, --batch-size <n>', 'batch size (default 128)', positiveInt('--batch-size'))
    .option('--lr <lr>', 'base learning rate (default 0.1, cosine to 0)', positive('--lr'))
    .option('--seed <n>', 'seed of weights, data order and sampling (default 0)', integer('--seed'))
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'bar', 'lines', 'none']).default('auto'));
}

/** Builds the `adaptnet-classify` program; `out` receives results and notes (tests capture them). */
export function createProgram(out: Output = processOutput): Command {
  const program = appProgram(
    'adaptnet-classify',
    'Train, evaluate and deploy adaptive image classifiers: one network, many width × resolution configurations.',
    out,
  );

  addRecipeOptions(
    program
      .command('train')
      .description('train a network with one strategy (default: MutualNet on Fashion-MNIST, the reference recipe)')
      .requiredOption('-o, --out <dir>', 'run directory: checkpoints, metrics.jsonl, weights (model/), run.json')
      .addOption(new Option('-s, --strategy <name>', 'training strategy (default mutualnet)').choices(STRATEGIES))
      .addOption(new Option('-a, --architecture <name>', 'network (default mobilenet-v1-fashion)').choices(ARCHITECTURES))
      .option('--width-min <w>', 'smallest trained width (default 0.25)', positive('--width-min'))
      .option('--width-max <w>', 'largest trained width (default 1)', positive('--width-max'))
      .option('-r, --resolutions <list>', 'trained resolutions, largest = full network (default 28,24,20,16)', intList)
      .option('--width <w>', 'individual: the width trained', positive('--width'))
      .option('--resolution <r>', 'individual / resizable: the resolution trained', positiveInt('--resolution'))
      .option(
        '--checkpoint-every <n>',
        'save a resumable checkpoint every n steps (default: 4 per epoch, at most every 500 steps)',
        positiveInt('--checkpoint-every'),
      )
      .option('--resume', 'continue the run in <out> (the recipe must be identical; see README "runs/ safety")')
      .option('--force', 'start over in a non-empty <out>: its old contents are moved to <out>.replaced-<UTC time>, nothing is deleted'),
  ).action(async (flags) => {
    await trainCommand(flags, out);
  });

  program
    .command('eval')
    .description('calibrate BN and evaluate one configuration of a trained run on the test split')
    .requiredOption('--run <dir>', 'run directory written by train')
    .option('--width <w>', 'width (default: the largest)', positive('--width'))
    .option('--resolution <r>', 'resolution (default: the largest trained)', positiveInt('--resolution'))
    .option('--calibration-samples <n>', 'training images for BN calibration (default 2000)', positiveInt('--calibration-samples'))
    .option('--max-batches <n>', 'evaluate on at most n batches of 500 (quick checks)', positiveInt('--max-batches'))
    .option('--allow-untrained', 'evaluate a resolution the run did not train (refused otherwise)')
    .action(async (flags) => {
      await evalCommand(flags, out);
    });

  program
    .command('table')
    .description('build the query table (every width step × resolution, calibrated), its Pareto frontier and plot')
    .requiredOption('--run <dir>', 'run directory written by train')
    .option('--width-step <s>', 'width grid step (default 0.05)', positive('--width-step'))
    .option('--calibration-samples <n>', 'training images for BN calibration (default 2000)', positiveInt('--calibration-samples'))
    .option('--latency-runs <n>', 'also measure latency: median of n single-image runs', positiveInt('--latency-runs'))
    .option('--max-batches <n>', 'evaluate on at most n batches of 500 (quick checks)', positiveInt('--max-batches'))
    .option('--png', 'also render the plot as PNG')
    .action(async (flags) => {
      await tableCommand(flags, out);
    });

  program
    .command('query')
    .description('the most accurate configuration within a budget')
    .requiredOption('--run <dir>', 'run directory with table.json')
    .option('--table <file>', 'a query table file (default <run>/table.json)')
    .option('--max-mflops <n>', 'budget in millions of multiply-adds', positive('--max-mflops'))
    .option('--max-ms <n>', 'budget in milliseconds (tables built with --latency-runs)', positive('--max-ms'))
    .option('--json', 'print the row as JSON')
    .action(async (flags) => {
      await queryCommand(flags, out);
    });

  program
    .command('predict')
    .description('classify an image with the best configuration within a budget (no recalibration: the table carries BN statistics)')
    .argument('<image>', 'JPEG, PNG, WebP, ... image')
    .requiredOption('--run <dir>', 'run directory with table.json')
    .option('--max-mflops <n>', 'budget in millions of multiply-adds', positive('--max-mflops'))
    .option('--max-ms <n>', 'budget in milliseconds', positive('--max-ms'))
    .option('--invert', 'invert the image (dark object on light background → like Fashion-MNIST)')
    .option('--top <k>', 'classes to show (default 5)', positiveInt('--top'))
    .action(async (image: string, flags) => {
      await predictCommand({ ...flags, image }, out);
    });

  program
    .command('export')
    .description(
      'one configuration as a standard tfjs model (sliced weights, BN folded): a Layers model for tf.loadLayersModel or a graph model for tf.loadGraphModel',
    )
    .requiredOption('--run <dir>', 'run directory written by train')
    .requiredOption('-o, --out <dir>', 'folder for model.json and weights.bin')
    .option('--width <w>', 'width (with --resolution)', positive('--width'))
    .option('--resolution <r>', 'resolution (with --width)', positiveInt('--resolution'))
    .option('--max-mflops <n>', 'instead: the best table configuration within this many million multiply-adds', positive('--max-mflops'))
    .option('--table <file>', 'a query table file (default <run>/table.json)')
    .addOption(
      new Option(
        '--format <format>',
        'layers (tf.loadLayersModel) or graph (tf.loadGraphModel; also exports resizable networks at scales ≠ 1)',
      )
        .choices(SUBNET_FORMATS)
        .default('layers'),
    )
    .option(
      '--calibration-samples <n>',
      'training images for BN calibration when the table has no statistics (default 2000)',
      positiveInt('--calibration-samples'),
    )
    .option('--force', 'replace an exported model already in --out (a training run is never overwritten)')
    .action(async (flags) => {
      await exportCommand(flags, out);
    });

  program
    .command('flops')
    .description('exact multiply-adds and parameters of a configuration')
    .option('--run <dir>', 'the network of a run (default: --architecture)')
    .addOption(new Option('-a, --architecture <name>', 'network (default mobilenet-v1-fashion)').choices(ARCHITECTURES))
    .addOption(new Option('--input <kind>', 'stem: small (28-32 px) or imagenet').choices(['small', 'imagenet']))
    .option('--in-channels <n>', 'image channels', positiveInt('--in-channels'))
    .option('--num-classes <n>', 'classes', positiveInt('--num-classes'))
    .option('--width <w>', 'width (default 1)', positive('--width'))
    .option('--resolution <r>', 'resolution (default 28 small, 224 imagenet)', positiveInt('--resolution'))
    .option('--layers', 'per-layer report')
    .action(async (flags) => {
      await flopsCommand(flags, out);
    });

  addRecipeOptions(
    program
      .command('compare')
      .description('MutualNet vs US-Net vs individually trained networks at a few configurations (MutualNet Fig. 8)')
      .requiredOption('-o, --out <dir>', 'folder of the runs (reused when already trained)')
      .option('--configs <list>', 'width:resolution list (default 1:28,0.75:24,0.5:20,0.25:16)', parseConfigList)
      .option('--strategies <list>', `subset of ${COMPARE_STRATEGIES.join(',')}`, (t: string) => {
        const list = t.split(',');
        const bad = list.find((s) => !(COMPARE_STRATEGIES as readonly string[]).includes(s));
        if (bad !== undefined) throw new InvalidArgumentError(`unknown strategy '${bad}'; allowed: ${COMPARE_STRATEGIES.join(', ')}`);
        return list;
      })
      .option('--calibration-samples <n>', 'BN calibration images (default 2000)', positiveInt('--calibration-samples'))
      .option('--max-batches <n>', 'evaluate on at most n batches of 500', positiveInt('--max-batches'))
      .option('--png', 'also render the plot as PNG'),
  ).action(async (flags) => {
    await compareCommand(flags, out);
  });

  return program;
}

/** Runs the CLI; returns the exit code instead of exiting (errors: one line, stack with --verbose). */
export async function main(argv: readonly string[], out: Output = processOutput): Promise<number> {
  const program = createProgram(out);
  return runCli('adaptnet-classify', argv, out, () => program.parseAsync(argv, { from: 'user' }));
}
