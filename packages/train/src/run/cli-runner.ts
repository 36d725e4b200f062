import { AdaptNetError } from '@adaptnet/core';

/** Where app commands write: `result` to stdout (what scripts parse), `info` to stderr (progress, notes). */
export interface CliOutput {
  result(text: string): void;
  info(text: string): void;
}

export const processOutput: CliOutput = {
  result: (text) => process.stdout.write(`${text}\n`),
  info: (text) => process.stderr.write(`${text}\n`),
};

/** The first non-empty line of a message (YAML and other parsers add code frames on further lines), without a trailing colon. */
export function firstLine(message: string): string {
  const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return first.trim().replace(/:$/, '');
}

/**
 * Exit codes of every AdaptNet app: 0 ok, 1 failure, 2 bad input (arguments, configuration, files).
 * `badInput` names further error types that are bad input (e.g. another package's error class).
 */
export function cliExitCode(e: unknown, badInput?: (e: unknown) => boolean): number {
  if (e instanceof AdaptNetError) return e.code === 'E_TRAINING_DIVERGED' || e.code === 'E_BACKEND' ? 1 : 2;
  return badInput?.(e) ? 2 : 1;
}

/**
 * The exit code for an error commander threw after printing its own message (`exitOverride`), else
 * undefined: 0 where commander exits 0 (`--help`, `--version`), 2 otherwise (usage errors, and no
 * command at all, where commander prints the help to stderr and exits 1).
 */
export function commanderExitCode(e: unknown): number | undefined {
  const { code, exitCode } = e as { code?: unknown; exitCode?: unknown };
  if (typeof code !== 'string' || !code.startsWith('commander.')) return undefined;
  return exitCode === 0 ? 0 : 2;
}

/**
 * Runs a parsed command line (a commander `parseAsync`) and turns what it throws into an exit code
 * and one line on `out.info` (`<tool>: error: …`; the stack too when argv has `--verbose`). Commander's
 * own exits (help, version: 0; usage errors and a missing command, already printed: 2) are recognised by
 * their `code` and `exitCode`.
 */
export async function runCli(
  tool: string,
  argv: readonly string[],
  out: CliOutput,
  parse: () => Promise<unknown>,
  options: { badInput?: (e: unknown) => boolean } = {},
): Promise<number> {
  try {
    await parse();
    return 0;
  } catch (e) {
    const commanderExit = commanderExitCode(e);
    if (commanderExit !== undefined) return commanderExit;
    out.info(`${tool}: error: ${firstLine((e as Error).message ?? String(e))}`);
    if (argv.includes('--verbose') && e instanceof Error && e.stack) out.info(e.stack);
    return cliExitCode(e, options.badInput);
  }
}
