import { VIDEO_DATASET_NAMES } from '@adaptnet/data/node';
import { appProgram, integerOption, numberOption, positiveIntOption, positiveOption, runCli } from '@adaptnet/train/node';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { COMPARE_STRATEGIES, compareCommand, parseConfigList } from './commands/compare.js';
import { evalCommand, tableCommand } from './commands/evaluate.js';
import { flopsCommand } from './commands/flops.js';
import { predictCommand } from './commands/predict.js';
import { queryCommand } from './commands/query.js';
import { TRAIN_STRATEGIES, trainCommand } from './commands/train.js';
import { type Output, processOutput } from './output.js';
import { ARCHITECTURES } from './run-manifest.js';

const TOOL = 'adaptnet-video';

function intList(name: string, example: string) {
  return (text: string): number[] => {
    const values = text.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s.trim())));
    if (values.some((v) => !Number.isInteger(v) || v <= 0)) {
      throw new InvalidArgumentError(`${name} must be comma-separated positive integers (e.g. ${example}), got '${text}'`);
    }
    return values;
  };
}

/** Options `train` and `compare` share: clips, network and recipe. */
function addRecipeOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML or JSON file with training options (flags override it)')
    .option('-d, --dataset <name>', `${VIDEO_DATASET_NAMES.join(', ')} (default moving-fashion)`)
    .option('--data-dir <dir>', 'Fashion-MNIST folder the moving-actions clips are rendered from')
    .option('--train-clips <n>', 'training clips (moving-fashion: rendered; folders: a seeded subset)', positiveIntOption('--train-clips'))
    .option('--test-clips <n>', 'test clips of the moving-fashion sets', positiveIntOption('--test-clips'))
    .option(
      '--distractors <n>',
      'moving-fashion: distractor items per clip, 0-3 (default 0; 3 is the full set, which needs far more training)',
      numberOption('--distractors', (v) => Number.isInteger(v) && v >= 0 && v <= 3, 'an integer in 0..3'),
    )
    .addOption(new Option('-a, --architecture <name>', 'network (default slow-small)').choices(ARCHITECTURES))
    .option('--width-min <w>', 'smallest trained width', positiveOption('--width-min'))
    .option('--width-max <w>', 'largest trained width (default 1)', positiveOption('--width-max'))
    .option('-r, --resolutions <list>', 'trained clip sides, largest = full network', intList('--resolutions', '24,16,12'))
    .option('-f, --frames <list>', 'trained frame counts, largest = full network (and the sampled window)', intList('--frames', '6,4,2'))
    .option('--stride <n>', 'source frames between sampled frames of the full window', positiveIntOption('--stride'))
    .option('-e, --epochs <n>', 'epochs, may be fractional', positiveOption('--epochs'))
    .option('-b, --batch-size <n>', 'clips per batch', positiveIntOption('--batch-size'))
    .option('--lr <lr>', 'base learning rate, cosine to 0 (default 0.05)', positiveOption('--lr'))
    .option('--seed <n>', 'seed of weights, clips, data order and sampling (default 0)', integerOption('--seed'))
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'bar', 'lines', 'none']).default('auto'));
}

function addBudgetOptions(cmd: Command): Command {
  return cmd
    .option('--max-gflops <n>', 'budget in billions of multiply-adds per view', positiveOption('--max-gflops'))
    .option('--max-mflops <n>', 'budget in millions of multiply-adds per view', positiveOption('--max-mflops'))
    .option('--max-ms <n>', 'budget in milliseconds per clip (tables built with --latency-runs)', positiveOption('--max-ms'));
}

