import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildAwsRung, STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { PINNED_FLAGS } from '../support/feature-flags';
import { AWS_RUNGS, awsPlan, awsTemplateJson, awsTemplatesJson } from '../support/rungs';

/*
 * Origin protection from the rung with a CDN (1M): every load balancer, in every region,
 * admits CloudFront's origin-facing servers alone and forwards only requests that carry the
 * secret header CloudFront adds; the WAF in front of them is CloudFront-scoped and keys its
 * rate limit on the viewer's address, whatever the primary region.
 */

const CDN_RUNGS = ['1M', '10M', '100M', '1B'];
const HEADER = 'X-Origin-Verify';
const SECRET_REF = /^\{\{resolve:secretsmanager:.+:SecretString:::\}\}$/;

const ofType = (template: any, type: string): Array<[string, any]> =>
  Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);

/** A value as CloudFormation sees it once Refs are named: Fn::Join parts concatenated, Refs as <id>. */
function flat(value: any): string {
  if (typeof value === 'string') return value;
  if (value?.Ref) return `<${value.Ref}>`;
  if (value?.['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (value?.['Fn::Join']) return value['Fn::Join'][1].map(flat).join(value['Fn::Join'][0]);
  return JSON.stringify(value);
}

interface Entry {
  readonly stack: string;
  readonly template: any;
  readonly balancerId: string;
  readonly groupId: string;
  readonly listeners: Array<[string, any]>;
}

/** Every load balancer of a rung, with its security group and listeners. */
function balancers(templates: Record<string, any>): Entry[] {
  const out: Entry[] = [];
  for (const [stack, template] of Object.entries<any>(templates)) {
    for (const [balancerId, lb] of ofType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
      const groups = lb.Properties.SecurityGroups.map((g: any) => g['Fn::GetAtt'][0]);
      expect(groups).toHaveLength(1);
      const listeners = ofType(template, 'AWS::ElasticLoadBalancingV2::Listener').filter(([, l]) => l.Properties.LoadBalancerArn.Ref === balancerId);
      out.push({ stack, template, balancerId, groupId: groups[0], listeners });
    }
  }
  return out;
}

/** The ingress rules of a security group: inline ones and AWS::EC2::SecurityGroupIngress resources. */
function ingressOf(template: any, groupId: string): Array<[string, any]> {
  const inline = (template.Resources[groupId].Properties.SecurityGroupIngress ?? []).map((r: any, i: number) => [`${groupId}[${i}]`, r]);
  const separate = ofType(template, 'AWS::EC2::SecurityGroupIngress')
    .filter(([, r]) => r.Properties.GroupId?.['Fn::GetAtt']?.[0] === groupId)
    .map(([id, r]) => [id, r.Properties]);
  return [...inline, ...separate];
}

const rulesOf = (template: any, listenerId: string) =>
  ofType(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(([, r]) => r.Properties.ListenerArn.Ref === listenerId);

function headerValues(rule: any): any[] {
  return rule.Properties.Conditions.filter((c: any) => c.Field === 'http-header' && c.HttpHeaderConfig.HttpHeaderName === HEADER)
    .flatMap((c: any) => c.HttpHeaderConfig.Values);
}

function expectProtected(entry: Entry): void {
  const { template, groupId, listeners } = entry;
  // Ingress: CloudFront's prefix list only, looked up by a custom resource (no CIDR, no lookup at synth).
  const ingress = ingressOf(template, groupId);
  expect(ingress.length).toBe(1);
  for (const [, rule] of ingress) {
    expect(rule.CidrIp).toBeUndefined();
    expect(rule.CidrIpv6).toBeUndefined();
    expect(rule.SourceSecurityGroupId).toBeUndefined();
    const [lookupId, attribute] = rule.SourcePrefixListId['Fn::GetAtt'];
    expect(attribute).toBe('PrefixLists.0.PrefixListId');
    const lookup = template.Resources[lookupId];
    expect(lookup.Type).toBe('Custom::AWS');
    const call = JSON.parse(lookup.Properties.Create);
    expect(call).toMatchObject({ service: 'EC2', action: 'describeManagedPrefixLists' });
    expect(call.parameters.Filters).toEqual([{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }]);
  }
  // Listeners: the traffic listener answers 403 by default; every rule forwards only with the header.
  const traffic = listeners.filter(([, l]) => !l.Properties.DefaultActions.some((a: any) => a.Type === 'redirect'));
  expect(traffic).toHaveLength(1);
  const [listenerId, listener] = traffic[0];
  expect(listener.Properties.DefaultActions).toEqual([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' } }]);
  const rules = rulesOf(template, listenerId);
  expect(rules.length).toBeGreaterThan(0);
  for (const [, rule] of rules) {
    const values = headerValues(rule);
    expect(values).toHaveLength(1);
    expect(flat(values[0])).toMatch(SECRET_REF);
  }
  // The port CloudFront uses is the only one admitted.
  expect(ingress.map(([, r]) => r.FromPort)).toEqual([listener.Properties.Port]);
}

describe('below the CDN the load balancer stays public', () => {
  test('100K: 0.0.0.0/0 on 80, the listener forwards, no origin header anywhere', () => {
    const [entry] = balancers(awsTemplatesJson('100K'));
    const ingress = ingressOf(entry.template, entry.groupId);
    expect(ingress.map(([, r]) => [r.CidrIp, r.FromPort])).toEqual([['0.0.0.0/0', 80]]);
    expect(entry.listeners[0][1].Properties.DefaultActions[0].Type).toBe('forward');
    expect(JSON.stringify(awsTemplateJson('100K'))).not.toContain(HEADER);
  });

  test('1K and 10K have no load balancer', () => {
    for (const rung of ['1K', '10K']) expect(balancers(awsTemplatesJson(rung))).toEqual([]);
  });
});

describe.each(CDN_RUNGS)('rung %s', (rung) => {
  const templates = awsTemplatesJson(rung);

  test('every load balancer, in every region, admits only CloudFront\'s prefix list and forwards only with the origin header (403 otherwise)', () => {
    const entries = balancers(templates);
    expect(entries.length).toBe(Object.keys(templates).length);
    for (const entry of entries) expectProtected(entry);
  });

  test('CloudFront adds the header to every dynamic origin, from the same secret the listener rules check', () => {
    const [[, distribution]] = ofType(templates[STACK_ID], 'AWS::CloudFront::Distribution');
    const custom = distribution.Properties.DistributionConfig.Origins.filter((o: any) => o.CustomOriginConfig);
    expect(custom.length).toBeGreaterThan(0);
    const [[secretId]] = ofType(templates[STACK_ID], 'AWS::SecretsManager::Secret').filter(([, s]) => s.Properties.Name === 'scale-ladder/ScaleLadder/origin-verify');
    for (const origin of custom) {
      expect(origin.OriginCustomHeaders).toHaveLength(1);
      expect(origin.OriginCustomHeaders[0].HeaderName).toBe(HEADER);
      expect(flat(origin.OriginCustomHeaders[0].HeaderValue)).toBe(`{{resolve:secretsmanager:<${secretId}>:SecretString:::}}`);
    }
    for (const { template, listeners } of balancers(templates)) {
      for (const [listenerId] of listeners) {
        for (const [, rule] of rulesOf(template, listenerId)) {
          const value = flat(headerValues(rule)[0]);
          expect([`{{resolve:secretsmanager:<${secretId}>:SecretString:::}}`, '{{resolve:secretsmanager:scale-ladder/ScaleLadder/origin-verify:SecretString:::}}']).toContain(value);
        }
      }
    }
  });

  test('the header value is never in a template: generated by Secrets Manager, retained, and every use is a dynamic reference', () => {
    const [[, secret]] = ofType(templates[STACK_ID], 'AWS::SecretsManager::Secret').filter(([, s]) => s.Properties.Name === 'scale-ladder/ScaleLadder/origin-verify');
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    expect(secret.DeletionPolicy).toBe('Retain');
    for (const template of Object.values<any>(templates)) {
      const text = JSON.stringify(template);
      // Every place the header is named carries a dynamic reference next to it, nothing else.
      const uses = [...text.matchAll(/"(?:HeaderName|HttpHeaderName)":"X-Origin-Verify"/g)].length;
      expect(uses).toBeGreaterThan(0);
      const values = [
        ...ofType(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').flatMap(([, r]) => headerValues(r)),
        ...ofType(template, 'AWS::CloudFront::Distribution').flatMap(([, d]) => d.Properties.DistributionConfig.Origins
          .flatMap((o: any) => o.OriginCustomHeaders ?? []).filter((h: any) => h.HeaderName === HEADER).map((h: any) => h.HeaderValue)),
      ];
      expect(values).toHaveLength(uses);
      for (const value of values) expect(flat(value)).toMatch(SECRET_REF);
    }
  });

  test('the web ACL is CloudFront-scoped, attached to the distribution, and every rate limit keys on the viewer IP', () => {
    const all = Object.values<any>(templates).flatMap(t => ofType(t, 'AWS::WAFv2::WebACL'));
    expect(all).toHaveLength(1);
    const [[aclId, acl]] = all;
    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    const rate = acl.Properties.Rules.filter((r: any) => r.Statement.RateBasedStatement);
    expect(rate.length).toBeGreaterThan(0);
    for (const rule of rate) {
      expect(rule.Statement.RateBasedStatement.AggregateKeyType).toBe('IP');
      expect(rule.Statement.RateBasedStatement.ForwardedIPConfig).toBeUndefined();
    }
    const [[, distribution]] = ofType(templates[STACK_ID], 'AWS::CloudFront::Distribution');
    expect(distribution.Properties.DistributionConfig.WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    for (const template of Object.values<any>(templates)) {
      expect(JSON.stringify(template)).not.toMatch(/FORWARDED_IP|ForwardedIPConfig/);
      expect(ofType(template, 'AWS::WAFv2::WebACLAssociation')).toEqual([]);
    }
  });

  test('the app\'s own name points at the distribution, and the listener switches to 403 only after it moved', () => {
    const template = templates[STACK_ID];
    const [[recordId, record]] = ofType(template, 'AWS::Route53::RecordSet').filter(([, r]) => r.Properties.Name === 'example.com.');
    const [[distributionId, distribution]] = ofType(template, 'AWS::CloudFront::Distribution');
    expect(record.Properties.AliasTarget).toEqual({
      DNSName: { 'Fn::GetAtt': [distributionId, 'DomainName'] }, HostedZoneId: 'Z2FDTNDATAQYW2', EvaluateTargetHealth: false,
    });
    expect(record.DependsOn).toEqual(expect.arrayContaining([distributionId]));
    expect(distribution.Properties.DistributionConfig.Aliases).toEqual(['example.com']);
    const [primary] = balancers({ [STACK_ID]: template });
    const [[, listener]] = primary.listeners;
    expect(listener.DependsOn).toEqual(expect.arrayContaining([recordId]));
  });
});

describe('rung 1B: no region\'s entry point is unprotected', () => {
  const templates = awsTemplatesJson('1B');

  test('every record that names a load balancer names a protected one; the region names are CloudFront\'s origins', () => {
    const protectedDns = new Set<string>();
    for (const entry of balancers(templates)) {
      expectProtected(entry);
      protectedDns.add(`${entry.stack}/${entry.balancerId}`);
    }
    let aliases = 0;
    for (const [stack, template] of Object.entries<any>(templates)) {
      for (const [, record] of ofType(template, 'AWS::Route53::RecordSet')) {
        const target = record.Properties.AliasTarget?.DNSName?.['Fn::Join']?.[1]?.find((p: any) => p['Fn::GetAtt'])?.['Fn::GetAtt']?.[0]
          ?? record.Properties.AliasTarget?.DNSName?.['Fn::GetAtt']?.[0];
        if (!target || template.Resources[target].Type !== 'AWS::ElasticLoadBalancingV2::LoadBalancer') continue;
        aliases++;
        expect(protectedDns.has(`${stack}/${target}`)).toBe(true);
        expect(record.Properties.Name).toMatch(/origin\.example\.com\.$/);
      }
    }
    expect(aliases).toBe(6);
  });

  test('health checks read CloudWatch alarms, not HTTP requests the load balancers would refuse', () => {
    for (const template of Object.values<any>(templates)) {
      const checks = ofType(template, 'AWS::Route53::HealthCheck').map(([, c]) => c.Properties.HealthCheckConfig.Type).sort();
      expect(checks).toEqual(['CALCULATED', 'CLOUDWATCH_METRIC', 'CLOUDWATCH_METRIC']);
    }
  });
});

describe('a primary region other than us-east-1 (eu-west-1, rung 1M)', () => {
  const { app } = buildAwsRung('1M', undefined, { region: 'eu-west-1', context: PINNED_FLAGS });
  const assembly = app.synth();
  const primary = assembly.getStackByName(STACK_ID);
  const edge = assembly.getStackByName(`${STACK_ID}-edge`);

  test('a us-east-1 edge stack holds the CloudFront web ACL (IP-keyed rate limit) and the apex certificate, and publishes their ARNs', () => {
    expect(edge.environment.region).toBe('us-east-1');
    const template = Template.fromJSON(edge.template);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([Match.objectLike({ Name: 'RateLimitPerIp', Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } })]),
    });
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'example.com', ValidationMethod: 'DNS' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/scale-ladder/ScaleLadder/edge/web-acl-arn', Value: { 'Fn::GetAtt': ['WebAcl', 'Arn'] } });
  });

  test('the distribution reads the ACL\'s ARN from us-east-1 when it deploys: no import, no WAF in eu-west-1, and the edge stack deploys first', () => {
    const t = primary.template;
    expect(ofType(t, 'AWS::WAFv2::WebACL')).toEqual([]);
    expect(ofType(t, 'AWS::WAFv2::WebACLAssociation')).toEqual([]);
    const [[, distribution]] = ofType(t, 'AWS::CloudFront::Distribution');
    const [readerId, attribute] = distribution.Properties.DistributionConfig.WebACLId['Fn::GetAtt'];
    expect(attribute).toBe('Parameter.Value');
    const call = JSON.parse(t.Resources[readerId].Properties.Create);
    expect(call).toMatchObject({ service: 'SSM', action: 'getParameter', region: 'us-east-1', parameters: { Name: '/scale-ladder/ScaleLadder/edge/web-acl-arn' } });
    for (const stack of [primary, edge]) expect(JSON.stringify(stack.template)).not.toContain('Fn::ImportValue');
    expect(primary.dependencies.map(d => d.id)).toContain(edge.id);
    expect(JSON.stringify(t)).not.toMatch(/FORWARDED_IP|ForwardedIPConfig/);
    for (const entry of balancers({ [STACK_ID]: t })) expectProtected(entry);
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged in either stack', () => {
    const findings: string[] = [];
    for (const stack of app.node.children.filter(Stack.isStack)) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      findings.push(...report.violations.map(v => `${stack.stackName} ${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`));
    }
    expect(findings).toEqual([]);
  });
});

describe('climbs update the protection in place', () => {
  const pairs: Array<[string, string]> = [];
  AWS_RUNGS.forEach((from, i) => { if (i + 1 < AWS_RUNGS.length) pairs.push([from, AWS_RUNGS[i + 1]]); });
  const TYPES = ['AWS::EC2::SecurityGroup', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancingV2::Listener',
    'AWS::ElasticLoadBalancingV2::ListenerRule', 'AWS::CloudFront::Distribution', 'AWS::WAFv2::WebACL', 'AWS::Route53::RecordSet',
    'AWS::Route53::HealthCheck', 'AWS::SNS::Topic', 'AWS::SecretsManager::Secret'];

  test.each(pairs)('%s → %s replaces none of the load balancer, its group, listeners, rules, records, the distribution, ACL, topic or secret', (from, to) => {
    const plan = awsPlan(from, to);
    expect(plan.changes.filter(c => TYPES.includes(c.type) && c.action === 'REPLACE').map(c => c.id)).toEqual([]);
    // (The retired server's own security group leaves at 10K → 100K, and the credential rotation's
    // groups at 10M → 100M, where rotation stops (docs/credentials.md): neither is the entry point.)
    const unrelated = (id: string) => id.includes('/AppServer') || /Rotation|SecretsManagerEndpoint/.test(id);
    expect(plan.changes.filter(c => TYPES.includes(c.type) && c.action === 'REMOVE' && !unrelated(c.id)).map(c => c.id)).toEqual([]);
  });

  test('100K → 1M: the public rule is removed (CloudFormation deletes it last, in the cleanup phase), the listener updates in place, the main route keeps its id into 10M', () => {
    const plan = awsPlan('100K', '1M');
    const byType = (type: string) => plan.changes.filter(c => c.type === type).map(c => [c.action, c.id.replace(`${STACK_ID}/`, '').replace(/[0-9A-F]{8}$/, '')]);
    expect(byType('AWS::EC2::SecurityGroupIngress')).toEqual(expect.arrayContaining([['REMOVE', 'AppFleetLoadBalancerPublicIngress80'], ['ADD', 'AppFleetLoadBalancerCloudFrontIngress']]));
    expect(byType('AWS::ElasticLoadBalancingV2::Listener')).toEqual([['UPDATE', 'AppFleetLoadBalancerHttp']]);
    expect(byType('AWS::Route53::RecordSet')).toEqual([['UPDATE', 'AppAppRecord']]);
    const later = awsPlan('1M', '10M');
    const route = later.changes.filter(c => c.type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && /AppFleetRoute[0-9A-F]{8}$/.test(c.id));
    expect(route.map(c => c.action)).toEqual(['UPDATE']);
  });
});
