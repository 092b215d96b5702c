import * as fs from 'fs';
import * as path from 'path';
import {
  Acknowledgement, collectAcknowledgements, COMPLIANCE_DOC, complianceMarkdown, Finding, SourceSite, sourceSites,
} from '../../build-tools/compliance-table';

/*
 * docs/compliance.md is generated from the rungs' construct trees and the source of lib/aws
 * (build-tools/compliance-table.ts). Building the seven AWS rungs without synthesizing their
 * assets takes a few seconds; cdk-nag runs over every stack once.
 */

const REGENERATE = 'npx ts-node --transpile-only --project test/tsconfig.json build-tools/compliance-table.ts';

let acknowledgements: Acknowledgement[];
let unacknowledged: Finding[];
let sites: SourceSite[];
beforeAll(() => {
  ({ acknowledgements, unacknowledged } = collectAcknowledgements());
  sites = sourceSites();
});

describe(`docs/compliance.md (regenerate with \`${REGENERATE}\`)`, () => {
  test('is exactly what the generator writes from the rungs and lib/aws', () => {
    const committed = fs.readFileSync(COMPLIANCE_DOC, 'utf8').split('\n');
    expect(committed).toEqual(complianceMarkdown({ acknowledgements, unacknowledged, sites }).split('\n'));
  });

  test('every acknowledgement a rung makes is traced to where lib/aws makes it, except aws-cdk-lib\'s own', () => {
    const untraced = acknowledgements.filter(a => !sites.some(s => s.reason === a.reason));
    // aws-cdk-lib acknowledges these on the VPC flow log it creates (not the library's code).
    expect(untraced.map(a => a.id).sort()).toEqual(['CloudFormation-Validate::F3002', 'CloudFormation-Validate::F3003']);
    for (const s of sites) {
      const line = fs.readFileSync(path.join(__dirname, '..', '..', s.file), 'utf8').split('\n')[s.line - 1];
      expect({ site: `${s.file}:${s.line}`, line }).toEqual({ site: `${s.file}:${s.line}`, line: expect.stringMatching(/acknowledge|\{|id:/) });
    }
  });

  test('the source scan finds each way lib/aws acknowledges: object literals, shared constants and the helpers', () => {
    const find = (file: string, id: RegExp) => sites.filter(s => s.file === `lib/aws/${file}` && id.test(s.id));
    expect(find('network/availability-zones.ts', /^CloudFormation-Validate::W3010$/).map(s => s.declaration)).toEqual(['ZONES_ARE_EXPLICIT']);
    expect(find('compute/single-server.ts', /^AwsSolutions-IAM4\[Policy::.*AmazonSSMManagedInstanceCore\]$/)).toHaveLength(1);
    expect(find('ladder/scale-ladder.ts', /^AwsSolutions-IAM5\[Resource::<bucket>\.Arn>\/\*\]$/)).toHaveLength(1);
    expect(find('edge/origin-protection.ts', /^AwsSolutions-IAM5\[Resource::\*\]$/).map(s => s.reason)).toEqual([expect.stringContaining('DescribeManagedPrefixLists')]);
    // Built ids are kept as written.
    expect(find('operations/chaos-experiments.ts', /nagArn/).map(s => s.declaration)).toEqual(['ChaosExperiments']);
    expect(find('operations/chaos-experiments.ts', /^AwsSolutions-IAM5\[Resource::\*\]$/).map(s => s.declaration)).toEqual(['ChaosExperiments.experimentRole']);
  });

  test('cdk-nag counts: a reason that suppresses findings on a rung is credited on that rung', () => {
    const dlm = acknowledgements.find(a => a.id.includes('AWSDataLifecycleManagerServiceRole'))!;
    expect(dlm.rungs).toHaveLength(7);
    expect(dlm.suppressed).toBeGreaterThanOrEqual(7);
    for (const a of acknowledgements) {
      expect({ id: a.id, counted: a.suppressed !== undefined }).toEqual({ id: a.id, counted: a.checker === 'cdk-nag' });
    }
  });

  test('a hand-written fix that no longer matches an acknowledgement is listed as stale', () => {
    const current = complianceMarkdown({ acknowledgements, unacknowledged, sites });
    expect(current).not.toContain('match no acknowledgement any more');
    const withoutCfr5 = acknowledgements.filter(a => a.id !== 'AwsSolutions-CFR5');
    expect(complianceMarkdown({ acknowledgements: withoutCfr5, unacknowledged, sites }))
      .toContain('match no acknowledgement any more (the code changed: update or drop them):\n\n- `AwsSolutions-CFR5`\n');
  });

  test('findings no acknowledgement covers are listed, by rung and resource', () => {
    const finding = { rung: '10K', id: 'AwsSolutions-EC23', path: 'ScaleLadder/App/Example/Resource' };
    expect(complianceMarkdown({ acknowledgements, unacknowledged: [finding], sites }))
      .toContain('| 10K | `AwsSolutions-EC23` | `ScaleLadder/App/Example/Resource` |');
  });
});
