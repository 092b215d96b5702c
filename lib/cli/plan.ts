import * as fs from 'fs';
import { CliIo, parseCloud, ParsedOptions, requireOption, resolvePath, UsageError } from './args';
import { plannerFor } from './clouds';
import { Command, writeJson, writeLines } from './command';
import { plural, table } from './format';
import { Tier } from '../core/tier';
import { ChangeAction, losesData, PlanInput, ResourceChange, UpgradePlan } from '../core/upgrade-plan';

const ACTIONS: ReadonlyArray<{ action: ChangeAction; mark: string; words: string }> = [
  { action: 'ADD', mark: '+', words: 'to add' },
  { action: 'UPDATE', mark: '~', words: 'to update in place' },
  { action: 'REPLACE', mark: '!', words: 'to replace' },
  { action: 'REMOVE', mark: '-', words: 'to remove' },
];
const MARK = Object.fromEntries(ACTIONS.map(a => [a.action, a.mark])) as Record<ChangeAction, string>;

export function summarize(changes: readonly ResourceChange[]): Record<'added' | 'updated' | 'replaced' | 'removed' | 'retained', number> {
  const count = (action: ChangeAction) => changes.filter(c => c.action === action).length;
  return {
    added: count('ADD'),
    updated: count('UPDATE'),
    replaced: count('REPLACE'),
    removed: count('REMOVE'),
    retained: changes.filter(c => c.action === 'REMOVE' && c.retained).length,
  };
}

function note(change: ResourceChange): string {
  const notes: string[] = [];
  if (change.stateful) notes.push('stateful');
  if (change.action === 'REMOVE') notes.push(change.retained ? 'retained (orphaned, not deleted)' : 'deleted');
  if (change.properties?.length) notes.push(change.properties.join(', '));
  if (losesData(change)) notes.push('LOSES DATA');
  return notes.join('; ');
}

/** The plan as text: changes grouped by layer, the totals, the migration steps, the verdict last. */
export function renderPlan(plan: UpgradePlan): string[] {
  const lines = [`${plan.cloud} ${plan.from} → ${plan.to}: upgrade plan`];
  const layers = [...new Set(plan.changes.map(c => c.layer))].sort((a, b) => a.localeCompare(b));
  for (const layer of layers) {
    const changes = plan.changes.filter(c => c.layer === layer);
    lines.push('', `${layer}  (${plural(changes.length, 'change')})`);
    lines.push(...table(changes.map(c => [MARK[c.action], c.action.toLowerCase(), c.id, c.type, note(c)]), [], '  '));
  }
  if (plan.changes.length === 0) lines.push('', 'No resource changes.');
  const s = summarize(plan.changes);
  lines.push('', `${s.added} to add, ${s.updated} to update in place, ${s.replaced} to replace, ${s.removed} to remove` +
    (s.removed ? ` (${s.retained} of them retained)` : ''));
  const losing = plan.changes.filter(losesData);
  if (losing.length) {
    lines.push('', 'Data loss: these stateful resources would be replaced or deleted:');
    lines.push(...losing.map(c => `  ${c.id} (${c.type}) ${c.action === 'REPLACE' ? 'replaced' : 'deleted'}${c.lost ? `: loses ${c.lost}` : ''}`));
  }
  if (plan.migrations.length) {
    lines.push('', 'Migration steps (run them as part of the swap; run the commands of each step as a bash script, so a STOP check ends the script, not your shell):');
    plan.migrations.forEach((m, i) => {
      lines.push(`  ${i + 1}. ${m.title}`);
      lines.push(...m.instructions.split('\n').map(l => `     ${l}`));
    });
  }
  if (plan.interruptions.length) {
    lines.push('', 'Interruptions (outages during the swap: in-place updates that interrupt, and the steps):');
    lines.push(...plan.interruptions.map(i => `  ${i.id}: ${i.what}; expected downtime ${i.downtime} (${i.source})`));
  }
  if (plan.notes?.length) lines.push('', 'Notes:', ...plan.notes.map(n => `  ${n}`));
  lines.push('', `verdict: ${plan.verdict}`);
  return lines;
}

const OUTPUT_HINT = 'a cdk.out directory or *.template.json on AWS, a cdktf output directory or cdk.tf.json on Google Cloud';

/** A rung name (unless written as a path) or an existing path. */
export function parsePlanInput(values: ParsedOptions, name: string, io: CliIo): PlanInput {
  const rungs = Tier.all().map(t => t.name);
  const raw = requireOption(values, name, `a rung (${rungs.join(' ')}) or a path: ${OUTPUT_HINT}`);
  const rung = rungs.find(r => r.toUpperCase() === raw.toUpperCase());
  const writtenAsPath = /[\\/]/.test(raw) || raw.startsWith('.');
  if (rung && !writtenAsPath) return { rung };
  const file = resolvePath(io, raw);
  if (!fs.existsSync(file)) {
    throw new UsageError(`--${name} must be a rung (${rungs.join(', ')}) or the path of synthesized output (${OUTPUT_HINT}), got '${raw}': no such file or directory`);
  }
  return { path: file };
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'the upgrade plan for a swap (either direction, your own output or the demo app), with a SAFE / MIGRATION / UNSAFE verdict',
  synopsis: '--cloud aws|gcp --from X --to X [--json]',
  description: [
    'X is a rung (1K … 1B: the built-in demo app) or the path of your own synthesized output: on AWS a',
    'cloud assembly directory (cdk.out; every stack paired by name) or one *.template.json, on Google',
    'Cloud a cdktf output directory, a stack directory or one cdk.tf.json. Compares both sides resource',
    'by resource: added, updated in place, replaced, removed (and whether a removed resource is',
    'retained), grouped by layer, plus the migration steps a data move needs, named after your stacks',
    'and resources. Downgrades are planned too. Exit code 0 for SAFE and MIGRATION, 1 for UNSAFE (a',
    'stateful resource would be replaced, deleted or emptied).',
  ].join('\n'),
  options: {
    cloud: { type: 'string', value: 'aws|gcp', description: 'the cloud (required)' },
    from: { type: 'string', value: 'X', description: 'what is deployed now: a rung or a path (required)' },
    to: { type: 'string', value: 'X', description: 'what to deploy instead: a rung or a path (required)' },
    json: { type: 'boolean', description: 'print one JSON object' },
  },
  run(values, io) {
    const cloud = parseCloud(values);
    const from = parsePlanInput(values, 'from', io);
    const to = parsePlanInput(values, 'to', io);
    const plan = plannerFor(cloud)(from, to);
    const exitCode = plan.verdict === 'UNSAFE' ? 1 : 0;
    if (values.json) {
      writeJson(io, { ...plan, summary: summarize(plan.changes) });
    } else {
      writeLines(io, renderPlan(plan));
    }
    return exitCode;
  },
};
