import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AppContract, AppImage, ScaleLadder, ScaleLadderOptions, Tier, UserDirectory } from '../../lib';
import { DEFAULT_ENV, DEFAULT_IMAGE, DEFAULT_ZONE, STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { planAwsTemplates } from '../../lib/aws/upgrade/planner';
import { PINNED_FLAGS } from '../support/feature-flags';
import { AWS_RUNGS, awsPlan, awsTemplateJson, awsTemplatesJson } from '../support/rungs';
import { testStack } from '../support/stacks';

/*
 * The user directory (operations.authentication, from 1M): a Cognito user pool that keeps the
 * app's users (deletion-protected, retained, never replaced by a climb), a public app client for
 * the authorization code flow with PKCE, a hosted UI domain, and AUTH_* in the app contract.
 */

const image = AppImage.fromRegistry(DEFAULT_IMAGE);
const AUTH = ['AUTH_ISSUER', 'AUTH_CLIENT_ID', 'AUTH_DOMAIN'];

const ofType = (template: any, type: string): Array<[string, any]> =>
  Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);

/** The demo rung's app, with props of one's own, synthesized (the primary stack's template). */
function synth(tier: Tier, options: Partial<ScaleLadderOptions> = {}): any {
  const app = new App({ context: { ...PINNED_FLAGS, 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, STACK_ID, { env: DEFAULT_ENV });
  new ScaleLadder(stack, 'App', { tier, image, port: 80, services: [{ name: 'api', pathPatterns: ['/api/*'] }], zone: DEFAULT_ZONE, ...options });
  return Template.fromStack(stack).toJSON();
}

/** Every app container's variables (environment and secrets) of every task definition but the rebalance tool's. */
function containerVariables(template: any): Array<Record<string, unknown>> {
  return ofType(template, 'AWS::ECS::TaskDefinition')
    .map(([, task]) => task.Properties.ContainerDefinitions)
    .filter(defs => defs[0].Name !== 'rebalance')
    .map(defs => defs.find((c: any) => c.Name !== 'aws-otel-collector'))
    .map(c => Object.fromEntries([
      ...(c.Environment ?? []).map((e: any) => [e.Name, e.Value]),
      ...(c.Secrets ?? []).map((s: any) => [s.Name, s.ValueFrom]),
    ]));
}

describe.each(AWS_RUNGS)('rung %s', (rung) => {
  const template = awsTemplateJson(rung);
  const on = Tier.fromName(rung).spec.operations.authentication;

  test(`${on ? 'has' : 'has no'} user pool, app client and hosted UI domain, as the tier data says`, () => {
    const count = on ? 1 : 0;
    expect(ofType(template, 'AWS::Cognito::UserPool')).toHaveLength(count);
    expect(ofType(template, 'AWS::Cognito::UserPoolClient')).toHaveLength(count);
    expect(ofType(template, 'AWS::Cognito::UserPoolDomain')).toHaveLength(count);
    expect(on).toBe(Tier.fromName(rung).rank >= Tier.USERS_1M.rank);
  });

  test(`every app container ${on ? 'gets' : 'lacks'} AUTH_ISSUER, AUTH_CLIENT_ID and AUTH_DOMAIN, in every region`, () => {
    for (const stackTemplate of Object.values<any>(awsTemplatesJson(rung))) {
      for (const vars of containerVariables(stackTemplate)) {
        for (const name of AUTH) expect([name, name in vars]).toEqual([name, on]);
      }
    }
  });
});

describe('the user pool holds the users: protected, and the same resource on every rung from 1M', () => {
  const pools = ofType(awsTemplateJson('1M'), 'AWS::Cognito::UserPool');
  const [poolId, pool] = pools[0];

  test('retained on removal and replacement, deletion protection on', () => {
    expect(pool).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
  });

  test('email is the sign-in name (case-insensitive, verified), MFA is optional with TOTP only, strong passwords, Plus plan with threat protection enforced', () => {
    expect(pool.Properties).toMatchObject({
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  test('the app client is public (no secret) and allows only the authorization code flow to the zone\'s callback', () => {
    const [, client] = ofType(awsTemplateJson('1M'), 'AWS::Cognito::UserPoolClient')[0];
    expect(client.Properties).toEqual(expect.objectContaining({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: ['https://example.com/auth/callback'],
      LogoutURLs: ['https://example.com/'],
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      SupportedIdentityProviders: ['COGNITO'],
      UserPoolId: { Ref: poolId },
    }));
  });

  test('the hosted UI prefix is deterministic and valid', () => {
    const [, domain] = ofType(awsTemplateJson('1M'), 'AWS::Cognito::UserPoolDomain')[0];
    expect(domain.Properties.Domain).toMatch(/^scaleladder-[0-9a-f]{8}$/);
    expect(UserDirectory.validDomainPrefix(domain.Properties.Domain)).toBe(domain.Properties.Domain);
    expect(synth(Tier.USERS_1M).Resources[Object.keys(awsTemplateJson('1M').Resources).find(id => id.includes('IdentityUserPoolDomain'))!]
      .Properties.Domain).toBe(domain.Properties.Domain);
  });

  test.each(['10M', '100M', '1B'])('%s keeps the pool, client and domain at the same logical ids with the same definition', (rung) => {
    for (const type of ['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient', 'AWS::Cognito::UserPoolDomain']) {
      const [[id, lower]] = ofType(awsTemplateJson('1M'), type);
      expect(awsTemplateJson(rung).Resources[id]).toEqual(lower);
    }
  });

  test('the primary\'s containers get the pool\'s issuer, the client id and the hosted UI address', () => {
    const [clientId] = ofType(awsTemplateJson('1M'), 'AWS::Cognito::UserPoolClient')[0];
    const [domainId] = ofType(awsTemplateJson('1M'), 'AWS::Cognito::UserPoolDomain')[0];
    for (const vars of containerVariables(awsTemplateJson('1M'))) {
      expect(vars.AUTH_ISSUER).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [poolId, 'ProviderURL'] }]] });
      expect(vars.AUTH_CLIENT_ID).toEqual({ Ref: clientId });
      expect(vars.AUTH_DOMAIN).toEqual({ 'Fn::Join': ['', ['https://', { Ref: domainId }, '.auth.us-east-1.amazoncognito.com']] });
    }
  });

  test('the other regions read the issuer and client id from the primary\'s SSM parameters by ARN, and build the hosted UI address from its prefix', () => {
    const primary = awsTemplateJson('100M');
    const parameters = ofType(primary, 'AWS::SSM::Parameter').map(([, p]) => p.Properties.Name);
    expect(parameters).toEqual(expect.arrayContaining(['/scale-ladder/ScaleLadder/auth/issuer', '/scale-ladder/ScaleLadder/auth/client-id']));
    const [, domain] = ofType(primary, 'AWS::Cognito::UserPoolDomain')[0];
    const regional = awsTemplatesJson('100M')[`${STACK_ID}-us-west-2`];
    expect(JSON.stringify(regional)).not.toContain('Fn::ImportValue');
    for (const vars of containerVariables(regional)) {
      expect(vars.AUTH_ISSUER).toBe('arn:aws:ssm:us-east-1:123456789012:parameter/scale-ladder/ScaleLadder/auth/issuer');
      expect(vars.AUTH_CLIENT_ID).toBe('arn:aws:ssm:us-east-1:123456789012:parameter/scale-ladder/ScaleLadder/auth/client-id');
      expect(vars.AUTH_DOMAIN).toBe(`https://${domain.Properties.Domain}.auth.us-east-1.amazoncognito.com`);
    }
  });
});

describe('the app contract', () => {
  test('AUTH_ISSUER, AUTH_CLIENT_ID and AUTH_DOMAIN are plain variables from 1M', () => {
    for (const name of AUTH) {
      const v = AppContract.all().find(x => x.name === name)!;
      expect({ name: v.name, secret: v.secret, fromRung: v.fromRung }).toEqual({ name, secret: false, fromRung: '1M' });
    }
    expect(AppContract.variablesFor('100K').map(v => v.name)).not.toEqual(expect.arrayContaining(['AUTH_ISSUER']));
    for (const rung of ['1M', '10M', '100M', '1B']) expect(AppContract.variablesFor(rung).map(v => v.name)).toEqual(expect.arrayContaining(AUTH));
  });

  test('every variable\'s first rung is the lowest rung that lists it', () => {
    for (const v of AppContract.all()) {
      const first = Tier.all().find(t => AppContract.variablesFor(t).some(x => x.name === v.name))!;
      expect([v.name, v.fromRung]).toEqual([v.name, first.name]);
    }
  });

  test('the README table lists every variable with its first rung and whether it is a secret', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The app contract'), readme.indexOf('## Climbing from 1K'));
    const rows = section.split('\n').filter(l => l.startsWith('| `'));
    for (const v of AppContract.all()) {
      const row = rows.find(r => r.split('|')[1].includes(`\`${v.name}\``));
      expect([v.name, row !== undefined]).toEqual([v.name, true]);
      const [, , from, secret] = row!.split('|').map(c => c.trim());
      expect([v.name, from]).toEqual([v.name, v.fromRung]);
      expect([v.name, secret !== '']).toEqual([v.name, v.secret || row!.includes('CACHE_AUTH_TOKEN')]);
    }
  });
});