/** Builds the `adaptnet-video` program; `out` receives results and notes (tests capture them). */
export function createProgram(out: Output = processOutput): Command {
  const program = appProgram(
    TOOL,
    'Train, evaluate and deploy adaptive video classifiers: one network, many width × resolution × frames configurations.',
    out,
  );

  addRecipeOptions(
    program
      .command('train')
      .description('train a video network with one strategy (default: MutualNet, small Slow, moving Fashion-MNIST actions)')
      .option('-o, --out <dir>', 'run directory: checkpoints, metrics.jsonl, weights (model/), run.json (default runs/video)')
      .addOption(new Option('-s, --strategy <name>', 'training strategy (default mutualnet)').choices(TRAIN_STRATEGIES))
      .option('--width <w>', 'individual: the width trained', positiveOption('--width'))
      .option('--resolution <r>', 'individual: the clip side trained', positiveIntOption('--resolution'))
      .option('--clip-frames <t>', 'individual: the frame count trained', positiveIntOption('--clip-frames'))
      .option(
        '--checkpoint-every <n>',
        'save a resumable checkpoint every n steps (default: 4 per epoch, at most every 500 steps)',
        positiveIntOption('--checkpoint-every'),
      )
      .option('--no-eval', 'skip the test-set evaluation of the full network after training')
      .option('--resume', 'continue the run in <out> (the recipe must be identical)')
      .option('--force', 'start over in a non-empty <out>: its old contents are moved to <out>.replaced-<UTC time>, nothing is deleted'),
  ).action(async (flags) => {
    await trainCommand(flags, out);
  });

  program
    .command('eval')
    .description('calibrate BN and evaluate one configuration of a trained run on the test clips')
    .requiredOption('--run <dir>', 'run directory written by train')
    .option('--width <w>', 'width (default: the largest)', positiveOption('--width'))
    .option('--resolution <r>', 'clip side (default: the largest trained)', positiveIntOption('--resolution'))
    .option('--frames <t>', 'frames (default: the most trained)', positiveIntOption('--frames'))
    .option('--views <k>', 'temporal views per test clip, scores averaged (default 1)', positiveIntOption('--views'))
    .option('--calibration-clips <n>', 'training clips for BN calibration (default 200)', positiveIntOption('--calibration-clips'))
    .option('--max-batches <n>', 'evaluate on at most n batches (quick checks)', positiveIntOption('--max-batches'))
    .option('--allow-untrained', 'evaluate a resolution or frame count the run did not train (refused otherwise)')
    .action(async (flags) => {
      await evalCommand(flags, out);
    });

  program
    .command('table')
    .description('build the query table (width steps × trained sides × trained frames, calibrated), its frontier and plot')
    .requiredOption('--run <dir>', 'run directory written by train')
    .option('--width-step <s>', 'width grid step (default 0.185: widths 0.63, 0.815, 1)', positiveOption('--width-step'))
    .option('--views <k>', 'temporal views per test clip (GFLOPs are then per view × views)', positiveIntOption('--views'))
    .option('--calibration-clips <n>', 'training clips for BN calibration (default 200)', positiveIntOption('--calibration-clips'))
    .option('--latency-runs <n>', 'also measure latency: median of n single-clip runs', positiveIntOption('--latency-runs'))
    .option('--max-batches <n>', 'evaluate on at most n batches (quick checks)', positiveIntOption('--max-batches'))
    .option('--png', 'also render the plot as PNG')
    .action(async (flags) => {
      await tableCommand(flags, out);
    });

  addBudgetOptions(
    program
      .command('query')
      .description('the most accurate configuration within a budget')
      .requiredOption('--run <dir>', 'run directory with table.json')
      .option('--table <file>', 'a query table file (default <run>/table.json)')
      .option('--json', 'print the row as JSON'),
  ).action(async (flags) => {
    await queryCommand(flags, out);
  });

  addBudgetOptions(
    program
      .command('predict')
      .description('top-k classes of a video (or of every video in a folder) at the best configuration within a budget')
      .argument('<video>', 'a video file ffmpeg reads (AVI, MP4, MKV, WebM, GIF, ...) or a folder of them')
      .requiredOption('--run <dir>', 'run directory with table.json')
      .option('--table <file>', 'a query table file (default <run>/table.json)')
      .option('--invert', 'invert the frames (dark objects on a light background → like the moving-actions clips)')
      .option('--top <k>', 'classes to show (default 5)', positiveIntOption('--top')),
  ).action(async (video: string, flags) => {
    await predictCommand({ ...flags, video }, out);
  });

  program
    .command('flops')
    .description('exact multiply-adds and parameters of one view at (width, resolution, frames); no run needed')
    .addOption(new Option('-m, --model <name>', 'network (default slow-small)').choices(ARCHITECTURES))
    .option('--run <dir>', "instead: a run's network")
    .option('--in-channels <n>', 'clip channels (default 1 for the small variants, 3 otherwise)', positiveIntOption('--in-channels'))
    .option('--num-classes <n>', 'classes (default 8 for the small variants, 400 otherwise)', positiveIntOption('--num-classes'))
    .option('--width <w>', 'width (default 1)', positiveOption('--width'))
    .option('--resolution <r>', 'clip side (default: the largest of the network)', positiveIntOption('--resolution'))
    .option('--frames <t>', 'frames (SlowFast: of the Slow pathway; default: the most of the network)', positiveIntOption('--frames'))
    .option('--json', 'one JSON object with macs and params')
    .option('--layers', 'per-layer report')
    .action(async (flags) => {
      await flopsCommand(flags, out);
    });

  addRecipeOptions(
    program
      .command('compare')
      .description('MutualNet vs US-Net vs individually trained networks at a few (width, resolution, frames) points')
      .option('-o, --out <dir>', 'folder of the runs, reused when already trained (default runs/video-compare)')
      .option('--configs <list>', 'width:resolution:frames list (default: 4 points from the full to the smallest network)', parseConfigList)
      .option('--strategies <list>', `subset of ${COMPARE_STRATEGIES.join(',')}`, (t: string) => {
        const list = t.split(',');
        const bad = list.find((s) => !(COMPARE_STRATEGIES as readonly string[]).includes(s));
        if (bad !== undefined) throw new InvalidArgumentError(`unknown strategy '${bad}'; allowed: ${COMPARE_STRATEGIES.join(', ')}`);
        return list;
      })
      .option('--calibration-clips <n>', 'BN calibration clips (default 200)', positiveIntOption('--calibration-clips'))
      .option('--max-batches <n>', 'evaluate on at most n batches', positiveIntOption('--max-batches'))
      .option('--png', 'also render the plot as PNG'),
  ).action(async (flags) => {
    await compareCommand(flags, out);
  });

  return program;
}

/** Runs the CLI; returns the exit code instead of exiting (errors: one line, stack with --verbose). */
export async function main(argv: readonly string[], out: Output = processOutput): Promise<number> {
  const program = createProgram(out);
  return runCli(TOOL, argv, out, () => program.parseAsync(argv, { from: 'user' }));
}
