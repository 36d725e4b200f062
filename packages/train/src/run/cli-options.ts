/**
 * Option-value parsers shared by the AdaptNet apps' commander programs. A parser rejects a value by
 * throwing `OptionValueError`, whose `code` is the one commander gives its own `InvalidArgumentError`,
 * so commander prints "option '--x <n>' argument 'y' is invalid. <message>" and exits with a usage error.
 */
export class OptionValueError extends Error {
  readonly code = 'commander.invalidArgument';
  readonly exitCode = 2;
}

/** A number that passes `check`; `allowed` says which in the error (e.g. 'an integer in 0..3'). */
export function numberOption(name: string, check: (v: number) => boolean, allowed: string): (text: string) => number {
  return (text) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || !check(v)) throw new OptionValueError(`${name} must be ${allowed}, got '${text}'`);
    return v;
  };
}

/** A number > 0 (`--lr`, `--epochs`). */
export const positiveOption = (name: string) => numberOption(name, (v) => v > 0, 'a number > 0');
/** A positive integer (`--batch-size`). */
export const positiveIntOption = (name: string) => numberOption(name, (v) => Number.isInteger(v) && v > 0, 'a positive integer');
/** An integer >= 0 (counts that may be zero). */
export const nonNegativeIntOption = (name: string) => numberOption(name, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
/** Any integer (`--seed`). */
export const integerOption = (name: string) => numberOption(name, Number.isInteger, 'an integer');

/** Comma-separated positive integers, e.g. resolutions `28,24,20,16`. */
export function intListOption(text: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new OptionValueError(`must be comma-separated positive integers (e.g. 28,24,20,16), got '${text}'`);
  }
  return values;
}