describe('authentication switches the directory off or on, whatever the tier data says', () => {
  test('authentication: false on 1M: no pool, client or domain, no AUTH_* variables', () => {
    const template = synth(Tier.USERS_1M, { authentication: false });
    expect(ofType(template, 'AWS::Cognito::UserPool')).toHaveLength(0);
    expect(ofType(template, 'AWS::Cognito::UserPoolClient')).toHaveLength(0);
    for (const vars of containerVariables(template)) for (const name of AUTH) expect(name in vars).toBe(false);
  });

  test('authentication: true on 100K builds the same directory (same logical ids) that 1M keeps', () => {
    const template = synth(Tier.USERS_100K, { authentication: true });
    const ids = (t: any) => ofType(t, 'AWS::Cognito::UserPool').map(([id]) => id);
    expect(ids(template)).toEqual(ids(awsTemplateJson('1M')));
    for (const vars of containerVariables(template)) for (const name of AUTH) expect(name in vars).toBe(true);
  });

  test('without a zone the callback is the CDN\'s domain', () => {
    const template = synth(Tier.USERS_1M, { zone: undefined });
    const [, client] = ofType(template, 'AWS::Cognito::UserPoolClient')[0];
    const [distributionId] = ofType(template, 'AWS::CloudFront::Distribution')[0];
    expect(client.Properties.CallbackURLs).toEqual([{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/auth/callback']] }]);
    expect(client.Properties.LogoutURLs).toEqual([{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] }]);
  });

  test('authCallbackUrls and authDomainPrefix are used as given', () => {
    const template = synth(Tier.USERS_1M, { authCallbackUrls: ['https://shop.example.com/login/done', 'http://localhost:3000/cb'], authDomainPrefix: 'shop-login' });
    const [, client] = ofType(template, 'AWS::Cognito::UserPoolClient')[0];
    expect(client.Properties.CallbackURLs).toEqual(['https://shop.example.com/login/done', 'http://localhost:3000/cb']);
    expect(client.Properties.LogoutURLs).toEqual(['https://shop.example.com/', 'http://localhost:3000/']);
    expect(ofType(template, 'AWS::Cognito::UserPoolDomain')[0][1].Properties.Domain).toBe('shop-login');
  });
});

describe('bad values are refused on every rung, naming the prop, the value and what is allowed', () => {
  const URLS = 'authCallbackUrls must hold absolute URLs with https:// (http:// only for localhost) and no fragment, such as \'https://shop.example.com/auth/callback\', got ';
  test.each([
    ['1K', { authentication: 'yes' }, 'authentication must be a boolean (true or false), got "yes"'],
    ['1M', { authentication: 1 }, 'authentication must be a boolean (true or false), got 1'],
    ['1K', { authCallbackUrls: ['ftp://shop.example.com/cb'] }, `${URLS}"ftp://shop.example.com/cb"`],
    ['1M', { authCallbackUrls: ['http://shop.example.com/cb'] }, `${URLS}"http://shop.example.com/cb"`],
    ['10M', { authCallbackUrls: ['https://shop.example.com/cb#x'] }, `${URLS}"https://shop.example.com/cb#x"`],
    ['1M', { authCallbackUrls: ['/auth/callback'] }, `${URLS}"/auth/callback"`],
    ['1M', { authCallbackUrls: [] }, 'authCallbackUrls must be a list of 1-100 URLs, got []'],
    ['1M', { authCallbackUrls: ['https://a.example.com/', 'https://a.example.com/'] }, 'authCallbackUrls must not repeat an entry'],
    ['10K', { authDomainPrefix: 'Shop_Login' }, "authDomainPrefix must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen, got 'Shop_Login'"],
    ['1M', { authDomainPrefix: '-shop' }, "authDomainPrefix must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen, got '-shop'"],
    ['1M', { authDomainPrefix: 'my-aws-shop' }, "authDomainPrefix must not contain 'aws', 'amazon' or 'cognito' (Cognito reserves them), got 'my-aws-shop'"],
  ])('on %s: %j', (rung, bad, message) => {
    const stack = testStack('us-east-1');
    let thrown: any;
    try {
      new ScaleLadder(stack, 'App', { tier: Tier.fromName(rung), image, ...(bad as any) });
    } catch (e) {
      thrown = e;
    }
    expect(thrown?.name).toBe('ScaleLadderError');
    expect(thrown.message).toContain(message);
  });

  test('authentication without a zone, a CDN or callback URLs says what to give', () => {
    expect(() => new ScaleLadder(testStack('us-east-1'), 'App', { tier: Tier.USERS_100K, image, authentication: true }))
      .toThrow('authCallbackUrls must be given for authentication on rung 100K without a zone or a CDN (Cognito redirects to https:// URLs only), got none');
  });
});

describe('climbs keep the users', () => {
  const plan = (from: string, to: string) => awsPlan(from, to);
  const dangerous = (from: string, to: string) => plan(from, to).changes.filter(c => c.stateful && (c.action === 'REPLACE' || c.action === 'REMOVE'));

  test('100K → 1M adds the pool, the client and the domain and replaces or removes nothing that holds data', () => {
    const result = plan('100K', '1M');
    expect(dangerous('100K', '1M')).toEqual([]);
    const added = result.changes.filter(c => c.type.startsWith('AWS::Cognito::')).map(c => [c.type, c.action, c.stateful]);
    expect(added.sort()).toEqual([
      ['AWS::Cognito::UserPool', 'ADD', true],
      ['AWS::Cognito::UserPoolClient', 'ADD', false],
      ['AWS::Cognito::UserPoolDomain', 'ADD', false],
    ]);
    expect(result.verdict).toBe('SAFE');
  });

  test.each([['1M', '10M'], ['10M', '100M'], ['100M', '1B']])('%s → %s leaves the pool, client and domain untouched', (from, to) => {
    expect(dangerous(from, to)).toEqual([]);
    expect(plan(from, to).changes.filter(c => c.type.startsWith('AWS::Cognito::'))).toEqual([]);
  });

  test('a climb that moves the pool to a new logical id (a renamed construct) is UNSAFE: the new pool starts without users', () => {
    const after = JSON.parse(JSON.stringify(awsTemplatesJson('10M')));
    const resources = after[STACK_ID].Resources;
    const [poolId, pool] = ofType(after[STACK_ID], 'AWS::Cognito::UserPool')[0];
    delete resources[poolId];
    resources[`${poolId}Renamed`] = pool;
    const result = planAwsTemplates('1M', '10M', awsTemplatesJson('1M'), after);
    const old = result.changes.find(c => c.type === 'AWS::Cognito::UserPool' && c.action === 'REMOVE')!;
    expect(old).toMatchObject({ stateful: true, retained: true, supersededBy: `${STACK_ID}/${poolId}Renamed` });
    expect(result.verdict).toBe('UNSAFE');
  });
});
