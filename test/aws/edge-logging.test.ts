import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { AppImage, CdnEdge, LadderNetwork, ScaleLadder, Tier } from '../../lib';
import { DISTRIBUTION_LOG_PREFIX, logWebAcl, WAF_LOG_GROUP_PREFIX } from '../../lib/aws/edge/cdn-edge';
import { DEFAULT_ZONE, STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { PINNED_FLAGS } from '../support/feature-flags';
import { AWS_RUNGS } from '../support/rungs';
import { testStack } from '../support/stacks';

/*
 * The edge logs what it blocks and serves: every web ACL logs to an `aws-waf-logs-` group in its
 * own region, the distribution writes standard logs to an ACL-enabled bucket beside the ACL, and
 * the origin's lack of TLS is acknowledged exactly when the load balancer has no certificate.
 */

const EDGE_RUNGS = AWS_RUNGS.filter(rung => Tier.fromName(rung).spec.cdn);
const ACCOUNT = '123456789012';

function ladder(rung: string, region: string, props: Record<string, unknown> = {}) {
  const app = new App({ context: PINNED_FLAGS });
  const stack = new Stack(app, STACK_ID, { env: { account: ACCOUNT, region } });
  const built = new ScaleLadder(stack, 'App', {
    tier: Tier.fromName(rung),
    image: AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
    zone: DEFAULT_ZONE,
    // Read-only paths served through the failover origin group (used from 1B).
    failoverPathPatterns: ['/catalog/*'],
    ...props,
  });
  const stacks = app.node.children.filter(Stack.isStack);
  return { app, stack, ladder: built, stacks, templates: stacks.map(s => ({ stack: s, template: Template.fromStack(s) })) };
}

/** The findings `construct` acknowledges, by rule id (as Validations records them). */
function acknowledged(construct: IConstruct): Record<string, string> {
  return Object.assign({}, ...construct.node.metadata
    .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .map(m => m.data as Record<string, string>));
}

const ackFor = (construct: IConstruct, rule: string) =>
  Object.entries(acknowledged(construct)).find(([id]) => id.endsWith(rule))?.[1];

function nagFindings(stacks: Stack[]): string[] {
  return stacks.flatMap(stack => new AwsSolutionsChecks().validateScope(stack).violations
    .map(v => `${stack.stackName} ${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`));
}

/** Each web ACL of `template` with the logging configuration and log group that serve it. */
function expectEveryAclLogged(stack: Stack, template: Template, retentionDays: number): number {
  const acls = template.findResources('AWS::WAFv2::WebACL');
  const configs = Object.values<any>(template.findResources('AWS::WAFv2::LoggingConfiguration'));
  const groups = Object.entries<any>(template.findResources('AWS::Logs::LogGroup'));
  for (const [aclId, acl] of Object.entries<any>(acls)) {
    // A CloudFront-scoped ACL exists only in us-east-1; a regional one in its stack's region.
    if (acl.Properties.Scope === 'CLOUDFRONT') expect(stack.region).toBe('us-east-1');
    const forAcl = configs.filter(c => JSON.stringify(c.Properties.ResourceArn) === JSON.stringify({ 'Fn::GetAtt': [aclId, 'Arn'] }));
    expect(forAcl).toHaveLength(1);
    const [config] = forAcl;
    const [destination] = config.Properties.LogDestinationConfigs;
    // In the ACL's own region and account, with no ':*' suffix.
    const parts: any[] = typeof destination === 'string' ? [destination] : destination['Fn::Join'][1];
    const match = /^arn:(aws|\{"Ref":"AWS::Partition"\}):logs:([a-z0-9-]+):(\d+):log-group:([^:]+)$/.exec(
      parts.map(p => typeof p === 'string' ? p : JSON.stringify(p)).join(''));
    expect(match).not.toBeNull();
    const [, , region, account, name] = match!;
    expect(region).toBe(stack.region);
    expect(account).toBe(ACCOUNT);
    expect(name.startsWith(WAF_LOG_GROUP_PREFIX)).toBe(true);
    const group = groups.find(([, g]) => g.Properties.LogGroupName === name);
    expect(group).toBeDefined();
    const [groupId, groupResource] = group!;
    expect(groupResource.Properties.RetentionInDays).toBe(retentionDays);
    expect(groupResource.DeletionPolicy).toBe('Retain');
    expect(groupResource.UpdateReplacePolicy).toBe('Retain');
    expect(config.DependsOn).toContain(groupId);
    expect(config.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }]);
  }
  return Object.keys(acls).length;
}

