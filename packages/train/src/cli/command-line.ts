import { AdaptNetError } from '@adaptnet/core';

/** Where an app's commands write: `result` to stdout (what scripts parse), `info` to stderr (progress, notes). */
export interface Output {
  result(text: string): void;
  info(text: string): void;
}

export const processOutput: Output = {
  result: (text) => process.stdout.write(`${text}\n`),
  info: (text) => process.stderr.write(`${text}\n`),
};

/** The first line of a message (YAML and other parsers add code frames on further lines), without a trailing colon. */
export function oneLine(message: string): string {
  const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return first.trim().replace(/:$/, '');
}

/** Exit codes of the AdaptNet CLIs: 0 ok, 1 failure (a diverged run, a backend fault, a bug), 2 bad input. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof AdaptNetError) return e.code === 'E_TRAINING_DIVERGED' || e.code === 'E_BACKEND' ? 1 : 2;
  return 1;
}

/** The part of a commander `Command` that `runCommandLine` uses. */
export interface ParsingProgram {
  parseAsync(argv: readonly string[], options: { from: 'user' }): Promise<unknown>;
}

/**
 * Runs a command-line program and returns its exit code instead of exiting: usage errors of
 * commander (codes `commander.*`, already printed by the program) are 2, `--help` is 0; any other
 * error is printed as one line `<tool>: error: …` (the stack too with `--verbose`).
 */
export async function runCommandLine(tool: string, program: ParsingProgram, argv: readonly string[], out: Output): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const commanderCode = (e as { code?: string }).code;
    if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
      return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' || commanderCode === 'commander.help'
        ? 0
        : 2;
    }
    out.info(`${tool}: error: ${oneLine((e as Error).message ?? String(e))}`);
    if (argv.includes('--verbose') && e instanceof Error && e.stack) out.info(e.stack);
    return exitCodeOf(e);
  }
}
