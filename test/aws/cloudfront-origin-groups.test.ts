import { App, Stack } from 'aws-cdk-lib';
import { AppImage, ScaleLadder, Tier } from '../../lib';
import { DEFAULT_ZONE } from '../../lib/aws/ladder/synth-rung';
import { PINNED_FLAGS } from '../support/feature-flags';
import { AWS_RUNGS, awsTemplateJson, awsTemplatesJson } from '../support/rungs';

/*
 * CloudFront fails over within an origin group only for GET, HEAD and OPTIONS and rejects
 * a cache behaviour on an origin group that allows any other method; so in every template
 * of every rung, a behaviour that targets an origin group is read-only and the default
 * behaviour (all methods) targets a plain origin.
 */

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);

interface Behaviour { readonly path: string; readonly target: string; readonly methods: string[] }

function behavioursOf(config: any): Behaviour[] {
  // CloudFront's default for AllowedMethods is GET and HEAD.
  const methods = (b: any) => b.AllowedMethods ?? ['GET', 'HEAD'];
  return [
    { path: '*', target: config.DefaultCacheBehavior.TargetOriginId, methods: methods(config.DefaultCacheBehavior) },
    ...(config.CacheBehaviors ?? []).map((b: any) => ({ path: b.PathPattern, target: b.TargetOriginId, methods: methods(b) })),
  ];
}

function distributionsOf(templates: Record<string, any>): Array<{ stack: string; id: string; config: any }> {
  return Object.entries(templates).flatMap(([stack, template]) => Object.entries<any>(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::CloudFront::Distribution')
    .map(([id, r]) => ({ stack, id, config: r.Properties.DistributionConfig })));
}

/** Behaviours that put a method other than GET/HEAD/OPTIONS on an origin group, or a group on the default behaviour. */
function violations(templates: Record<string, any>): string[] {
  return distributionsOf(templates).flatMap(({ stack, id, config }) => {
    const groups = new Set<string>((config.OriginGroups?.Items ?? []).map((g: any) => g.Id));
    return behavioursOf(config)
      .filter(b => groups.has(b.target) && (b.path === '*' || b.methods.some(m => !READ_ONLY.has(m))))
      .map(b => `${stack}/${id} ${b.path} → ${b.target}: ${b.methods.join(',')}`);
  });
}

function ladderWith(tier: Tier, extra: Record<string, unknown>): Record<string, any> {
  const app = new App({ context: PINNED_FLAGS });
  const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'us-east-1' } });
  new ScaleLadder(stack, 'App', { tier, image: AppImage.fromRegistry('nginx:1.27'), zone: DEFAULT_ZONE, ...extra });
  return Object.fromEntries(app.synth().stacks.map(s => [s.stackName, s.template]));
}

describe.each(AWS_RUNGS)('rung %s', rung => {
  test('no behaviour on an origin group allows more than GET, HEAD and OPTIONS; the default targets a plain origin', () => {
    const templates = awsTemplatesJson(rung);
    expect(violations(templates)).toEqual([]);
    for (const { config } of distributionsOf(templates)) {
      const origins = (config.Origins as any[]).map(o => o.Id);
      expect(origins).toContain(config.DefaultCacheBehavior.TargetOriginId);
    }
  });
});

describe('rung 1B with read-only failover paths', () => {
  const templates = ladderWith(Tier.USERS_1B, { failoverPathPatterns: ['/catalog/*', '/images/*'] });
  const [edge] = distributionsOf(templates);

  test('the failover paths use the origin group with GET, HEAD and OPTIONS only; the default behaviour does not', () => {
    expect(violations(templates)).toEqual([]);
    const group = edge.config.OriginGroups.Items[0].Id;
    const behaviours = behavioursOf(edge.config);
    expect(behaviours.filter(b => b.target === group).map(b => [b.path, b.methods])).toEqual([
      ['/catalog/*', ['GET', 'HEAD', 'OPTIONS']],
      ['/images/*', ['GET', 'HEAD', 'OPTIONS']],
    ]);
    expect(behaviours[0]).toMatchObject({ path: '*', methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'] });
    expect(edge.config.OriginGroups.Items[0].Id).not.toBe(behaviours[0].target);
  });

  test('the check catches a group on a behaviour that allows writes', () => {
    const broken = JSON.parse(JSON.stringify(templates));
    const config = distributionsOf(broken)[0].config;
    config.DefaultCacheBehavior.TargetOriginId = config.OriginGroups.Items[0].Id;
    config.CacheBehaviors[1].AllowedMethods = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'];
    expect(violations(broken)).toHaveLength(2);
  });
});

describe('origin ids stay put from 1M to 1B', () => {
  const distribution = (templates: Record<string, any>) => distributionsOf(templates)[0].config;
  const oacIds = (template: any) => Object.entries<any>(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudFront::OriginAccessControl').map(([id]) => id);

  test('the dynamic and static origins keep their ids, so the static origin access control keeps its logical id', () => {
    const lower = distribution(awsTemplatesJson('1M'));
    for (const rung of ['10M', '100M', '1B']) {
      const higher = distribution(awsTemplatesJson(rung));
      expect(higher.DefaultCacheBehavior.TargetOriginId).toBe(lower.DefaultCacheBehavior.TargetOriginId);
      expect(higher.CacheBehaviors[0].TargetOriginId).toBe(lower.CacheBehaviors[0].TargetOriginId);
      expect(oacIds(awsTemplateJson(rung))).toEqual(oacIds(awsTemplateJson('1M')));
    }
  });

  test('with failover paths too', () => {
    const lower = distribution(ladderWith(Tier.USERS_1M, { failoverPathPatterns: ['/catalog/*'] }));
    const higher = distribution(ladderWith(Tier.USERS_1B, { failoverPathPatterns: ['/catalog/*'] }));
    expect(lower.OriginGroups).toBeUndefined();
    expect(higher.DefaultCacheBehavior.TargetOriginId).toBe(lower.DefaultCacheBehavior.TargetOriginId);
    expect(higher.CacheBehaviors[0]).toMatchObject({ PathPattern: '/static/*', TargetOriginId: lower.CacheBehaviors[0].TargetOriginId });
  });
});

describe('bad failover paths are refused through the ladder', () => {
  test.each(['1M', '1B'])('on rung %s, with or without a failover origin', rung => {
    expect(() => ladderWith(Tier.fromName(rung), { failoverPathPatterns: ['catalog/*'] }))
      .toThrow("failoverPathPatterns[0] must be a path pattern that starts with '/' and has no spaces, such as '/catalog/*', got 'catalog/*'");
  });
});
