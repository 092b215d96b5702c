// Regenerates docs/compliance.md: every validation finding the library acknowledges instead of
// fixing (cdk-nag's AwsSolutions rules and aws-cdk-lib's CloudFormation validation), with the
// rule, the resources, the rungs and the reason, read from two places so neither can drift:
//
// - the construct tree of every AWS rung, built as the test suites build it: each
//   `Validations.of(scope).acknowledge({ id, reason })` records `aws:cdk:acknowledged-rules`
//   metadata on `scope` (the key cdk-nag v3 reads), and cdk-nag is run over every stack to count
//   the findings each acknowledgement actually suppresses;
// - the source of lib/aws, parsed with the TypeScript compiler: every `{ id, reason }` object
//   literal and every call of the acknowledgements.ts / origin-protection.ts helpers, so each
//   reason is traced to its file and the declaration that makes it (no line numbers, so an edit
//   elsewhere in the file does not change the document), and an acknowledgement no demo rung
//   makes is still listed.
//
// What could be fixed instead of acknowledged is the one judgement made by hand (FIXES below); an
// entry that no longer matches an acknowledgement is listed as stale in the document.
//
//   ts-node --transpile-only --project test/tsconfig.json build-tools/compliance-table.ts [FILE]
//   (FILE defaults to docs/compliance.md)
import * as fs from 'fs';
import * as path from 'path';
// A build tool, not shipped (package.json files): its devDependencies are available.
// eslint-disable-next-line import/no-extraneous-dependencies
import * as ts from 'typescript';

export const COMPLIANCE_DOC = path.join(__dirname, '..', 'docs', 'compliance.md');
const ROOT = path.join(__dirname, '..');
const SOURCE_DIR = path.join(ROOT, 'lib', 'aws');
const RUNGS = ['1K', '10K', '100K', '1M', '10M', '100M', '1B'];
const METADATA_KEY = 'aws:cdk:acknowledged-rules';

/** One acknowledgement (rule id and reason) as the rungs make it. */
export interface Acknowledgement {
  /** The id as acknowledged, without aws-cdk-lib's `Annotation::` prefix (e.g. `AwsSolutions-IAM5[Resource::*]`). */
  readonly id: string;
  /** cdk-nag (AwsSolutions) or aws-cdk-lib's CloudFormation validation. */
  readonly checker: 'cdk-nag' | 'CloudFormation validation';
  readonly reason: string;
  /** Construct paths the acknowledgement is recorded on (it covers their subtree), over all rungs. */
  readonly paths: string[];
  /** Rungs that make it. */
  readonly rungs: string[];
  /** cdk-nag findings it suppressed, summed over the rungs (undefined for CloudFormation validation, which is not re-run here). */
  readonly suppressed?: number;
}

/** Where a reason is written in lib/aws. */
export interface SourceSite {
  readonly file: string;
  readonly line: number;
  /** The class member, function or constant that makes it, e.g. `SingleServer` (its constructor) or `acknowledgeLogRetentionFunction`. */
  readonly declaration: string;
  /** The id as written (a literal, or the expression that builds it). */
  readonly id: string;
  readonly reason: string;
}

export interface ComplianceInput {
  readonly acknowledgements: Acknowledgement[];
  readonly unacknowledged: Finding[];
  readonly sites: SourceSite[];
}

// ---------------------------------------------------------------------------------------------
// The rungs' acknowledgements
// ---------------------------------------------------------------------------------------------

/** A cdk-nag finding no acknowledgement covers (test/aws/rungs.test.ts fails on any). */
export interface Finding {
  readonly rung: string;
  readonly id: string;
  readonly path: string;
}

/**
 * Builds every AWS rung (pinned flags, as the suites do), reads the acknowledgements, and runs
 * cdk-nag over every stack to count what each suppresses and to find what none covers.
 */