/** The distribution's log bucket, where it lives, and its settings. */
function expectLogBucket(template: Template, retentionDays: number): string {
  const buckets = Object.entries<any>(template.findResources('AWS::S3::Bucket'))
    .filter(([, b]) => b.Properties.OwnershipControls?.Rules?.[0]?.ObjectOwnership === 'BucketOwnerPreferred');
  expect(buckets).toHaveLength(1);
  const [[bucketId, bucket]] = buckets;
  expect(bucket.DeletionPolicy).toBe('Retain');
  expect(bucket.UpdateReplacePolicy).toBe('Retain');
  expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
  expect(bucket.Properties.PublicAccessBlockConfiguration)
    .toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([expect.objectContaining({ ExpirationInDays: retentionDays, Status: 'Enabled' })]);
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: bucketId },
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
  });
  return bucketId;
}

/** At 1B the failover origin (a name that always points at one other region) is among the custom origins. */
function expectFailoverOrigin(rung: string, origins: any[]): void {
  const names = origins.map(o => o.DomainName);
  if (rung === '1B') {
    expect(names).toContain(`origin.${DEFAULT_ZONE.zoneName}`);
    expect(names.some(n => typeof n === 'string' && n.endsWith(`.origin.${DEFAULT_ZONE.zoneName}`))).toBe(true);
  } else {
    expect(origins).toHaveLength(1);
  }
}

