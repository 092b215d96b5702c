import { CliIo, OptionSpecs, ParsedOptions } from './args';

/** One `scale-ladder` sub-command. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The synopsis, e.g. `--cloud aws|gcp --tier T [--out DIR] [--json]`. */
  readonly synopsis: string;
  /** A paragraph or two for `--help`. */
  readonly description: string;
  readonly options: OptionSpecs;
  /** Runs with parsed options; resolves to the exit code. */
  run(values: ParsedOptions, io: CliIo): Promise<number> | number;
}

export function writeLines(io: CliIo, lines: readonly string[]): void {
  io.stdout.write(lines.map(l => `${l}\n`).join(''));
}

export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
