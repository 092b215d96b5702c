import { CliIo, CommandFailure, OptionSpecs, parseOptions, UsageError } from './args';
import { Command, writeLines } from './command';
import { diagramCommand } from './diagram';
import { planCommand } from './plan';
import { recommendCommand } from './recommend';
import { synthCommand } from './synth';

/*
 * The `scale-ladder` command (README, first screen). Not part of the jsii API: bin/scale-ladder.js
 * calls `main`. Exit codes: 0 success (including a MIGRATION plan), 1 an UNSAFE plan or a
 * failed check, 2 bad usage with a one-line reason on stderr.
 */

export type { CliIo } from './args';

export const COMMANDS: readonly Command[] = [synthCommand, planCommand, recommendCommand, diagramCommand];

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

function optionLines(options: OptionSpecs): string[] {
  const all: OptionSpecs = { ...options, help: { type: 'boolean', description: 'show this help' } };
  const rows = Object.entries(all)
    .map(([name, spec]) => [`--${name}${spec.value ? ` ${spec.value}` : ''}`, spec.description]);
  const width = Math.max(...rows.map(r => r[0].length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

function commandHelp(command: Command): string[] {
  return [
    `Usage: scale-ladder ${command.name} ${command.synopsis}`,
    '',
    command.summary.charAt(0).toUpperCase() + command.summary.slice(1) + '.',
    '',
    command.description,
    '',
    'Options:',
    ...optionLines(command.options),
  ];
}

function topHelp(): string[] {
  const width = Math.max(...COMMANDS.map(c => c.name.length));
  return [
    'Usage: scale-ladder <command> [options]',
    '',
    'Infrastructure presets that climb from 1K to 1B users on AWS and Google Cloud.',
    'Rungs: 1K 10K 100K 1M 10M 100M 1B.',
    '',
    'Commands:',
    ...COMMANDS.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `scale-ladder <command> --help` for a command\'s options.',
    'Exit codes: 0 success (including MIGRATION), 1 UNSAFE or failed checks, 2 bad usage.',
  ];
}

function isScaleLadderError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ScaleLadderError';
}

function oneLine(message: string): string {
  return message.split('\n')[0].trim();
}

/** Runs `scale-ladder` with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write('scale-ladder: missing command (synth, plan, recommend or diagram); run scale-ladder --help\n');
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    writeLines(io, topHelp());
    return EXIT_OK;
  }
  const command = COMMANDS.find(c => c.name === name);
  if (!command) {
    io.stderr.write(`scale-ladder: unknown command '${name}' (expected synth, plan, recommend or diagram)\n`);
    return EXIT_USAGE;
  }
  const prefix = `scale-ladder ${command.name}`;
  try {
    const values = parseOptions(rest, command.options);
    if (values.help) {
      writeLines(io, commandHelp(command));
      return EXIT_OK;
    }
    return await command.run(values, io);
  } catch (err) {
    if (err instanceof UsageError || isScaleLadderError(err)) {
      io.stderr.write(`${prefix}: ${oneLine(err.message)}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof CommandFailure) {
      io.stderr.write(`${prefix}: ${oneLine(err.message)}\n`);
      return EXIT_FAILED;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${prefix}: failed: ${oneLine(message)}${process.env.SCALE_LADDER_DEBUG ? '' : ' (set SCALE_LADDER_DEBUG=1 for details)'}\n`);
    if (process.env.SCALE_LADDER_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT_FAILED;
  }
}
