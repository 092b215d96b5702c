import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { all, BASE, expectError, resources, rung, RUNGS, synthStack } from './support';
import { AppContract, gcp, Tier } from '../../lib';
import { forceNewAttributes, inPlaceUpdate, planGcp, planGcpConfigs, STATEFUL_TYPES } from '../../lib/gcp/upgrade/planner';

/*
 * The user directory on Google Cloud (operations.authentication, from 1M): the project's Identity
 * Platform configuration, protected like every resource that holds data, at one Terraform address
 * on every rung, with AUTH_* in the app contract.
 */

const TYPE = 'google_identity_platform_config';
const ADDRESS = 'App_UserDirectory_Config_C945EFB2';
const AUTH = ['AUTH_ISSUER', 'AUTH_CLIENT_ID', 'AUTH_DOMAIN'];
const IMAGE = 'nginx:1.27';
const REF = `\${${TYPE}.${ADDRESS}`;

const envOf = (svc: any): Record<string, any> =>
  Object.fromEntries(svc.template.containers[0].env.map((e: any) => [e.name, e.value ?? e.value_source]));

/** A ladder of one's own in a fresh stack, synthesized. */
function ladder(tier: Tier, options: Partial<gcp.ScaleLadderOptions> = {}): any {
  return synthStack(stack => new gcp.ScaleLadder(stack, 'App', { ...BASE, tier, image: IMAGE, ...options }));
}

describe.each(RUNGS)('rung %s', (name) => {
  const on = Tier.fromName(name).spec.operations.authentication;

  test(`${on ? 'has' : 'has no'} the Identity Platform configuration, as the tier data says`, () => {
    const configs = Object.keys(rung(name).resource?.[TYPE] ?? {});
    expect(configs).toEqual(on ? [ADDRESS] : []);
  });

  test(`every Cloud Run service ${on ? 'gets' : 'lacks'} AUTH_*`, () => {
    const services = all(rung(name), 'google_cloud_run_v2_service');
    for (const svc of services) for (const v of AUTH) expect([svc.name, v, v in envOf(svc)]).toEqual([svc.name, v, on]);
  });
});

describe('the configuration holds the users: protected, and the same on every rung from 1M', () => {
  const body = rung('1M').resource[TYPE][ADDRESS];

  test('prevent_destroy, e-mail and password sign-in, one account per e-mail, TOTP MFA optional, request logging', () => {
    expect(body).toMatchObject({
      project: 'my-scale-ladder-project',
      lifecycle: { prevent_destroy: true },
      sign_in: { email: { enabled: true, password_required: true }, allow_duplicate_emails: false },
      mfa: { state: 'ENABLED', provider_configs: [{ state: 'ENABLED', totp_provider_config: { adjacent_intervals: 1 } }] },
      monitoring: { request_logging: { enabled: true } },
    });
    // Without a domain, Identity Platform keeps its own list of authorized domains.
    expect(body.authorized_domains).toBeUndefined();
  });

  test.each(['10M', '100M', '1B'])('%s keeps it at the same address with the same body', (name) => {
    expect(rung(name).resource[TYPE][ADDRESS]).toEqual(body);
  });

  test('the services get the issuer, the web API key and the auth domain (every region\'s too)', () => {
    for (const name of ['1M', '1B']) {
      const services = all(rung(name), 'google_cloud_run_v2_service').filter(s => s.name !== 'app-worker');
      expect(services.length).toBeGreaterThan(0);
      for (const svc of services) {
        expect(envOf(svc)).toMatchObject({
          AUTH_ISSUER: 'https://securetoken.google.com/my-scale-ladder-project',
          AUTH_CLIENT_ID: `${REF}.client[0].api_key}`,
          AUTH_DOMAIN: 'my-scale-ladder-project.firebaseapp.com',
        });
      }
    }
  });
});

describe('the app contract on Google Cloud', () => {
  test('AUTH_* are plain variables from 1M', () => {
    for (const v of AppContract.all().filter(x => AUTH.includes(x.name))) expect([v.name, v.secret, v.fromRung]).toEqual([v.name, false, '1M']);
    const svc = all(rung('1M'), 'google_cloud_run_v2_service')[0];
    for (const v of AUTH) expect(svc.template.containers[0].env.find((e: any) => e.name === v).value_source).toBeUndefined();
  });
});

