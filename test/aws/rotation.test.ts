import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AppContract, AppImage, ScaleLadder, ScaleLadderOptions, SeparatedDatabase, Tier } from '../../lib';
import { DEFAULT_ENV, DEFAULT_IMAGE, DEFAULT_ZONE, STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { PINNED_FLAGS } from '../support/feature-flags';
import { AWS_RUNGS, awsPlan, awsTemplateJson, awsTemplatesJson } from '../support/rungs';
import { stackWithNetwork, testStack } from '../support/stacks';

/*
 * Database credentials rotate from 10K on every rung (docs/credentials.md); on 100M and 1B the other
 * regions read the replicas of the same secrets, which follow each rotation:
 * hosted single-user rotation every 30 days, first rotation at the schedule (not at deploy), one
 * Secrets Manager endpoint per VPC; the app learns where its password comes from (DATABASE_SECRET).
 * Switching it on adds resources and updates no secret.
 */

const image = AppImage.fromRegistry(DEFAULT_IMAGE);
const ROTATING = ['10K', '100K', '1M', '10M', '100M', '1B'];

const ofType = (template: any, type: string): Array<[string, any]> =>
  Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);

function synth(tier: Tier, options: Partial<ScaleLadderOptions> = {}): any {
  const app = new App({ context: { ...PINNED_FLAGS, 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, STACK_ID, { env: DEFAULT_ENV });
  new ScaleLadder(stack, 'App', { tier, image, port: 80, zone: DEFAULT_ZONE, ...options });
  return Template.fromStack(stack).toJSON();
}

/** Each database cluster's secret attachment (the secret the app and the shard map name). */
function attachments(template: any): string[] {
  return ofType(template, 'AWS::SecretsManager::SecretTargetAttachment').map(([id]) => id).sort();
}

describe.each(AWS_RUNGS)('rung %s', (rung) => {
  const templates = awsTemplatesJson(rung);
  const primary = awsTemplateJson(rung);
  const rotating = ROTATING.includes(rung);

  test(`${rotating ? 'every database\'s credentials rotate every 30 days' : 'no credentials rotate on a schedule'}`, () => {
    const schedules = Object.values<any>(templates).flatMap(t => ofType(t, 'AWS::SecretsManager::RotationSchedule'));
    if (!rotating) {
      expect(schedules).toEqual([]);
      return;
    }
    const clusters = ofType(primary, 'AWS::RDS::DBCluster');
    expect(clusters).toHaveLength(Tier.fromName(rung).spec.database!.shards);
    expect(schedules.map(([, s]) => s.Properties.SecretId.Ref).sort()).toEqual(attachments(primary));
    for (const [, schedule] of schedules) {
      expect(schedule.Properties).toMatchObject({
        HostedRotationLambda: { RotationType: 'PostgreSQLSingleUser' },
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        RotateImmediatelyOnUpdate: false,
      });
      // In the isolated subnets, next to the clusters.
      const subnets = JSON.stringify(schedule.Properties.HostedRotationLambda.VpcSubnetIds);
      expect(subnets.match(/IsolatedSubnet\dSubnet/g)).toHaveLength(3);
    }
    expect([primary.Transform].flat()).toEqual(['AWS::SecretsManager-2024-09-16']);
  });

  if (rotating) {
    test('one Secrets Manager endpoint with private DNS, open to HTTPS from the VPC range only', () => {
      const endpoints = ofType(primary, 'AWS::EC2::VPCEndpoint');
      expect(endpoints).toHaveLength(1);
      const [, endpoint] = endpoints[0];
      expect(endpoint.Properties).toMatchObject({ ServiceName: 'com.amazonaws.us-east-1.secretsmanager', PrivateDnsEnabled: true, VpcEndpointType: 'Interface' });
      const groupId = endpoint.Properties.SecurityGroupIds[0]['Fn::GetAtt'][0];
      expect(primary.Resources[groupId].Properties.SecurityGroupIngress).toEqual([
        { CidrIp: '10.0.0.0/16', Description: 'HTTPS to Secrets Manager from the VPC', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
      ]);
    });

    test('each rotation function may reach its cluster\'s port and nothing else is opened', () => {
      const schedules = ofType(primary, 'AWS::SecretsManager::RotationSchedule');
      const rules = ofType(primary, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
      for (const [, schedule] of schedules) {
        const group = schedule.Properties.HostedRotationLambda.VpcSecurityGroupIds['Fn::GetAtt'][0];
        const fromRotation = rules.filter(r => r.SourceSecurityGroupId?.['Fn::GetAtt']?.[0] === group);
        expect(fromRotation).toHaveLength(1);
        expect(fromRotation[0].FromPort).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Cluster/), 'Endpoint.Port'] });
      }
    });
  }
});

