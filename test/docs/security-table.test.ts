import * as fs from 'fs';
import { RUNGS, rungOutputs, RungOutputs, SECURITY_DOC, securityMarkdown } from '../../build-tools/security-table';

/*
 * docs/security.md is generated from the synthesized rungs (build-tools/security-table.ts). The
 * outputs come from the jest global setup's per-rung cache, so the document is regenerated in
 * memory without synthesizing anything again.
 */

const REGENERATE = 'npx ts-node --transpile-only --project test/tsconfig.json build-tools/security-table.ts';

let outputs: RungOutputs;
beforeAll(async () => {
  outputs = await rungOutputs();
});

/** A deep copy to change without touching the shared outputs. */
const copy = (o: RungOutputs): RungOutputs => JSON.parse(JSON.stringify(o));

/** The cells of the row named `control` in the table under `## heading`. */
function row(markdown: string, heading: string, control: string): string[] {
  const section = markdown.slice(markdown.indexOf(`\n## ${heading}\n`));
  const line = section.split('\n').find(l => l.startsWith(`| ${control} |`));
  if (!line) throw new Error(`no row '${control}' under ${heading}`);
  return line.split(' | ').slice(1).map(c => c.replace(/ \|$/, ''));
}

describe(`docs/security.md (regenerate with \`${REGENERATE}\`)`, () => {
  test('is exactly what the generator writes from the synthesized rungs', () => {
    const committed = fs.readFileSync(SECURITY_DOC, 'utf8').split('\n');
    const generated = securityMarkdown(outputs).split('\n');
    // Line by line, so a drift shows the lines that differ.
    expect(committed).toEqual(generated);
  });

  test('has a column per rung on each cloud', () => {
    const markdown = securityMarkdown(outputs);
    for (const heading of ['AWS', 'Google Cloud']) expect(row(markdown, heading, 'control')).toEqual([...RUNGS]);
  });

  test('reads the output: an Aurora cluster without StorageEncrypted shows as a gap on its rung only', () => {
    const changed = copy(outputs);
    const stack = Object.values<any>(changed.aws['1M'])[0];
    const cluster = Object.values<any>(stack.Resources).find(r => r.Type === 'AWS::RDS::DBCluster');
    delete cluster.Properties.StorageEncrypted;
    const cells = row(securityMarkdown(changed), 'AWS', 'Databases (Aurora)');
    expect(cells[RUNGS.indexOf('1M')]).toBe('**no: 1 of 1 cluster lack it**');
    expect(cells[RUNGS.indexOf('10M')]).toMatch(/^yes \(4 clusters/);
    expect(securityMarkdown(changed)).toContain('- AWS / Encryption at rest / Databases (Aurora) — 1M: no: 1 of 1 cluster lack it');
  });

  test('rotation (either cloud) and end-user sign-in read as being added while no rung has them, as missing on a rung once another has', () => {
    const strip = (o: RungOutputs): RungOutputs => {
      const x = copy(o);
      for (const templates of Object.values(x.aws)) {
        for (const t of Object.values<any>(templates)) {
          for (const [id, r] of Object.entries<any>(t.Resources)) if (['AWS::SecretsManager::RotationSchedule', 'AWS::Cognito::UserPool'].includes(r.Type)) delete t.Resources[id];
        }
      }
      for (const config of Object.values<any>(x.gcp)) {
        delete config.resource.google_identity_platform_config;
        for (const [id, job] of Object.entries<any>(config.resource.google_cloud_run_v2_job ?? {})) if (/-rotate-credentials$/.test(job.name)) delete config.resource.google_cloud_run_v2_job[id];
      }
      return x;
    };
    const none = strip(outputs);
    const before = securityMarkdown(none);
    for (const [cloud, control] of [['AWS', 'Rotation'], ['AWS', 'End-user sign-in (Cognito)'], ['Google Cloud', 'Rotation'], ['Google Cloud', 'End-user sign-in (Identity Platform)']]) {
      expect(row(before, cloud, control).every(c => c.includes('being added'))).toBe(true);
    }
    // One rotating secret on AWS: Google Cloud's unrotated secrets are missing rotation, no longer being added.
    const awsOnly = copy(none);
    Object.values<any>(awsOnly.aws['10K'])[0].Resources.TestRotation = { Type: 'AWS::SecretsManager::RotationSchedule', Properties: {} };
    expect(row(securityMarkdown(awsOnly), 'Google Cloud', 'Rotation').every(c => /^\*\*none of \d+\*\*$/.test(c))).toBe(true);
    const some = copy(none);
    const stack = Object.values<any>(some.aws['1K'])[0];
    stack.Resources.TestRotation = { Type: 'AWS::SecretsManager::RotationSchedule', Properties: {} };
    stack.Resources.TestUsers = { Type: 'AWS::Cognito::UserPool', Properties: {} };
    const config = some.gcp['1M'];
    config.resource.google_identity_platform_config = { test: { project: 'p' } };
    // The 1M rotation job back (the scheduler that starts it was never stripped).
    config.resource.google_cloud_run_v2_job = copy(outputs).gcp['1M'].resource.google_cloud_run_v2_job;
    const after = securityMarkdown(some);
    const i1K = RUNGS.indexOf('1K');
    const i1M = RUNGS.indexOf('1M');
    expect(row(after, 'AWS', 'Rotation')[i1K]).toBe('1 of 1');
    expect(row(after, 'AWS', 'Rotation')[i1M]).toMatch(/^\*\*none of \d+\*\*$/);
    expect(row(after, 'AWS', 'End-user sign-in (Cognito)')[i1K]).toBe('user pool (1)');
    expect(row(after, 'AWS', 'End-user sign-in (Cognito)')[i1M]).toBe('none on this rung');
    expect(row(after, 'Google Cloud', 'End-user sign-in (Identity Platform)')[i1M]).toBe('yes');
    expect(row(after, 'Google Cloud', 'Rotation')[i1M]).toBe('1 of 3 secrets');
    expect(row(after, 'Google Cloud', 'Rotation')[i1K]).toBe('**none of 1**');
  });

  test('the origin check needs the header condition on every rule, not only a CDN', () => {
    const changed = copy(outputs);
    const stack = Object.values<any>(changed.aws['1M'])[0];
    const rule = Object.values<any>(stack.Resources).find(r => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule');
    rule.Properties.Conditions = rule.Properties.Conditions.filter((c: any) => c.Field !== 'http-header');
    expect(row(securityMarkdown(changed), 'AWS', 'Origin accepts CloudFront only')[RUNGS.indexOf('1M')]).toBe('**no: 1 of 1 rule without the header**');
  });
});