describe('authentication and authCallbackUrls', () => {
  test('authentication: false on 1M: no configuration and no AUTH_*', () => {
    const config = ladder(Tier.USERS_1M, { authentication: false });
    expect(config.resource[TYPE]).toBeUndefined();
    for (const svc of all(config, 'google_cloud_run_v2_service')) for (const v of AUTH) expect(v in envOf(svc)).toBe(false);
  });

  test('authentication: true on 100K builds it at the address 1M keeps', () => {
    const config = ladder(Tier.USERS_100K, { authentication: true });
    expect(Object.keys(config.resource[TYPE])).toEqual([ADDRESS]);
    for (const svc of all(config, 'google_cloud_run_v2_service')) for (const v of AUTH) expect(v in envOf(svc)).toBe(true);
  });

  test('the domain and the callback URLs\' hosts are authorized, with the project\'s own two domains', () => {
    const config = ladder(Tier.USERS_1M, { domainName: 'shop.example.com', authCallbackUrls: ['https://login.example.com/cb', 'http://localhost:3000/cb'] });
    expect(config.resource[TYPE][ADDRESS].authorized_domains).toEqual([
      'test-project-1.firebaseapp.com', 'test-project-1.web.app', 'shop.example.com', 'login.example.com', 'localhost',
    ]);
  });

  test('one configuration per project: a second ladder in the same project (another stack of the app) is refused, one in another project is not', () => {
    const app = Testing.app();
    const ladderIn = (stackName: string, options: Partial<gcp.ScaleLadderOptions> = {}) => {
      const stack = new TerraformStack(app, stackName);
      new GoogleProvider(stack, 'google', { project: BASE.project, region: BASE.region });
      return new gcp.ScaleLadder(stack, 'App', { ...BASE, tier: Tier.USERS_1M, image: IMAGE, ...options });
    };
    ladderIn('shop');
    let thrown: any;
    try {
      ladderIn('blog');
    } catch (e) {
      thrown = e;
    }
    expect(thrown?.name).toBe('ScaleLadderError');
    expect(thrown.message).toBe('authentication must be on for one ladder per Google Cloud project (Identity Platform keeps one configuration per project): ' +
      "project 'test-project-1' already has one at shop/App/UserDirectory, got a second at blog/App/UserDirectory");
    expect(() => ladderIn('wiki', { authentication: false })).not.toThrow();
    expect(() => ladderIn('docs', { project: 'other-project-2' })).not.toThrow();
  });

  const URLS = 'authCallbackUrls must hold absolute URLs with https:// (http:// only for localhost) and no fragment, such as \'https://shop.example.com/auth/callback\', got ';
  test.each([
    ['1K', { authentication: 'yes' }, 'authentication must be a boolean (true or false), got "yes"'],
    ['1M', { authentication: 0 }, 'authentication must be a boolean (true or false), got 0'],
    ['1K', { authCallbackUrls: ['http://shop.example.com/cb'] }, `${URLS}"http://shop.example.com/cb"`],
    ['10M', { authCallbackUrls: ['https://shop.example.com/#done'] }, `${URLS}"https://shop.example.com/#done"`],
    ['1M', { authCallbackUrls: [] }, 'authCallbackUrls must be a list of 1-100 URLs, got []'],
    ['1M', { authCallbackUrls: 'https://shop.example.com/cb' }, 'authCallbackUrls must be a list of 1-100 URLs, got "https://shop.example.com/cb"'],
  ])('on %s %j is refused', (name, bad, message) => {
    let thrown: any;
    try {
      ladder(Tier.fromName(name), bad as any);
    } catch (e) {
      thrown = e;
    }
    expect(thrown?.name).toBe('ScaleLadderError');
    expect(thrown.message).toBe(message);
  });

  test('UserDirectory refuses authorized domains that are not domain names', () => {
    expectError(scope => new gcp.UserDirectory(scope, 'Users', { ...BASE, authorizedDomains: ['https://shop.example.com'] }),
      'authorizedDomains must hold lowercase domain names such as \'shop.example.com\', got "https://shop.example.com"');
  });
});

describe('the planner treats it as holding data, with cited in-place attributes', () => {
  test('stateful; only project forces a new one; the other attributes update in place (provider v6.50.0)', () => {
    expect(STATEFUL_TYPES.has(TYPE)).toBe(true);
    expect(forceNewAttributes(TYPE)).toEqual(['project']);
    for (const path of ['authorized_domains', 'sign_in.email.enabled', 'mfa.provider_configs[0].state', 'monitoring.request_logging.enabled', 'client.permissions.disabled_user_signup']) {
      expect(inPlaceUpdate(TYPE, path)?.source).toBe('terraform-provider-google v6.50.0 google/services/identityplatform/resource_identity_platform_config.go');
    }
  });

  test('100K → 1M adds it and is SAFE; 1M → 10M and 100M → 1B leave it alone', () => {
    const up = planGcp('100K', '1M');
    expect(up.verdict).toBe('SAFE');
    expect(up.changes.filter(c => c.type === TYPE).map(c => [c.action, c.stateful])).toEqual([['ADD', true]]);
    for (const [from, to] of [['1M', '10M'], ['100M', '1B']]) {
      const plan = planGcp(from, to);
      expect(plan.changes.filter(c => c.type === TYPE)).toEqual([]);
      expect(plan.changes.filter(c => c.stateful && (c.action === 'REPLACE' || c.action === 'REMOVE'))).toEqual([]);
    }
  });

  const mutated = (mutate: (body: any) => void) => {
    const after = JSON.parse(JSON.stringify(rung('10M')));
    mutate(after.resource[TYPE][ADDRESS]);
    return planGcpConfigs(Tier.USERS_1M, Tier.USERS_10M, rung('1M'), after);
  };

  test('a change of sign-in settings is an in-place update', () => {
    const plan = mutated(body => { body.sign_in.email.password_required = false; });
    expect(plan.changes.find(c => c.type === TYPE)).toMatchObject({ action: 'UPDATE', stateful: true });
    expect(plan.verdict).not.toBe('UNSAFE');
  });

  test('another project is a replacement: UNSAFE', () => {
    const plan = mutated(body => { body.project = 'other-project-1'; });
    expect(plan.changes.find(c => c.type === TYPE)).toMatchObject({ action: 'REPLACE', stateful: true });
    expect(plan.verdict).toBe('UNSAFE');
  });

  test('the one Identity Platform type is the only one of its kind in every rung', () => {
    for (const name of RUNGS) {
      const identity = resources(rung(name)).filter(([type]) => type.startsWith('google_identity_platform_'));
      expect(identity.length).toBeLessThanOrEqual(1);
    }
  });
});
