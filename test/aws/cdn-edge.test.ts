import { Match, Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { CdnEdge, CdnEdgeProps, LadderNetwork } from '../../lib';
import { stackWithNetwork, testStack } from '../support/stacks';

function edgeIn(region: string, props: Partial<CdnEdgeProps> = {}) {
  const stack = testStack(region);
  const vpc = new LadderNetwork(stack, 'Network', { privateSubnets: true }).vpc;
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  new CdnEdge(stack, 'Edge', { loadBalancer, ...props });
  return Template.fromStack(stack);
}

describe('CdnEdge', () => {
  const template = edgeIn('eu-west-1', { rateLimitPerFiveMinutes: 1500 });

  test('CloudFront redirects to HTTPS, leaves dynamic paths uncached and caches /static/* from S3 via OAC', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        HttpVersion: 'http2and3',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
        }),
        CacheBehaviors: [Match.objectLike({
          PathPattern: '/static/*',
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', // Managed-CachingOptimized
          Compress: true,
        })],
      }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  });

  test('the static bucket is private, encrypted, versioned, TLS-only and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: Match.anyValue(),
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('outside us-east-1 the CloudFront ACL lives in a us-east-1 edge stack, rate-limited on the viewer IP; no forwarded-header key anywhere', () => {
    const stack = testStack('eu-west-1');
    const vpc = new LadderNetwork(stack, 'Network', { privateSubnets: true }).vpc;
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    const edge = new CdnEdge(stack, 'Edge', { loadBalancer, rateLimitPerFiveMinutes: 1500 });
    expect(edge.edgeStack?.region).toBe('us-east-1');
    const edgeTemplate = Template.fromStack(edge.edgeStack!);
    edgeTemplate.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([Match.objectLike({ Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 1500, AggregateKeyType: 'IP' } } })]),
    });
    // X-Forwarded-For's first entry is whatever the client wrote: never a rate-limit key.
    for (const t of [Template.fromStack(stack), edgeTemplate]) expect(JSON.stringify(t.toJSON())).not.toContain('FORWARDED_IP');
    Template.fromStack(stack).resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  test('in us-east-1 the WAF is CloudFront-scoped and keyed on the viewer IP', () => {
    const east = edgeIn('us-east-1');
    east.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([Match.objectLike({ Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } })]),
    });
    east.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    east.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EdgeWebAcl'), 'Arn'] } }),
    });
  });

  test('without failover paths the distribution has no origin group, even with a failover origin', () => {
    const edge = edgeIn('us-east-1', { originDomainName: 'origin.example.com', failoverOriginDomainName: 'us-west-2.origin.example.com' });
    const [distribution] = Object.values<any>(edge.findResources('AWS::CloudFront::Distribution'));
    expect(distribution.Properties.DistributionConfig.OriginGroups).toBeUndefined();
    expect(distribution.Properties.DistributionConfig.Origins.map((o: any) => o.DomainName)).not.toContain('us-west-2.origin.example.com');
  });

  describe('read-only failover paths', () => {
    const edge = edgeIn('us-east-1', {
      originDomainName: 'origin.example.com',
      failoverOriginDomainName: 'us-west-2.origin.example.com',
      failoverPathPatterns: ['/catalog/*'],
    });
    const config = Object.values<any>(edge.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const groupIds = config.OriginGroups.Items.map((g: any) => g.Id);
    const originById = new Map<string, any>(config.Origins.map((o: any) => [o.Id, o]));

    test('the default behaviour (all methods) targets the dynamic origin itself, not the group', () => {
      expect(groupIds).not.toContain(config.DefaultCacheBehavior.TargetOriginId);
      expect(originById.get(config.DefaultCacheBehavior.TargetOriginId).DomainName).toBe('origin.example.com');
      expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    });

    test('the failover path reads through the group (GET, HEAD, OPTIONS), failing over to the other region on 5xx', () => {
      const behaviour = config.CacheBehaviors.find((b: any) => b.PathPattern === '/catalog/*');
      expect(behaviour).toMatchObject({ TargetOriginId: groupIds[0], AllowedMethods: ['GET', 'HEAD', 'OPTIONS'], CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' });
      const [group] = config.OriginGroups.Items;
      expect(group.FailoverCriteria.StatusCodes.Items).toEqual([500, 502, 503, 504]);
      expect(group.Members.Items.map((m: any) => originById.get(m.OriginId).DomainName)).toEqual(['origin.example.com', 'us-west-2.origin.example.com']);
    });

    test('the static assets stay first and on the S3 origin', () => {
      expect(config.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual(['/static/*', '/catalog/*']);
      expect(originById.get(config.CacheBehaviors[0].TargetOriginId).S3OriginConfig).toBeDefined();
    });
  });

  test.each([
    ['an empty pattern', [''], "failoverPathPatterns[0] must be a path pattern that starts with '/' and has no spaces, such as '/catalog/*', got ''"],
    ['no leading slash', ['/ok/*', 'catalog/*'], "failoverPathPatterns[1] must be a path pattern that starts with '/' and has no spaces, such as '/catalog/*', got 'catalog/*'"],
    ['a space', ['/a b/*'], "failoverPathPatterns[0] must be a path pattern that starts with '/' and has no spaces, such as '/catalog/*', got '/a b/*'"],
    ['a repeat', ['/catalog/*', '/catalog/*'], 'failoverPathPatterns must not repeat an entry, got \'/catalog/*\' twice in ["/catalog/*","/catalog/*"]'],
    ['the static path', ['/static/*'], 'failoverPathPatterns must not include \'/static/*\' (the static assets\' behaviour), got ["/static/*"]'],
    ['more than fit', Array.from({ length: 74 }, (_, i) => `/p${i}/*`),
      'failoverPathPatterns must list at most 73 patterns (CloudFront allows 75 cache behaviours per distribution, the default and /static/* among them), got 74'],
  ])('bad input, checked with or without a failover origin: %s', (_, failoverPathPatterns, message) => {
    for (const failoverOriginDomainName of [undefined, 'us-west-2.origin.example.com']) {
      const { stack, vpc } = stackWithNetwork(true);
      const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
      expect(() => new CdnEdge(stack, 'Edge', { loadBalancer, failoverOriginDomainName, failoverPathPatterns })).toThrow(message);
    }
  });

  test('73 failover paths fit', () => {
    expect(CdnEdge.validFailoverPathPatterns(Array.from({ length: 73 }, (_, i) => `/p${i}/*`))).toHaveLength(73);
    expect(CdnEdge.validFailoverPathPatterns(undefined)).toEqual([]);
  });

  test('bad input: a rate limit WAF does not accept', () => {
    const { stack, vpc } = stackWithNetwork(true);
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    expect(() => new CdnEdge(stack, 'Edge', { loadBalancer, rateLimitPerFiveMinutes: 10 }))
      .toThrow('rateLimitPerFiveMinutes must be an integer 100-2000000000, got 10');
  });
});