describe('the app is told where its password comes from (DATABASE_SECRET)', () => {
  test('from 10K, a plain variable, not on 1K', () => {
    const v = AppContract.all().find(x => x.name === 'DATABASE_SECRET')!;
    expect({ secret: v.secret, fromRung: v.fromRung }).toEqual({ secret: false, fromRung: '10K' });
    expect(AppContract.variablesFor('1K').map(x => x.name)).not.toContain('DATABASE_SECRET');
  });

  test.each(['100K', '1M', '10M', '100M'])('on %s every app container of the primary names shard 0\'s secret (its ARN)', (rung) => {
    const template = awsTemplateJson(rung);
    const shard0 = attachments(template).find(id => id.startsWith('AppDatabaseCluster'))!;
    for (const [, task] of ofType(template, 'AWS::ECS::TaskDefinition')) {
      const app = task.Properties.ContainerDefinitions[0];
      if (app.Name === 'rebalance') continue;
      const env = Object.fromEntries(app.Environment.map((e: any) => [e.Name, e.Value]));
      expect(env.DATABASE_SECRET).toEqual({ Ref: shard0 });
      const password = app.Secrets.find((s: any) => s.Name === 'DATABASE_PASSWORD').ValueFrom;
      expect(JSON.stringify(password)).toContain(shard0);
    }
  });

  test('the 10K server reads it from its environment parameter', () => {
    const parameter = Object.values<any>(awsTemplateJson('10K').Resources)
      .find(r => String(r.Metadata?.['aws:cdk:path']).endsWith('Server/AppEnvironment/Resource'));
    expect(JSON.stringify(parameter.Properties.Value)).toContain('\\"DATABASE_SECRET\\":');
  });

  test('the other regions name the replica of shard 0\'s secret, and read DATABASE_PASSWORD from it', () => {
    const pointer = '{{resolve:secretsmanager:scale-ladder/ScaleLadder/shard0/secret-name:SecretString:::}}';
    for (const region of ['us-west-2', 'eu-west-1']) {
      const template = awsTemplatesJson('1B')[`${STACK_ID}-${region}`];
      for (const [, task] of ofType(template, 'AWS::ECS::TaskDefinition')) {
        const app = task.Properties.ContainerDefinitions[0];
        const env = Object.fromEntries(app.Environment.map((e: any) => [e.Name, e.Value]));
        expect(env.DATABASE_SECRET).toBe(pointer);
        const password = app.Secrets.find((s: any) => s.Name === 'DATABASE_PASSWORD').ValueFrom;
        expect(JSON.stringify(password)).toContain(`:secret:${pointer}:password::`);
        expect(JSON.stringify(password)).toContain(region);
      }
    }
  });
});