export function collectAcknowledgements(): { acknowledgements: Acknowledgement[]; unacknowledged: Finding[] } {
  /* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
  // Loaded here so that reading or rendering a document needs no aws-cdk-lib.
  const { Stack } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const { AwsSolutionsChecks } = require('cdk-nag') as typeof import('cdk-nag');
  const { buildAwsRung } = require('../lib/aws/ladder/synth-rung') as typeof import('../lib/aws/ladder/synth-rung');
  const { PINNED_FLAGS } = require('../test/support/feature-flags') as typeof import('../test/support/feature-flags');
  /* eslint-enable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */

  const byKey = new Map<string, { id: string; reason: string; paths: Set<string>; rungs: Set<string>; suppressed: number }>();
  const unacknowledged: Finding[] = [];
  const keyOf = (id: string, reason: string) => JSON.stringify([id, reason]);
  for (const rung of RUNGS) {
    const { app } = buildAwsRung(rung, undefined, { context: PINNED_FLAGS });
    app.synth();
    const owners = new Map<string, string[]>(); // construct path + id → keys
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== METADATA_KEY || !entry.data) continue;
        for (const [qualified, reason] of Object.entries<string>(entry.data)) {
          const id = qualified.replace(/^annotation::/i, '');
          const key = keyOf(id, reason);
          if (!byKey.has(key)) byKey.set(key, { id, reason, paths: new Set(), rungs: new Set(), suppressed: 0 });
          const ack = byKey.get(key)!;
          ack.paths.add(construct.node.path);
          ack.rungs.add(rung);
          owners.set(`${construct.node.path}\n${id}`, [...(owners.get(`${construct.node.path}\n${id}`) ?? []), key]);
        }
      }
    }
    // cdk-nag asks, for every finding, whether the resource or an ancestor acknowledges it
    // (NagPack.isAcknowledged in cdk-nag v3, the same walk test/aws/rungs.test.ts relies on);
    // answering that here tells which acknowledgement suppressed it.
    const pack = new AwsSolutionsChecks() as any;
    if (typeof pack.isAcknowledged !== 'function') throw new Error('cdk-nag no longer has NagPack.isAcknowledged: update build-tools/compliance-table.ts');
    pack.isAcknowledged = (resource: any, ruleId: string): boolean => {
      for (let c = resource; c; c = c.node.scope) {
        const keys = owners.get(`${c.node.path}\n${ruleId}`);
        if (keys) {
          byKey.get(keys[0])!.suppressed++;
          return true;
        }
      }
      return false;
    };
    for (const stack of app.node.children.filter(Stack.isStack)) {
      for (const v of pack.validateScope(stack).violations) {
        for (const r of v.violatingResources) unacknowledged.push({ rung, id: v.ruleName, path: r.constructPath });
      }
    }
  }
  const acknowledgements = [...byKey.values()].map(a => {
    const nag = a.id.startsWith('AwsSolutions-');
    return {
      id: a.id,
      checker: nag ? 'cdk-nag' : 'CloudFormation validation',
      reason: a.reason,
      paths: [...a.paths].sort(),
      rungs: RUNGS.filter(r => a.rungs.has(r)),
      suppressed: nag ? a.suppressed : undefined,
    } as Acknowledgement;
  }).sort((x, y) => x.id.localeCompare(y.id) || x.reason.localeCompare(y.reason));
  return { acknowledgements, unacknowledged };
}

// ---------------------------------------------------------------------------------------------
// The source's acknowledgements
// ---------------------------------------------------------------------------------------------

/** The value of a string literal, a template without substitutions or a concatenation of them; undefined otherwise. */
function literal(node: ts.Expression | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return literal(node.expression);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = literal(node.left);
    const r = literal(node.right);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  return undefined;
}

/** The named declaration around a node: `Class.method`, `Class` (its constructor or a field), `function` or `CONSTANT`. */
function declarationOf(node: ts.Node): string {
  const names: string[] = [];
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if ((ts.isMethodDeclaration(n) || ts.isFunctionDeclaration(n)) && n.name) names.unshift(n.name.getText());
    else if (ts.isClassDeclaration(n) && n.name) names.unshift(n.name.text);
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && ts.isSourceFile(n.parent.parent.parent)) names.unshift(n.name.text);
  }
  return names.join('.') || '(module)';
}

const where = (s: SourceSite) => `${s.file} (\`${s.declaration}\`)`;
const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  }).sort();
}

/**
 * Every place lib/aws writes an acknowledgement reason: `{ id, reason }` object literals, and
 * the reason argument of acknowledgeManagedPolicy, acknowledgeBucketObjects and
 * acknowledgeCustomResourceFunction.
 */
