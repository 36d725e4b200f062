import type { BackendChoice } from '@adaptnet/core/node';
import { Command, Option } from 'commander';
import type { CliOutput } from './cli-runner.js';
import { firstLine } from './cli-runner.js';

/**
 * The root commander program every AdaptNet app starts from: `--backend` (sets ADAPTNET_BACKEND
 * before any command runs), `--verbose`, results to `out.result`, notes and usage to `out.info`,
 * usage errors as one line, and no `process.exit` (`runCli` turns the throw into the exit code).
 */
export function appProgram(tool: string, description: string, out: CliOutput): Command {
  return new Command(tool)
    .description(description)
    .addOption(
      new Option('--backend <name>', 'tfjs backend (default: the fastest available)').choices(['tensorflow', 'native', 'wasm', 'cpu']),
    )
    .option('--verbose', 'print stack traces on errors')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.result(s.replace(/\n$/, '')),
      writeErr: (s) => out.info(s.replace(/\n$/, '')),
      // Usage errors: one line, like every other error (`--help` shows the usage).
      outputError: (s, write) => write(`${tool}: ${firstLine(s)} (see --help)`),
    })
    .hook('preAction', (cmd) => {
      const backend = cmd.opts<{ backend?: BackendChoice }>().backend;
      if (backend !== undefined) process.env.ADAPTNET_BACKEND = backend;
    });
}