describe.each([['100M', ['us-west-2']], ['1B', ['eu-west-1', 'us-west-2']]])('on %s the shard secrets replicate to the other regions', (rung, regions) => {
  const primary = awsTemplateJson(rung as string);
  const shards = Tier.fromName(rung as string).spec.database!.shards;

  test('every cluster\'s own secret has a replica in each other region', () => {
    const secrets = ofType(primary, 'AWS::SecretsManager::Secret').filter(([id]) => /^ScaleLadderApp(Database|Shards)/.test(id));
    expect(secrets).toHaveLength(shards);
    for (const [, secret] of secrets) {
      expect(secret.Properties.ReplicaRegions.map((r: any) => r.Region).sort()).toEqual([...(regions as string[])].sort());
    }
  });

  test('a replicated secret per shard holds the shard secret\'s name (no credential), under a fixed name', () => {
    const pointers = ofType(primary, 'AWS::SecretsManager::Secret').filter(([id]) => id.startsWith('AppGlobalCredentials'));
    expect(pointers.map(([, p]) => p.Properties.Name).sort()).toEqual(
      Array.from({ length: shards }, (_, i) => `scale-ladder/ScaleLadder/shard${i}/secret-name`).sort());
    for (const [, pointer] of pointers) {
      expect(pointer.DeletionPolicy).toBe('Retain');
      expect(pointer.Properties.ReplicaRegions.map((r: any) => r.Region).sort()).toEqual([...(regions as string[])].sort());
      expect(JSON.stringify(pointer.Properties.SecretString)).toMatch(/"Ref":"ScaleLadderApp(Database|Shards(Shard\d)?)ClusterSecret/);
      expect(JSON.stringify(pointer.Properties.SecretString)).not.toContain('resolve:secretsmanager');
    }
  });
});

describe('climbs stay safe: rotation adds resources and updates no secret', () => {
  const plan = (from: string, to: string) => awsPlan(from, to);

  test.each([['1K', '10K'], ['10K', '100K'], ['100K', '1M'], ['1M', '10M']])('%s → %s', (from, to) => {
    const result = plan(from, to);
    expect(result.changes.filter(c => c.stateful && (c.action === 'REPLACE' || c.action === 'REMOVE'))).toEqual([]);
    // No secret the lower rung has is touched (a rotation schedule is a resource of its own).
    expect(result.changes.filter(c => c.type === 'AWS::SecretsManager::Secret' && c.action !== 'ADD' && !c.properties?.every(p => p === 'ReplicaRegions'))).toEqual([]);
    const lower = new Set(attachments(awsTemplateJson(from)));
    for (const [id, attachment] of ofType(awsTemplateJson(to), 'AWS::SecretsManager::SecretTargetAttachment')) {
      if (lower.has(id)) expect(attachment).toEqual(awsTemplateJson(from).Resources[id]);
    }
    const schedules = result.changes.filter(c => c.type === 'AWS::SecretsManager::RotationSchedule');
    expect(schedules.every(c => c.action === 'ADD')).toBe(true);
    expect(schedules.length).toBe(from === '1K' ? 1 : from === '1M' ? 3 : 0);
  });

  test.each([['10M', '100M'], ['100M', '1B']])('%s → %s keeps rotation: removes no rotation resource, and updates secrets only by adding replica regions', (from, to) => {
    const result = plan(from, to);
    expect(result.changes.filter(c => c.stateful && (c.action === 'REPLACE' || c.action === 'REMOVE'))).toEqual([]);
    const removed = result.changes.filter(c => c.action === 'REMOVE' && c.id.startsWith(`${STACK_ID}/`));
    expect(removed.filter(c => /Rotation|SecretsManagerEndpoint|SecretAttachmentPolicy/.test(c.id))).toEqual([]);
    const secrets = result.changes.filter(c => c.type === 'AWS::SecretsManager::Secret' && c.action !== 'ADD');
    expect(secrets.filter(c => c.action !== 'UPDATE' || !c.properties?.every(p => p === 'ReplicaRegions'))).toEqual([]);
    // Every shard secret the lower rung has gains its replicas in place.
    if (from === '10M') expect(secrets.filter(c => /ClusterSecret/.test(c.id)).length).toBe(Tier.fromName(from).spec.database!.shards);
    expect(result.changes.filter(c => c.type === 'AWS::SecretsManager::RotationSchedule' && c.action !== 'ADD')).toEqual([]);
  });
});

describe('credentialRotation', () => {
  test('false leaves every database without a schedule or an endpoint', () => {
    const template = synth(Tier.USERS_10K, { credentialRotation: false });
    expect(ofType(template, 'AWS::SecretsManager::RotationSchedule')).toEqual([]);
    expect(ofType(template, 'AWS::EC2::VPCEndpoint')).toEqual([]);
    expect(template.Transform).toBeUndefined();
  });

  test.each([['1K', 'no'], ['10M', 0]])('is checked on every rung (%s, %j)', (rung, bad) => {
    expect(() => new ScaleLadder(testStack('us-east-1'), 'App', { tier: Tier.fromName(rung), image, credentialRotation: bad as any }))
      .toThrow(`credentialRotation must be a boolean (true or false), got ${JSON.stringify(bad)}`);
  });

  test('SeparatedDatabase: off unless asked; two databases in one VPC share one endpoint', () => {
    const { stack, vpc } = stackWithNetwork(false);
    const first = new SeparatedDatabase(stack, 'First', { vpc, credentialRotation: true });
    const second = new SeparatedDatabase(stack, 'Second', { vpc, credentialRotation: true, secretsManagerEndpoint: first.secretsManagerEndpoint });
    const plain = new SeparatedDatabase(stack, 'Plain', { vpc });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    expect(second.secretsManagerEndpoint).toBe(first.secretsManagerEndpoint);
    expect(plain.rotation).toBeUndefined();
    expect(() => new SeparatedDatabase(testStack(), 'Bad', { vpc: stackWithNetwork().vpc, credentialRotation: 'yes' as any }))
      .toThrow('credentialRotation must be a boolean (true or false), got "yes"');
  });
});

describe('what is not rotated on a schedule is documented', () => {
  test.each(['1M', '10M'])('on %s no schedule rotates the cache token (rotated by hand, docs/credentials.md)', (rung) => {
    const template = awsTemplateJson(rung);
    const [tokenId] = ofType(template, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith('AppCacheAuthToken'))!;
    const targets = ofType(template, 'AWS::SecretsManager::RotationSchedule').map(([, s]) => s.Properties.SecretId.Ref);
    expect(targets).not.toContain(tokenId);
  });
});