export function sourceSites(dir: string = SOURCE_DIR): SourceSite[] {
  const sites: SourceSite[] = [];
  for (const file of sourceFiles(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    const add = (at: ts.Node, id: string, reason: ts.Expression | undefined) => {
      const value = literal(reason);
      if (value === undefined) return; // a parameter passed on (the helpers): its call sites are the sites
      const line = source.getLineAndCharacterOfPosition(at.getStart(source)).line + 1;
      sites.push({ file: rel, line, declaration: declarationOf(at), id, reason: value });
    };
    const visit = (node: ts.Node) => {
      if (ts.isObjectLiteralExpression(node)) {
        const props = new Map(node.properties.filter(ts.isPropertyAssignment).map(p => [p.name.getText(source), p.initializer]));
        if (props.has('id') && props.has('reason')) add(node, literal(props.get('id')) ?? props.get('id')!.getText(source), props.get('reason'));
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const [, second, third] = node.arguments;
        switch (node.expression.text) {
          case 'acknowledgeManagedPolicy':
            add(node, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${literal(second) ?? second.getText(source)}]`, third);
            break;
          case 'acknowledgeBucketObjects':
            add(node, 'AwsSolutions-IAM5[Resource::<bucket>.Arn>/*]', third);
            break;
          case 'acknowledgeCustomResourceFunction':
            add(node, 'AwsSolutions-IAM5[Resource::*]', second);
            break;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sites;
}

// ---------------------------------------------------------------------------------------------
// What could be fixed instead (the hand-made judgement; cite the provider's pages)
// ---------------------------------------------------------------------------------------------

interface Fix {
  /** The acknowledged id (exactly), and what its reason matches when the id is acknowledged for several reasons. */
  readonly id: string;
  readonly reason?: RegExp;
  readonly fix: string;
}

const FIXES: Fix[] = [
  {
    id: 'AwsSolutions-SMG4',
    reason: /^No hosted rotation exists for an ElastiCache AUTH token/,
    fix: 'Automate the documented procedure: a rotation function that calls ModifyReplicationGroup with the new token and `AuthTokenUpdateStrategy` ROTATE (old and new tokens both accepted), waits for the app to reconnect, then SET; or move to RBAC users, whose passwords Secrets Manager can rotate ("Authenticating with the Valkey and Redis OSS AUTH command", Amazon ElastiCache User Guide: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html).',
  },
  {
    id: 'AwsSolutions-SMG4',
    reason: /^CloudFormation copies the value into CloudFront/,
    fix: 'A scheduled two-step change instead of a rotation function: add the new value to the listener rules\' header condition (it matches any of its values) and deploy, switch CloudFront\'s origin header to it and deploy, then drop the old value; the acknowledgement can then say the value is rotated by that runbook.',
  },
  {
    id: 'AwsSolutions-CFR5',
    fix: 'Issue the certificate in the library when `zone` is given (DNS-validated ACM certificate for the zone\'s name in the stack\'s region, an HTTPS listener on the load balancer): the origins then switch to `https-only` with the viewer\'s Host forwarded, as they already do when the app passes `certificate` and `zone` ("Requiring HTTPS for communication between CloudFront and your custom origin", CloudFront Developer Guide: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html).',
  },
];

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

/** `[Resource::*]` of `AwsSolutions-IAM5[Resource::*]`, '' for a plain rule id. */
function split(id: string): { rule: string; finding: string } {
  const m = id.match(/^([^[]+)(?:\[(.*)\])?$/)!;
  return { rule: m[1].replace(/^CloudFormation-Validate::/, ''), finding: m[2] ?? '' };
}

/** 1K, 10K, …: "every rung", "from 1M", "1K–10K", "100M, 1B". */
function rungRange(rungs: string[]): string {
  const idx = rungs.map(r => RUNGS.indexOf(r));
  const contiguous = idx.every((v, i) => i === 0 || v === idx[i - 1] + 1);
  if (rungs.length === RUNGS.length) return 'every rung';
  if (contiguous && idx[idx.length - 1] === RUNGS.length - 1 && rungs.length > 1) return `from ${rungs[0]}`;
  if (contiguous && rungs.length > 2) return `${rungs[0]}–${rungs[rungs.length - 1]}`;
  return rungs.join(', ');
}

/**
 * Construct paths, shorter: the stack name, then the path below it; numbered siblings (Shard1 …
 * Shard7) as one `Shard{1–7}`.
 */
function paths(all: string[]): string {
  const byRest = new Map<string, Set<string>>();
  for (const p of all) {
    const [stack, ...rest] = p.split('/');
    const r = rest.join('/') || '(stack)';
    byRest.set(r, (byRest.get(r) ?? new Set()).add(stack));
  }
  // Merge paths that differ in one number, over the same stacks.
  const groups = new Map<string, { nums: number[]; stacks: string }>();
  for (const [rest, stacks] of byRest) {
    const key = `${rest.replace(/(\D)(\d+)(?=\/|$)/, '$1#')}\n${[...stacks].sort().join(',')}`;
    const num = Number(rest.match(/\D(\d+)(?=\/|$)/)?.[1]);
    const g = groups.get(key) ?? { nums: [], stacks: [...stacks].sort().join(', ') };
    g.nums.push(num);
    groups.set(key, g);
  }
  const lines = [...groups].map(([key, g]) => {
    const pattern = key.split('\n')[0];
    const nums = g.nums.filter(n => !Number.isNaN(n)).sort((a, b) => a - b);
    const rest = nums.length > 1 ? pattern.replace('#', `{${nums[0]}–${nums[nums.length - 1]}}`) : pattern.replace('#', String(nums[0] ?? ''));
    return `\`${rest}\` (${g.stacks})`;
  });
  return lines.sort().join('<br>');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function sitesOf(ack: Acknowledgement, sites: SourceSite[]): SourceSite[] {
  return sites.filter(s => s.reason === ack.reason);
}

function fixesFor(ack: Acknowledgement): Fix[] {
  return FIXES.filter(f => f.id === ack.id && (f.reason === undefined || f.reason.test(ack.reason)));
}

function ackTable(acks: Acknowledgement[], sites: SourceSite[], withSuppressed: boolean): string {
  const head = withSuppressed
    ? ['| rule | finding | resources (construct paths, stack) | rungs | findings suppressed | reason | source |', '|---|---|---|---|---|---|---|']
    : ['| rule | finding | resources (construct paths, stack) | rungs | reason | source |', '|---|---|---|---|---|---|'];
  const rows = acks.map(a => {
    const { rule, finding } = split(a.id);
    const sources = unique(sitesOf(a, sites).map(where));
    const cols = [`\`${rule}\``, finding ? `\`${cell(finding)}\`` : '', paths(a.paths), rungRange(a.rungs)];
    if (withSuppressed) cols.push(String(a.suppressed));
    cols.push(cell(a.reason), sources.length > 0 ? sources.join('<br>') : 'aws-cdk-lib');
    return `| ${cols.join(' | ')} |`;
  });
  return [...head, ...rows].join('\n');
}

/** docs/compliance.md for these acknowledgements and source sites. */
export function complianceMarkdown(input: ComplianceInput): string {
  const { acknowledgements: acks, unacknowledged, sites } = input;
  const stale = FIXES.filter(f => !acks.some(a => fixesFor(a).includes(f)));
  const library = acks.filter(a => sitesOf(a, sites).length > 0);
  const nag = library.filter(a => a.checker === 'cdk-nag');
  const cfn = library.filter(a => a.checker === 'CloudFormation validation');
  const fromCdk = acks.filter(a => sitesOf(a, sites).length === 0);
  const unmade = sites.filter(s => !acks.some(a => a.reason === s.reason));
  const unused = nag.filter(a => a.suppressed === 0);

  const perRung = RUNGS.map(r => {
    const on = (xs: Acknowledgement[]) => xs.filter(a => a.rungs.includes(r)).length;
    return `| ${r} | ${on(nag)} | ${on(cfn)} | ${on(fromCdk)} |`;
  });

  const fixLines: string[] = [];
  for (const a of nag) {
    const { rule, finding } = split(a.id);
    const label = `\`${rule}\`${finding ? ` \`[${finding}]\`` : ''} on ${paths(a.paths).replace(/<br>/g, ', ')}`;
    for (const f of fixesFor(a)) fixLines.push(`- ${label} (${rungRange(a.rungs)}): ${f.fix}`);
    if (a.suppressed === 0 && fixesFor(a).length === 0) {
      const twin = nag.find(b => b !== a && b.id === a.id && (b.suppressed ?? 0) > 0 && a.paths.every(p => b.paths.includes(p)));
      fixLines.push(twin
        ? `- ${label} (${rungRange(a.rungs)}): the same id is acknowledged on the same constructs for another reason ("${twin.reason}"), which is the one cdk-nag matches; fold this reason into that acknowledgement.`
        : `- ${label} (${rungRange(a.rungs)}): suppresses no finding on any demo rung; remove it, or make it conditional on the configuration that raises the finding.`);
    }
  }

  return `<!-- Generated by build-tools/compliance-table.ts from the rungs' construct trees and lib/aws; do not edit. test/docs/compliance-table.test.ts fails when it drifts. -->
# Compliance: acknowledged findings

The library runs two checkers over every AWS rung and fails when either reports something it has
not acknowledged in code: cdk-nag's AwsSolutions rules (\`test/aws/rungs.test.ts\`) and aws-cdk-lib's
CloudFormation validation (pinned on with \`@aws-cdk/core:validateAgainstDefaultRules\`). Each
acknowledgement is a \`Validations.of(scope).acknowledge({ id, reason })\` call, which records the id
and the reason on the construct as \`aws:cdk:acknowledged-rules\` metadata; it covers the construct's
whole subtree, and an IAM finding's id names the exact policy or resource (\`AwsSolutions-IAM5[Resource::…]\`).
The library adds no \`NagSuppressions\`. Google Cloud has no such checker in the library, so this
document is AWS only. Regenerate after changing an acknowledgement or the ladder:

\`\`\`sh
npx ts-node --transpile-only --project test/tsconfig.json build-tools/compliance-table.ts
\`\`\`

Read from the construct tree of every rung of the demo app (built as the test suites build it) and
from the source of \`lib/aws\`. *Findings suppressed* counts the cdk-nag findings, summed over the
rungs, that the acknowledgement actually silenced when cdk-nag ran over every stack.

| rung | cdk-nag | CloudFormation validation | made by aws-cdk-lib |
|---|---|---|---|
${perRung.join('\n')}

## cdk-nag (AwsSolutions)

${ackTable(nag, sites, true)}

## CloudFormation validation

${ackTable(cfn, sites, false)}

## Made by aws-cdk-lib, not the library

${fromCdk.length > 0 ? ackTable(fromCdk, sites, false) : 'None.'}

## In the code but on no demo rung

${unmade.length > 0 ? ['| rule (as written) | reason | source |', '|---|---|---|', ...unmade.map(s => `| \`${cell(s.id)}\` | ${cell(s.reason)} | ${where(s)} |`)].join('\n') : 'None: every acknowledgement in lib/aws is made on some rung.'}

## Findings no acknowledgement covers

${unacknowledged.length === 0 ? 'None (test/aws/rungs.test.ts fails on any).' : ['| rung | rule | resource |', '|---|---|---|', ...unacknowledged.map(f => `| ${f.rung} | \`${cell(f.id)}\` | \`${f.path}\` |`)].join('\n')}

## Could be fixed

Acknowledgements where a fix is reasonable instead (the library does not make these changes yet):

${fixLines.join('\n')}

${stale.length === 0 ? '' : `Fix notes in build-tools/compliance-table.ts that match no acknowledgement any more (the code changed: update or drop them):\n\n${stale.map(f => `- \`${f.id}\`${f.reason ? ` (reason matching \`${f.reason.source}\`)` : ''}`).join('\n')}\n\n`}${unused.length === 0 ? 'Every cdk-nag acknowledgement suppresses at least one finding on some rung.' : `${unused.length === 1 ? 'One cdk-nag acknowledgement suppresses' : `${unused.length} cdk-nag acknowledgements suppress`} no finding on any demo rung (listed above).`}
The others are kept: they acknowledge what the rung is (a public server on 1K–10K, a public load
balancer without a CDN on 100K), an AWS managed policy AWS documents for that service role, an
action without resource-level permissions, or resources named only at run time.
`;
}

if (require.main === module) {
  const file = process.argv[2] ? path.resolve(process.argv[2]) : COMPLIANCE_DOC;
  process.env.CDK_VALIDATION ??= 'false';
  const markdown = complianceMarkdown({ ...collectAcknowledgements(), sites: sourceSites() });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, markdown);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file) || file}\n`);
}
