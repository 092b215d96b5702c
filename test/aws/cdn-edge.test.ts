import { Match, Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { CdnEdge, LadderNetwork } from '../../lib';
import { stackWithNetwork, testStack } from '../support/stacks';

function edgeIn(region: string, props: { rateLimitPerFiveMinutes?: number } = {}) {
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

  test('outside us-east-1 a regional WAF guards the load balancer with a per-IP rate limit on the forwarded address', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([Match.objectLike({
        Name: 'RateLimitPerIp',
        Action: { Block: {} },
        Statement: { RateBasedStatement: { Limit: 1500, AggregateKeyType: 'FORWARDED_IP', ForwardedIPConfig: { HeaderName: 'X-Forwarded-For', FallbackBehavior: 'MATCH' } } },
      })]),
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
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

  test('bad input: a rate limit WAF does not accept', () => {
    const { stack, vpc } = stackWithNetwork(true);
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    expect(() => new CdnEdge(stack, 'Edge', { loadBalancer, rateLimitPerFiveMinutes: 10 }))
      .toThrow('rateLimitPerFiveMinutes must be an integer 100-2000000000, got 10');
  });
});
