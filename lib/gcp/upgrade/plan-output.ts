import * as fs from 'fs';
import * as path from 'path';
import { planStack } from './planner';
import { ScaleLadderError } from '../../core/errors';
import { parseRungStamp, RUNG_STAMP_KEY, RungStamp } from '../../core/rung-stamp';
import { Tier } from '../../core/tier';
import { Interruption, MigrationStep, PlanInput, ResourceChange, UpgradePlan, verdictOf } from '../../core/upgrade-plan';
import { GCP_STACK_NAME } from '../ladder/demo-app';

/*
 * Planning a user's own Google Cloud output: read the Terraform JSON cdktf synthesized (a whole
 * output directory, one stack's directory or one cdk.tf.json), pair the stacks by name, and plan
 * each pair from its rung stamps (the `//` comment block, lib/core/rung-stamp.ts). Internal: the
 * `scale-ladder plan --cloud gcp` command calls planGcpInputs.
 */

const STACK_FILE = 'cdk.tf.json';
const EXPECTED = `a cdktf output directory (manifest.json listing the stacks, or stacks/<name>/${STACK_FILE}), a stack directory holding ${STACK_FILE}, or one ${STACK_FILE} file`;

function parseConfig(file: string): Record<string, any> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err: any) {
    throw new ScaleLadderError(`cannot read ${file}: ${err?.code ?? err?.message ?? err}; expected ${EXPECTED}`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err: any) {
    throw new ScaleLadderError(`${file} is not valid JSON (${err?.message ?? err}); expected the Terraform JSON cdktf synthesizes (${STACK_FILE})`);
  }
  const known = ['resource', 'terraform', 'provider', '//', 'data', 'output', 'module', 'locals', 'variable'];
  if (config === null || typeof config !== 'object' || Array.isArray(config) || !Object.keys(config).some(k => known.includes(k))) {
    throw new ScaleLadderError(`${file} is JSON but not a Terraform JSON configuration (an object with resource, provider or terraform blocks); expected the ${STACK_FILE} cdktf synthesizes`);
  }
  return config as Record<string, any>;
}

/** The stacks a cdktf manifest.json lists, by name → their synthesized file. */
function manifestStacks(dir: string): Array<[string, string]> {
  const file = path.join(dir, 'manifest.json');
  let manifest: any;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err: any) {
    throw new ScaleLadderError(`${file} is not valid JSON (${err?.message ?? err}); expected cdktf's manifest, listing each stack's synthesizedStackPath`);
  }
  const stacks = manifest?.stacks;
  if (!stacks || typeof stacks !== 'object' || Object.keys(stacks).length === 0) {
    throw new ScaleLadderError(`${file} lists no stacks; expected cdktf's manifest ({"stacks": {"<name>": {"synthesizedStackPath": "stacks/<name>/${STACK_FILE}"}}})`);
  }
  return Object.entries<any>(stacks).map(([name, entry]) => {
    const rel = entry?.synthesizedStackPath;
    if (typeof rel !== 'string') throw new ScaleLadderError(`${file}: stack '${name}' has no synthesizedStackPath`);
    return [name, path.resolve(dir, rel)];
  });
}

/**
 * The stacks of a cdktf output at `target`, stack name → parsed cdk.tf.json: an output directory
 * (`cdktf.out`: its manifest.json, or its `stacks/<name>/cdk.tf.json`), a stack directory holding
 * cdk.tf.json (named after the directory), or one JSON file (named after its directory when it is
 * `cdk.tf.json`, else after its stem). Throws a ScaleLadderError naming the path and what was
 * expected when it is none of these or holds invalid JSON.
 */
export function readGcpOutput(target: string): Record<string, any> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new ScaleLadderError(`${target} does not exist; expected ${EXPECTED}`);
  }
  if (stat.isFile()) {
    const base = path.basename(target);
    if (base === 'manifest.json') return readGcpOutput(path.dirname(target));
    const name = base === STACK_FILE ? path.basename(path.dirname(path.resolve(target))) : base.replace(/(\.tf)?\.json$/, '');
    return { [name]: parseConfig(target) };
  }
  if (!stat.isDirectory()) throw new ScaleLadderError(`${target} is neither a file nor a directory; expected ${EXPECTED}`);
  const out: Record<string, any> = {};
  if (fs.existsSync(path.join(target, 'manifest.json'))) {
    for (const [name, file] of manifestStacks(target)) {
      if (!fs.existsSync(file)) throw new ScaleLadderError(`${path.join(target, 'manifest.json')} lists stack '${name}' at ${file}, which does not exist; synthesize again (cdktf synth)`);
      out[name] = parseConfig(file);
    }
    return out;
  }
  const stacksDir = path.join(target, 'stacks');
  if (fs.existsSync(stacksDir) && fs.statSync(stacksDir).isDirectory()) {
    for (const name of fs.readdirSync(stacksDir).sort()) {
      const file = path.join(stacksDir, name, STACK_FILE);
      if (fs.existsSync(file)) out[name] = parseConfig(file);
    }
    if (Object.keys(out).length > 0) return out;
    throw new ScaleLadderError(`${stacksDir} holds no <name>/${STACK_FILE}; expected ${EXPECTED}`);
  }
  const single = path.join(target, STACK_FILE);
  if (fs.existsSync(single)) return { [path.basename(path.resolve(target))]: parseConfig(single) };
  throw new ScaleLadderError(`${target} holds no manifest.json, stacks/ or ${STACK_FILE}; expected ${EXPECTED}`);
}

