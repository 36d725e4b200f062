/** Where commands write: `result` to stdout (what scripts parse), `info` to stderr (progress, notes). */
export interface Output {
  result(text: string): void;
  info(text: string): void;
}

export const processOutput: Output = {
  result: (text) => process.stdout.write(`${text}\n`),
  info: (text) => process.stderr.write(`${text}\n`),
};
