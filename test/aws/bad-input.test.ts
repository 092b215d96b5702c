import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { AppImage, ScaleLadder, Tier, Tier100K } from '../../lib';
import { PINNED_FLAGS } from '../support/feature-flags';
import { testStack } from '../support/stacks';

const image = AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

describe('ScaleLadder bad input fails at synth with a precise message and no template', () => {
  test.each([
    ['port out of range', { port: 70000 }, 'port must be an integer 1-65535, got 70000'],
    ['cidr not private', { cidr: '8.8.0.0/16' }, "cidr must be a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) from /16 to /20, got '8.8.0.0/16': not a private range"],
    ['two zones', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] }, 'availabilityZones must be 3 distinct zones of eu-west-1, got ["eu-west-1a","eu-west-1b"]'],
    ['repeated zone', { availabilityZones: ['eu-west-1a', 'eu-west-1a', 'eu-west-1b'] }, 'availabilityZones must be 3 distinct zones of eu-west-1'],
    ['zone of another region', { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] }, 'availabilityZones must be 3 distinct zones of eu-west-1'],
    ['health check path', { healthCheckPath: 'health' }, "healthCheckPath must be an absolute URL path such as /healthz, got 'health'"],
    ['rate limit', { rateLimitPerFiveMinutes: 5 }, 'rateLimitPerFiveMinutes must be an integer 100-2000000000, got 5'],
  ])('%s', (_, bad, message) => {
    const stack = testStack('eu-west-1');
    expect(() => new ScaleLadder(stack, 'App', { tier: Tier.USERS_1M, image, ...bad })).toThrow(message);
  });

  // Props whose layer is off on the rung are still checked there.
  test.each([
    ['1K', 'failover pattern without a slash', { failoverPathPatterns: ['feed/*'] },
      "failoverPathPatterns[0] must be a path pattern that starts with '/' and has no spaces, such as '/catalog/*', got 'feed/*'"],
    ['100K', 'repeated failover pattern', { failoverPathPatterns: ['/feed/*', '/feed/*'] }, 'failoverPathPatterns must not repeat an entry'],
    ['1K', 'hosted zone id', { zone: { hostedZoneId: 'zone-1', zoneName: 'example.com' } },
      "hostedZoneId must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, got 'zone-1'"],
    ['10K', 'zone name', { zone: { hostedZoneId: 'Z0EXAMPLE', zoneName: 'Example.COM' } }, "zoneName must be a lower-case domain such as example.com (labels of 1-63 letters, digits or dashes, at most 253 characters), got 'Example.COM'"],
  ])('on %s: %s', (rung, _, bad, message) => {
    const stack = testStack('eu-west-1');
    expect(() => new ScaleLadder(stack, 'App', { tier: Tier.fromName(rung), image, ...bad })).toThrow(message);
  });

  test('a certificate without a zone on a rung with a CDN names the ladder\'s props, not the CDN\'s', () => {
    const ladderWithCertificate = (rung: string) => {
      const stack = testStack('eu-west-1');
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/0d5e2a1c-1111-2222-3333-444455556666');
      return () => new ScaleLadder(stack, 'App', { tier: Tier.fromName(rung), image, certificate });
    };
    expect(ladderWithCertificate('1M')).toThrow("certificate needs zone from rung 1M (the CDN) on: CloudFront checks the load balancer's certificate against the host name viewers ask for, which without a zone is CloudFront's own; give zone (with a certificate for its name) or no certificate, got a certificate and no zone on rung 1M");
    // Below the CDN the certificate serves the load balancer alone.
    expect(ladderWithCertificate('100K')).not.toThrow();
  });

  test('tier that is not a Tier', () => {
    expect(() => new ScaleLadder(testStack(), 'App', { tier: '1M' as any, image })).toThrow('tier must be a Tier (e.g. Tier.USERS_100K), got "1M"');
  });

  test('image given as a string', () => {
    expect(() => new Tier100K(testStack(), 'App', { image: 'nginx' as any })).toThrow("image must be an AppImage (e.g. AppImage.fromRegistry('nginx:1.27')), got \"nginx\"");
  });

  test('malformed image reference', () => {
    expect(() => AppImage.fromRegistry('not an image')).toThrow("image must be a container image reference: lowercase registry and path, then :tag or @sha256:digest (e.g. ghcr.io/acme/shop:1.4.2 or …@sha256:<64 hex digits>), got 'not an image'");
  });

  test('a region without a known three-zone layout', () => {
    expect(() => new Tier100K(testStack('us-west-1'), 'App', { image })).toThrow(/stack region must be a region with three known availability zones .* got 'us-west-1'/);
  });

  test('an environment-agnostic stack', () => {
    const stack = new Stack(new App({ context: PINNED_FLAGS }), 'Agnostic');
    expect(() => new Tier100K(stack, 'App', { image, availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] }))
      .toThrow('stack region must be concrete (set env.region on the stack): zones, load-balancer logs and WAF scope depend on it, got an environment-agnostic stack');
  });

  test('a stack over the resource limit fails synth before deploy would', () => {
    const stack = testStack();
    new Tier100K(stack, 'App', { image });
    for (let i = 0; i < 400; i++) new CfnWaitConditionHandle(stack, `Filler${i}`);
    expect(() => (stack.node.root as App).synth()).toThrow(/stack Test has \d+ resources; scale-ladder allows at most 400/);
  });
});

describe('region lists (rungs 100M and 1B)', () => {
  const zone = { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' };
  const build = (tier: Tier, extra: Record<string, unknown>) => () => new ScaleLadder(testStack('us-east-1'), 'App', { tier, image, zone, ...extra });

  test('a region named twice', () => {
    expect(build(Tier.USERS_1B, { regions: ['us-west-2', 'us-west-2'] })).toThrow('regions must not repeat an entry, got \'us-west-2\' twice in ["us-west-2","us-west-2"]');
  });

  test('an unknown region', () => {
    expect(build(Tier.USERS_100M, { regions: ['mars-north-1'] })).toThrow(/regions must be a region with three known availability zones .* got 'mars-north-1'/);
  });

  test('fewer than three regions in all for 1B', () => {
    expect(build(Tier.USERS_1B, { regions: ['us-west-2'] }))
      .toThrow('regions must name at least 2 regions besides us-east-1 for rung 1B (3 active, 0 standby), got 1');
  });

  test('the stack\'s own region among the others', () => {
    expect(build(Tier.USERS_100M, { regions: ['us-east-1'] })).toThrow("regions must not include the stack's own region, got 'us-east-1'");
  });

  test('no hosted zone for 1B latency routing', () => {
    expect(() => new ScaleLadder(testStack('us-east-1'), 'App', { tier: Tier.USERS_1B, image }))
      .toThrow('zone (hostedZoneId and zoneName) must be given from rung 1B (latency routing between regions), got none on rung 1B');
  });

  test('a malformed hosted zone id', () => {
    expect(build(Tier.USERS_1B, { zone: { hostedZoneId: 'zone-1', zoneName: 'example.com' } }))
      .toThrow("hostedZoneId must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, got 'zone-1'");
  });

  test('extra regions given on a lower rung are accepted and unused (same props on every rung)', () => {
    const stack = testStack('us-east-1');
    const ladder = new ScaleLadder(stack, 'App', { tier: Tier.USERS_10M, image, zone, regions: ['us-west-2', 'eu-west-1'] });
    expect(ladder.regionalStacks).toEqual([]);
  });
});