describe.each(EDGE_RUNGS)('rung %s', (rung) => {
  const retentionDays = Tier.fromName(rung).spec.operations.logRetentionDays;

  // Outside us-east-1 the ACL moves to the <stack>-edge stack, a choice CdnEdge makes from the
  // stack's region alone: the first edge rung and 1B (with its failover origin) cover it.
  const regions = rung === '1M' || rung === '1B' ? ['us-east-1', 'eu-west-1'] : ['us-east-1'];
  describe.each(regions)('primary stack in %s', (region) => {
    const built = ladder(rung, region);
    const primary = built.templates[0];
    const edge = built.ladder.edge!;
    const aclStack = region === 'us-east-1' ? built.stack : edge.edgeStack!;
    // The edge's retention as built; the last test of the block checks it is the rung's.
    const edgeDays: number = aclStack.resolve((edge.webAclLogGroup.node.defaultChild as logs.CfnLogGroup).retentionInDays);

    test('the ACL and its logs live in us-east-1: the stack itself there, the <stack>-edge stack elsewhere', () => {
      expect(Stack.of(edge.webAcl)).toBe(aclStack);
      expect(Stack.of(edge.webAclLogGroup)).toBe(aclStack);
      expect(Stack.of(edge.distributionLogsBucket)).toBe(aclStack);
      expect(aclStack.region).toBe('us-east-1');
      if (region !== 'us-east-1') expect(aclStack.stackName).toBe(`${STACK_ID}-edge`);
    });

    test('every web ACL in every stack logs to an aws-waf-logs- group in its own region, retained, with credentials redacted', () => {
      const counted = built.templates.map(({ stack, template }) => expectEveryAclLogged(stack, template, edgeDays));
      expect(counted.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    });


    test('the distribution writes standard logs (no cookies) to the ACL-enabled, encrypted, TLS-only, expiring bucket beside the ACL', () => {
      const aclTemplate = built.templates.find(t => t.stack === aclStack)!.template;
      const bucketId = expectLogBucket(aclTemplate, edgeDays);
      const distribution = Object.values<any>(primary.template.findResources('AWS::CloudFront::Distribution'));
      expect(distribution).toHaveLength(1);
      const logging = distribution[0].Properties.DistributionConfig.Logging;
      expect(logging.Prefix).toBe(DISTRIBUTION_LOG_PREFIX);
      expect(logging.IncludeCookies).toBe(false);
      if (region === 'us-east-1') {
        expect(logging.Bucket).toEqual({ 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] });
      } else {
        // The bucket's name, read from the edge stack's parameter, in us-east-1.
        const bucket = JSON.stringify(logging.Bucket);
        expect(bucket).toContain('.s3.us-east-1.');
        const readerId = logging.Bucket['Fn::Join'][1][0]['Fn::GetAtt'][0];
        const reader = primary.template.toJSON().Resources[readerId];
        expect(JSON.parse(reader.Properties.Create)).toMatchObject({
          action: 'getParameter', region: 'us-east-1', parameters: { Name: `/scale-ladder/${STACK_ID}/edge/distribution-logs-bucket` },
        });
        aclTemplate.hasResourceProperties('AWS::SSM::Parameter', {
          Name: `/scale-ladder/${STACK_ID}/edge/distribution-logs-bucket`,
          Value: { Ref: bucketId },
        });
      }
    });

    test('CFR3 is not acknowledged (the distribution logs); CFR5 is, with its true reason, as the origin is HTTP', () => {
      expect(ackFor(edge.distribution, 'AwsSolutions-CFR3')).toBeUndefined();
      expect(ackFor(edge.distribution, 'AwsSolutions-CFR5')).toMatch(/no certificate.*plain HTTP.*X-Origin-Verify.*a zone and a certificate.*forwards the viewer's Host/);
      const origins = primary.template.toJSON().Resources[Object.keys(primary.template.findResources('AWS::CloudFront::Distribution'))[0]]
        .Properties.DistributionConfig.Origins.filter((o: any) => o.CustomOriginConfig);
      expectFailoverOrigin(rung, origins);
      for (const origin of origins) expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('http-only');
    });

    test('cdk-nag AwsSolutions reports nothing unacknowledged in any stack', () => {
      expect(nagFindings(built.stacks)).toEqual([]);
    });

    test('the edge keeps its logs as long as the rung keeps logs (needs ScaleLadder to pass operations.logRetentionDays to CdnEdge)', () => {
      const template = built.templates.find(t => t.stack === aclStack)!.template;
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `${WAF_LOG_GROUP_PREFIX}scale-ladder-${STACK_ID}`,
        RetentionInDays: retentionDays,
      });
      expectLogBucket(template, retentionDays);
    });
  });
});