function stampIn(config: any): RungStamp | undefined {
  return parseRungStamp(config?.['//']?.[RUNG_STAMP_KEY]);
}

/** The tier names the stamps of `configs` record, joined, or undefined when none has one. */
function tiersOf(configs: Record<string, any>): string | undefined {
  const tiers = [...new Set(Object.values(configs).map(stampIn).filter((s): s is RungStamp => s !== undefined).map(s => s.tier))];
  return tiers.length > 0 ? tiers.join('+') : undefined;
}

/**
 * The plan from `before` to `after` (stack name → cdk.tf.json, as readGcpOutput returns). Stacks
 * pair by name (when each side holds exactly one stack, those two pair whatever their names); a
 * stack on one side only is all ADD or all REMOVE. With more than one stack, every change id (and
 * interruption id) starts with `<stack>:`, every step title with `<stack>: `. Each pair is planned from its rung
 * stamps; a side without one gets its resource changes only and a note. `plan.from` / `plan.to`
 * are the stamps' tier names, else `labels`, else `(no rung stamp)`.
 */
export function planTerraform(before: Record<string, any>, after: Record<string, any>, labels: { from?: string; to?: string } = {}): UpgradePlan {
  const notes: string[] = [];
  const [fromNames, toNames] = [Object.keys(before).sort(), Object.keys(after).sort()];
  const pairs: Array<{ name: string; from?: any; to?: any }> = [];
  if (fromNames.length === 1 && toNames.length === 1) {
    const [f, t] = [fromNames[0], toNames[0]];
    if (f !== t) notes.push(`the before output's one stack '${f}' and the after output's one stack '${t}' are compared with each other`);
    pairs.push({ name: t, from: before[f], to: after[t] });
  } else {
    for (const name of [...new Set([...fromNames, ...toNames])].sort()) {
      pairs.push({ name, from: before[name], to: after[name] });
      if (!(name in after)) notes.push(`stack '${name}' is only in the before output: every resource in it is removed`);
      if (!(name in before)) notes.push(`stack '${name}' is only in the after output: every resource in it is added`);
    }
  }
  const prefixed = pairs.length > 1;
  const tag = (stack: string, id: string) => (prefixed ? `${stack}:${id}` : id);
  const changes: ResourceChange[] = [];
  const migrations: MigrationStep[] = [];
  const interruptions: Interruption[] = [];
  let unsafe = false;
  for (const pair of pairs) {
    const [fromConfig, toConfig] = [pair.from ?? {}, pair.to ?? {}];
    const [fromStamp, toStamp] = [stampIn(pair.from), stampIn(pair.to)];
    // A stack present on one side only is added or removed whole: there is no rung change to plan.
    const whole = pair.from === undefined || pair.to === undefined;
    const part = planStack(pair.name, fromConfig, toConfig, whole ? undefined : fromStamp, whole ? undefined : toStamp, { wholeStack: whole });
    changes.push(...part.changes.map(c => ({ ...c, id: tag(pair.name, c.id) })));
    migrations.push(...part.migrations.map(m => ({ ...m, title: prefixed ? `${pair.name}: ${m.title}` : m.title })));
    interruptions.push(...part.interruptions.map(i => ({ ...i, id: tag(pair.name, i.id) })));
    notes.push(...part.notes);
    unsafe = unsafe || part.unsafe;
  }
  return {
    cloud: 'gcp',
    from: tiersOf(before) ?? labels.from ?? '(no rung stamp)',
    to: tiersOf(after) ?? labels.to ?? '(no rung stamp)',
    changes,
    migrations,
    interruptions,
    ...(notes.length > 0 ? { notes } : {}),
    verdict: unsafe ? 'UNSAFE' : verdictOf(changes, migrations),
  };
}

function outputOf(input: PlanInput, side: 'from' | 'to'): Record<string, any> {
  if ('rung' in input) {
    // Loaded here so that planning outputs on disk never loads cdktf.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { gcpRungConfig } = require('../ladder/synth-rung') as typeof import('../ladder/synth-rung');
    return { [GCP_STACK_NAME]: gcpRungConfig(Tier.fromName(input.rung).name) };
  }
  if ('path' in input && typeof input.path === 'string') return readGcpOutput(input.path);
  throw new ScaleLadderError(`--${side} must be a rung name or the path of a cdktf output, got ${JSON.stringify(input)}`);
}

/**
 * The plan from one input to another: a rung name synthesizes the library's demo app at that rung
 * (gcpRungConfig), a path reads a cdktf output (readGcpOutput). What the CLI calls.
 */
export function planGcpInputs(from: PlanInput, to: PlanInput): UpgradePlan {
  const label = (input: PlanInput) => ('rung' in input ? input.rung : input.path);
  return planTerraform(outputOf(from, 'from'), outputOf(to, 'to'), { from: label(from), to: label(to) });
}

/**
 * The plan for applying the cdktf output at `after` over the one at `before` (output
 * directories, stack directories or cdk.tf.json files). The library API behind
 * `scale-ladder plan --cloud gcp`.
 */
export function planGcpOutputs(before: string, after: string): UpgradePlan {
  return planGcpInputs({ path: before }, { path: after });
}
