import * as path from 'path';
import { parseArgs } from 'util';
import { Tier } from '../core/tier';

/** Where a command writes; `process` fits, and tests pass string collectors. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Directory relative paths are resolved against. @default process.cwd() */
  readonly workdir?: string;
}

/** Bad usage: exit code 2 with the message as the one-line reason. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
    Object.setPrototypeOf(this, UsageError.prototype);
  }
}

/** A failure that is not the user's fault in the command line: exit code 1 with the message. */
export class CommandFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailure';
    Object.setPrototypeOf(this, CommandFailure.prototype);
  }
}

export type Cloud = 'aws' | 'gcp';
export const CLOUDS: readonly Cloud[] = ['aws', 'gcp'];

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** Placeholder for the value in help, e.g. `DIR`. */
  readonly value?: string;
  readonly description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;
export type ParsedOptions = Record<string, string | boolean | undefined>;

/**
 * Parses `args` with util.parseArgs (strict, no positionals) and turns its errors into
 * one-line usage reasons. A value that looks like a negative number (`--users -5`) is
 * taken as the option's value, so the range check can name it.
 */
export function parseOptions(args: readonly string[], specs: OptionSpecs): ParsedOptions {
  const normalized: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const next = args[i + 1];
    if (name && specs[name]?.type === 'string' && next !== undefined && /^-[0-9.]/.test(next)) {
      normalized.push(`${arg}=${next}`);
      i++;
    } else {
      normalized.push(arg);
    }
  }
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.type };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: normalized, options, strict: true, allowPositionals: false, tokens: true });
  } catch (err: any) {
    throw new UsageError(parseArgsReason(err));
  }
  // util.parseArgs keeps the last of a repeated option and takes an empty value: refuse both.
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once (give it once)`);
    seen.add(token.name);
    if (specs[token.name]?.type === 'string' && token.value !== undefined && token.value.trim() === '') {
      throw new UsageError(`--${token.name} needs a value, got an empty one`);
    }
  }
  return parsed.values as ParsedOptions;
}

function parseArgsReason(err: any): string {
  const message = String(err?.message ?? err);
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (err?.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option ?? message}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${/'([^']*)'/.exec(message)?.[1] ?? message}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return `${option} does not take a value`;
      if (/argument missing|ambiguous/.test(message)) return `${option} needs a value`;
      return message.split('\n')[0];
    default:
      return message.split('\n')[0];
  }
}

/** The value of a required string option. */
export function requireOption(values: ParsedOptions, name: string, hint: string): string {
  const value = values[name];
  if (value === undefined || value === '') throw new UsageError(`--${name} is required (${hint})`);
  return String(value);
}

export function parseCloud(values: ParsedOptions): Cloud {
  const raw = requireOption(values, 'cloud', 'aws or gcp');
  const cloud = raw.toLowerCase() as Cloud;
  if (!CLOUDS.includes(cloud)) throw new UsageError(`--cloud must be aws or gcp, got '${raw}'`);
  return cloud;
}

/** One of the seven rungs (1K … 1B, case-insensitive). */
export function parseTier(values: ParsedOptions, name: string): Tier {
  const names = Tier.all().map(t => t.name);
  const raw = requireOption(values, name, names.join(' '));
  const tier = Tier.all().find(t => t.name.toUpperCase() === raw.toUpperCase());
  if (!tier) throw new UsageError(`--${name} must be one of ${names.join(', ')}, got '${raw}'`);
  return tier;
}

const SUFFIXES: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9 };

/**
 * A number as people write user counts: `250000`, `250_000`, `250,000`, `1e6`, `2.5M`,
 * `10K`, `1B`; a trailing `%` divides by 100 (`20%` = 0.2).
 */
export function parseNumber(name: string, raw: string): number {
  const trimmed = raw.trim();
  // Separators group thousands: 250,000 and 250_000, never 1,0,0.
  const grouped = /[_,]/.test(trimmed);
  if (grouped && !/^-?\d{1,3}([_,]\d{3})+(\.\d*)?([KMB%]?)$/i.test(trimmed)) {
    throw new UsageError(`--${name} must be a number (e.g. 250000, 250,000, 2.5M or 20%; ',' and '_' only between groups of three digits), got '${raw}'`);
  }
  const text = trimmed.replace(/[_,]/g, '');
  const match = /^(-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([KMB%]?)$/i.exec(text);
  if (!match) throw new UsageError(`--${name} must be a number (e.g. 250000, 2.5M or 20%), got '${raw}'`);
  const base = Number(match[1]);
  const suffix = match[2].toUpperCase();
  if (suffix === '%') return base / 100;
  // Round away the float noise of e.g. 2.3M (2299999.9999999995).
  return suffix ? Math.round(base * SUFFIXES[suffix] * 1e6) / 1e6 : base;
}

export function resolvePath(io: CliIo, file: string): string {
  return path.resolve(io.workdir ?? process.cwd(), file);
}

/** `file` relative to the working directory when it lies below it, else absolute. */
export function displayPath(io: CliIo, file: string): string {
  const rel = path.relative(io.workdir ?? process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