describe.each(['1M', '1B'])('rung %s with a load-balancer certificate', (rung) => {
  const region = 'us-east-1';
  const app = new App({ context: PINNED_FLAGS });
  const stack = new Stack(app, STACK_ID, { env: { account: ACCOUNT, region } });
  const built = new ScaleLadder(stack, 'App', {
    tier: Tier.fromName(rung),
    image: AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
    zone: DEFAULT_ZONE,
    failoverPathPatterns: ['/catalog/*'],
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', `arn:aws:acm:${region}:${ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`),
  });
  const stacks = app.node.children.filter(Stack.isStack);

  test('every dynamic origin (the failover one too) is HTTPS only with TLSv1.2, and CFR5 is not acknowledged', () => {
    const distribution = Object.values<any>(Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'))[0];
    const origins = distribution.Properties.DistributionConfig.Origins.filter((o: any) => o.CustomOriginConfig);
    expectFailoverOrigin(rung, origins);
    for (const origin of origins) {
      expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
      expect(origin.CustomOriginConfig.OriginSSLProtocols).toEqual(['TLSv1.2']);
    }
    expect(ackFor(built.edge!.distribution, 'AwsSolutions-CFR5')).toBeUndefined();
  });

  test('the dynamic behaviours forward the viewer\'s Host, so CloudFront checks the certificate against the zone\'s name', () => {
    const config = Object.values<any>(Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    // Managed-AllViewer (CloudFront Developer Guide, "Use managed origin request policies").
    const allViewer = '216adef6-5c7f-47e4-b989-5492eafa07d3';
    expect(config.Aliases).toEqual([DEFAULT_ZONE.zoneName]);
    expect(config.DefaultCacheBehavior.OriginRequestPolicyId).toBe(allViewer);
    const dynamic = (config.CacheBehaviors ?? []).filter((b: any) => b.PathPattern !== '/static/*');
    for (const behaviour of dynamic) expect([behaviour.PathPattern, behaviour.OriginRequestPolicyId]).toEqual([behaviour.PathPattern, allViewer]);
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged (CFR5 passes on its own)', () => {
    expect(nagFindings(stacks)).toEqual([]);
  });
});

describe('CdnEdge on its own', () => {
  function edgeIn(region: string, props: Record<string, unknown> = {}) {
    const stack = testStack(region);
    const vpc = new LadderNetwork(stack, 'Network', { privateSubnets: true }).vpc;
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    const edge = new CdnEdge(stack, 'Edge', { loadBalancer, ...props });
    return { stack, edge };
  }

  test('logRetentionDays sets the log group retention and the log files\' expiry; without it both are 90 days', () => {
    const { edge } = edgeIn('eu-west-1', { logRetentionDays: 365 });
    const edgeTemplate = Template.fromStack(edge.edgeStack!);
    edgeTemplate.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-scale-ladder-Test', RetentionInDays: 365 });
    expectLogBucket(edgeTemplate, 365);
    const fallback = Template.fromStack(edgeIn('us-east-1').stack);
    fallback.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-scale-ladder-Test', RetentionInDays: 90 });
    expectLogBucket(fallback, 90);
  });

  test('a retention CloudWatch Logs does not accept is refused', () => {
    expect(() => edgeIn('us-east-1', { logRetentionDays: 42 })).toThrow(/logRetentionDays/);
  });

  test('originHttps alone decides CFR5: acknowledged without it, not with it', () => {
    expect(ackFor(edgeIn('us-east-1').edge.distribution, 'AwsSolutions-CFR5')).toBeDefined();
    expect(ackFor(edgeIn('us-east-1', { originHttps: true, zone: DEFAULT_ZONE }).edge.distribution, 'AwsSolutions-CFR5')).toBeUndefined();
  });

  test('over HTTP the load balancer\'s own name stays the Host (Managed-AllViewerExceptHostHeader)', () => {
    const config = Object.values<any>(Template.fromStack(edgeIn('us-east-1').stack).findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
  });

  test('an HTTPS origin without a zone is refused: no certificate of the app\'s can match the host CloudFront would check', () => {
    expect(() => edgeIn('us-east-1', { originHttps: true })).toThrow("originHttps needs zone: CloudFront checks the load balancer's certificate against the viewer's host name, which without a zone is CloudFront's own; give zone (and a certificate for its name on the load balancer), or originHttps false, got originHttps true and no zone");
  });

  test('logWebAcl refuses a group name WAF would reject and a group outside the ACL\'s stack (region)', () => {
    const stack = testStack('eu-west-1');
    const acl = new wafv2.CfnWebACL(stack, 'Acl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'Acl' },
    });
    expect(() => logWebAcl(stack, 'Logs', acl, '/aws/waf/acl', logs.RetentionDays.THREE_MONTHS)).toThrow(/must start with 'aws-waf-logs-'/);
    const other = new Stack(stack.node.scope as App, 'Other', { env: { account: ACCOUNT, region: 'us-east-1' } });
    expect(() => logWebAcl(other, 'Logs', acl, 'aws-waf-logs-acl', logs.RetentionDays.THREE_MONTHS)).toThrow(/in the ACL's stack/);
    // A regional ACL logs in its own region.
    logWebAcl(stack, 'Logs', acl, 'aws-waf-logs-acl', logs.RetentionDays.THREE_MONTHS);
    expect(expectEveryAclLogged(stack, Template.fromStack(stack), 90)).toBe(1);
  });
});
