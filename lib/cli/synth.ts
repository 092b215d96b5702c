import * as fs from 'fs';
import * as path from 'path';
import { CliIo, Cloud, displayPath, parseCloud, parseTier, resolvePath, UsageError } from './args';
import { synthFor, SynthesizedStack } from './clouds';
import { Command, writeJson, writeLines } from './command';
import { bytes, num, plural, table } from './format';

/** Platform limits a deploy would fail on, per cloud (stay well below them: README, "The ladder"). */
interface StackLimits {
  readonly resources: number;
  readonly outputs: number;
  readonly bytes: number;
  readonly describe: string;
}

const LIMITS: Record<Cloud, StackLimits | undefined> = {
  aws: { resources: 400, outputs: 150, bytes: 800 * 1024, describe: '≤ 400 resources, ≤ 150 outputs, ≤ 800 KB per stack' },
  // Terraform has no per-configuration limits of this kind.
  gcp: undefined,
};

const OUTPUT_KIND: Record<Cloud, { readonly assembly: string; readonly file: string }> = {
  aws: { assembly: 'cloud assembly: *.template.json + manifest.json', file: 'template' },
  gcp: { assembly: 'cdktf output: stacks/<name>/cdk.tf.json', file: 'Terraform JSON' },
};

function limitProblems(stack: SynthesizedStack, limits: StackLimits | undefined): string[] {
  if (!limits) return [];
  const problems: string[] = [];
  if (stack.resources > limits.resources) problems.push(`stack ${stack.name} has ${stack.resources} resources (limit ${limits.resources})`);
  if ((stack.outputs ?? 0) > limits.outputs) problems.push(`stack ${stack.name} has ${stack.outputs} outputs (limit ${limits.outputs})`);
  if (stack.bytes > limits.bytes) problems.push(`stack ${stack.name} template is ${bytes(stack.bytes)} (limit ${bytes(limits.bytes)})`);
  return problems;
}

/**
 * The output directory is emptied before each synth, so it must be new, empty, or an earlier
 * output (a cloud assembly's manifest.json, or cdktf's stacks/): never a file, the working
 * directory or one above it, or a directory holding something else.
 */
function checkOutdir(io: CliIo, outdir: string, given: string): void {
  const shown = given || displayPath(io, outdir);
  const workdir = path.resolve(io.workdir ?? process.cwd());
  const rel = path.relative(outdir, workdir);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new UsageError(`--out must be a directory of its own (it is emptied first), got '${shown}': that is the working directory or one above it`);
  }
  if (!fs.existsSync(outdir)) return;
  if (!fs.statSync(outdir).isDirectory()) throw new UsageError(`--out must be a directory, got '${shown}': a file exists there`);
  const entries = fs.readdirSync(outdir);
  const earlierOutput = entries.includes('manifest.json') || entries.includes('stacks') || entries.includes('cdk.tf.json');
  if (entries.length > 0 && !earlierOutput) {
    throw new UsageError(`--out must be new, empty or an earlier synthesized output (it is emptied first), got '${shown}': it holds ${entries.length} other entr${entries.length === 1 ? 'y' : 'ies'}`);
  }
}

export const synthCommand: Command = {
  name: 'synth',
  summary: 'synthesize a rung and print a per-stack, per-layer summary',
  synopsis: '--cloud aws|gcp --tier 1K|10K|100K|1M|10M|100M|1B [--out DIR] [--json]',
  description: [
    'Synthesizes the rung offline with the embedded default app image, using the same app, stack',
    'and construct ids on every rung (so two rungs\' outputs compare file by file). AWS writes a cloud',
    'assembly, Google Cloud cdktf\'s stacks/<name>/cdk.tf.json. Exits 1 if a stack breaks a platform limit.',
  ].join('\n'),
  options: {
    cloud: { type: 'string', value: 'aws|gcp', description: 'the cloud (required)' },
    tier: { type: 'string', value: 'T', description: 'the rung: 1K 10K 100K 1M 10M 100M 1B (required)' },
    out: { type: 'string', value: 'DIR', description: 'output directory (default scale-ladder.out/<cloud>-<tier>)' },
    json: { type: 'boolean', description: 'print one JSON object' },
  },
  run(values, io) {
    const cloud = parseCloud(values);
    const tier = parseTier(values, 'tier');
    const outdir = resolvePath(io, values.out !== undefined ? String(values.out) : `scale-ladder.out/${cloud}-${tier.name}`);
    checkOutdir(io, outdir, String(values.out ?? ''));
    const synth = synthFor(cloud);
    const started = Date.now();
    const result = synth(tier.name, outdir);
    const seconds = (Date.now() - started) / 1000;
    const limits = LIMITS[cloud];
    const problems = result.stacks.flatMap(s => limitProblems(s, limits));
    const total = (key: 'resources' | 'bytes' | 'outputs') => result.stacks.reduce((sum, s) => sum + (s[key] ?? 0), 0);

    if (values.json) {
      writeJson(io, {
        cloud,
        tier: tier.name,
        outdir: displayPath(io, outdir),
        stacks: result.stacks.map(s => ({ ...s, file: displayPath(io, s.file) })),
        totals: { stacks: result.stacks.length, resources: total('resources'), bytes: total('bytes'), outputs: total('outputs') },
        limits: limits ? { resources: limits.resources, outputs: limits.outputs, bytes: limits.bytes } : null,
        problems,
      });
      return problems.length ? 1 : 0;
    }

    const lines = [`${cloud} ${tier.name} → ${displayPath(io, outdir)} (${OUTPUT_KIND[cloud].assembly})`];
    for (const stack of result.stacks) {
      lines.push('');
      lines.push(`${stack.name}  ${displayPath(io, stack.file)}`);
      const layers = Object.entries(stack.byLayer).sort(([a], [b]) => a.localeCompare(b));
      const widest = Math.max(1, ...layers.map(([, n]) => n));
      lines.push(...table([
        ['layer', 'resources', ''],
        ...layers.map(([layer, n]) => [layer, num(n), '█'.repeat(Math.max(1, Math.round((n / widest) * 24)))]),
        ['total', num(stack.resources), [`${bytes(stack.bytes)} ${OUTPUT_KIND[cloud].file}`, ...(stack.outputs === undefined ? [] : [plural(stack.outputs, 'output')])].join(', ')],
      ], ['left', 'right', 'left'], '  '));
    }
    lines.push('');
    lines.push(`${plural(result.stacks.length, 'stack')}, ${plural(total('resources'), 'resource')}, ${bytes(total('bytes'))} in ${seconds.toFixed(1)} s`);
    if (limits) lines.push(problems.length ? `limits: FAILED (${limits.describe})` : `limits: ok (${limits.describe})`);
    lines.push(...problems.map(p => `  ${p}`));
    writeLines(io, lines);
    return problems.length ? 1 : 0;
  },
};
