import { App, Stack } from 'aws-cdk-lib';
import { AppImage, ScaleLadder, Tier } from '../../lib';
import { STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { diffAwsStack, planAwsTemplates } from '../../lib/aws/upgrade/planner';
import { COPY_DATABASE_SCRIPT } from '../../lib/core/data-moves/copy-database';
import { ShardRouter } from '../../lib/core/shard-router';
import { PINNED_FLAGS } from '../support/feature-flags';
import { AWS_RUNGS, awsPlan, awsTemplateJson, awsTemplatesJson } from '../support/rungs';

/*
 * Climbs that keep the data and the traffic: each test here failed on the library before
 * the fix it names (rows stranded by new shards, the volume detached while mounted, row
 * estimates instead of exact counts, the entry point deleted with the server, a constant
 * launch-template name, a server restarted by a user-data change).
 */

const resourcesOfType = (template: any, type: string): Array<[string, any]> =>
  Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);

const byPath = (template: any, pathEnd: string): [string, any] => {
  const found = Object.entries<any>(template.Resources).filter(([, r]) => String(r.Metadata?.['aws:cdk:path'] ?? '').endsWith(pathEnd));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0];
};

const SHARDED = ['10M', '100M', '1B'];

describe('adding shards moves no key', () => {
  test('the bucket assignment parameter is byte-identical on every sharded rung, retained and marked as data', () => {
    const [id, first] = byPath(awsTemplateJson('10M'), 'Shards/ShardBuckets/Resource');
    expect(first).toMatchObject({ Type: 'AWS::SSM::Parameter', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(first.Metadata['scale-ladder:holds-data']).toBe(true);
    expect(JSON.parse(first.Properties.Value)).toEqual(ShardRouter.balancedAssignment(1));
    for (const rung of SHARDED) {
      const body = { ...awsTemplateJson(rung).Resources[id] };
      expect(body).toEqual(first);
    }
  });

  test.each(SHARDED)('on %s every container that routes keys reads SHARD_BUCKETS from the parameter when it starts', (rung) => {
    let routed = 0;
    for (const template of Object.values(awsTemplatesJson(rung))) {
      for (const [, task] of resourcesOfType(template, 'AWS::ECS::TaskDefinition')) {
        for (const container of task.Properties.ContainerDefinitions) {
          const hasMap = (container.Environment ?? []).some((e: any) => e.Name === 'SHARD_MAP');
          if (!hasMap) continue;
          routed++;
          const buckets = (container.Secrets ?? []).find((s: any) => s.Name === 'SHARD_BUCKETS');
          expect(buckets).toBeDefined();
          expect(JSON.stringify(buckets.ValueFrom)).toMatch(/shard-buckets|ShardBuckets/);
        }
      }
    }
    expect(routed).toBeGreaterThan(1);
  });

  test.each([
    ['renames it (a new parameter, starting over on shard 0)', 'Name', '/other/name'],
    ['changes its template value (an update writes it over the live assignment)', 'Value', '[1]'],
    ['changes only its description (an update still writes the template value back)', 'Description', 'new words'],
  ])('a swap that %s is UNSAFE', (_, property, value) => {
    const before = awsTemplatesJson('10M');
    const after = JSON.parse(JSON.stringify(awsTemplatesJson('100M')));
    const [id] = byPath(after[STACK_ID], 'Shards/ShardBuckets/Resource');
    after[STACK_ID].Resources[id].Properties[property] = value;
    const plan = planAwsTemplates('10M', '100M', before, after);
    expect(plan.changes.filter(c => c.id.endsWith(`/${id}`)).map(c => [c.action, c.stateful])).toEqual([['REPLACE', true]]);
    expect(plan.verdict).toBe('UNSAFE');
  });

  test('the rebalance task runs the shipped script with every shard\'s credentials', () => {
    const template = awsTemplateJson('10M');
    const [, task] = byPath(template, 'Rebalance/Task/Resource');
    const container = task.Properties.ContainerDefinitions[0];
    expect(container.Name).toBe('rebalance');
    expect(container.EntryPoint).toEqual(['bash', '-c']);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(container.Command).toEqual([require('../../lib/core/data-moves/rebalance-shards').REBALANCE_SHARDS_SCRIPT]);
    expect(container.Secrets.map((s: any) => s.Name).sort()).toEqual(['SHARD_0_PASSWORD', 'SHARD_1_PASSWORD', 'SHARD_2_PASSWORD', 'SHARD_3_PASSWORD', 'SHARD_BUCKETS']);
    expect(Object.keys(template.Outputs).some(k => k.includes('RebalanceRunTask'))).toBe(true);
  });

  test.each([
    ['1M', '10M', '1 → 4', '0>1:1,5,9,'],
    ['10M', '100M', '4 → 8', '0>4:4,12,20,'],
    ['100K', '1B', '1 → 8', '0>1:1,9,17,'],
  ])('%s → %s is a MIGRATION that prints the rebalance batches (%s shards)', (from, to, shards, firstMoves) => {
    const plan = awsPlan(from, to);
    expect(plan.verdict).toBe('MIGRATION');
    const step = plan.migrations.find(m => m.title.startsWith('Rebalance key buckets'))!;
    expect(step.title).toContain(`(${shards} shards)`);
    expect(step.instructions).toContain('The deploy itself moves no key');
    // The exact output key from the template (RebalanceRunTask<hash>), not a substring match.
    expect(step.instructions).toMatch(new RegExp(`--stack-name ${STACK_ID} --query "Stacks\\[0\\]\\.Outputs\\[\\?OutputKey=='App[A-Za-z0-9]*RebalanceRunTask[0-9A-F]{8}'\\]`));
    expect(step.instructions).toContain(`"name":"MOVES","value":"${firstMoves}`);
    expect(step.instructions).toContain('aws ssm put-parameter --region "$REGION" --overwrite --name "$BUCKETS" --value "$EXPECTED"');
    expect(step.instructions).toContain('ACTION');
  });

  test('1M → 10M lists the cache reshard as an interruption, with its source', () => {
    const plan = awsPlan('1M', '10M');
    const cache = plan.interruptions.filter(i => i.what.startsWith('NumNodeGroups'));
    expect(cache).toHaveLength(1);
    expect(cache[0].source).toContain('AWS::ElastiCache::ReplicationGroup, NumNodeGroups: Update requires: Some interruptions');
  });

  test('100M → 1B keeps the shard count: no rebalance, SAFE', () => {
    expect(awsPlan('100M', '1B').verdict).toBe('SAFE');
  });
});

describe('the server\'s database moves with exact verification, then frees the volume', () => {
  const doc = () => {
    const [, resource] = byPath(awsTemplateJson('10K'), 'Server/MigrateDatabase');
    return resource.Properties.Content.mainSteps[0].inputs.runCommand as unknown[];
  };
  const text = () => JSON.stringify(doc());

  test('the SSM document runs the shipped copy script, line for line (exact counts and checksums, not estimates)', () => {
    const lines = doc().map(l => (typeof l === 'string' ? l : JSON.stringify(l)));
    const start = lines.findIndex(l => l.trimStart().startsWith('cat > /var/lib/scale-ladder/migration/copy-database.sh'));
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, start + 1 + COPY_DATABASE_SCRIPT.split('\n').length).join('\n')).toBe(COPY_DATABASE_SCRIPT);
    expect(text()).not.toContain('n_live_tup');
  });

  test('only after the verified switch does it stop PostgreSQL and unmount the data volume', () => {
    const lines = doc().map(l => (typeof l === 'string' ? l : JSON.stringify(l)));
    const run = lines.findIndex(l => l.includes('bash /work/copy-database.sh'));
    const switched = lines.indexOf('  SWITCHED=yes');
    const unmount = lines.findIndex(l => l.startsWith('free_volume ||'));
    expect(run).toBeGreaterThan(0);
    expect(switched).toBeGreaterThan(run);
    expect(unmount).toBeGreaterThan(switched);
    expect(lines.find(l => l.startsWith('free_volume()'))).toMatch(/docker stop postgres.*umount \/var\/lib\/scale-ladder/);
  });

  test('10K → 100K: the plan\'s first step checks the volume is free before the deploy detaches it', () => {
    const plan = awsPlan('10K', '100K');
    expect(plan.verdict).toBe('MIGRATION');
    expect(plan.migrations.map(m => m.title)).toEqual(['Retire the single server (10K → 100K)']);
    const steps = plan.migrations[0].instructions;
    expect(steps.indexOf('mountpoint -q /var/lib/scale-ladder')).toBeLessThan(steps.indexOf('Deploy rung 100K'));
    expect(steps).toContain('volume-free');
  });
});

describe('the server is not restarted by the 1K → 10K swap', () => {
  test('the instance (user data included) and its launch template do not change', () => {
    const changes = diffAwsStack(STACK_ID, awsTemplateJson('1K'), awsTemplateJson('10K'));
    const [instanceId] = byPath(awsTemplateJson('1K'), 'Server/Instance/Resource');
    const [templateId] = byPath(awsTemplateJson('1K'), 'Server/LaunchTemplate');
    expect(changes.filter(c => c.id.endsWith(`/${instanceId}`) || c.id.endsWith(`/${templateId}`))).toEqual([]);
  });

  test('the app\'s variables change in the environment parameter instead (an in-place update)', () => {
    const changes = diffAwsStack(STACK_ID, awsTemplateJson('1K'), awsTemplateJson('10K'));
    const [parameterId] = byPath(awsTemplateJson('1K'), 'Server/AppEnvironment/Resource');
    expect(changes.filter(c => c.id.endsWith(`/${parameterId}`)).map(c => [c.action, c.properties])).toEqual([['UPDATE', ['Value']]]);
  });
});

describe('the launch template name', () => {
  const synth = (flag: boolean | undefined) => {
    const context: Record<string, unknown> = { ...PINNED_FLAGS };
    if (flag !== undefined) context['@aws-cdk/aws-ec2:uniqueImdsv2TemplateName'] = flag;
    const app = new App({ context });
    const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'us-east-1' } });
    new ScaleLadder(stack, 'App', { tier: Tier.USERS_1K, image: AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27') });
    return app.synth().getStackByName('Shop').template;
  };

  test('is left to CloudFormation (unique per stack) and requires IMDSv2', () => {
    const templates = resourcesOfType(synth(undefined), 'AWS::EC2::LaunchTemplate');
    expect(templates).toHaveLength(1);
    const [, launchTemplate] = templates[0];
    expect(launchTemplate.Properties.LaunchTemplateName).toBeUndefined();
    expect(launchTemplate.Properties.LaunchTemplateData.MetadataOptions.HttpTokens).toBe('required');
  });

  test('the template is the same whether the app sets the unique-name feature flag or not', () => {
    expect(synth(true)).toEqual(synth(false));
    expect(synth(true)).toEqual(synth(undefined));
  });
});

describe('the public entry point survives the climb', () => {
  test('with a zone, the stack owns one apex record from 1K: the server\'s address, later an alias, updated in place', () => {
    const [id, record1K] = byPath(awsTemplateJson('1K'), 'AppRecord/Record');
    expect(record1K.Properties).toMatchObject({ Name: 'example.com.', Type: 'A', TTL: '60' });
    expect(record1K.Properties.ResourceRecords).toHaveLength(1);
    for (const rung of AWS_RUNGS.slice(2)) {
      const record = awsTemplateJson(rung).Resources[id];
      expect(record.Properties.AliasTarget).toBeDefined();
    }
    const change = diffAwsStack(STACK_ID, awsTemplateJson('10K'), awsTemplateJson('100K')).find(c => c.id.endsWith(`/${id}`));
    expect(change?.action).toBe('UPDATE');
  });

  test('without a zone, the Elastic IP is retained when the server retires and the plan prints the DNS step', () => {
    const [, address] = byPath(awsTemplateJson('10K'), 'Server/Address');
    expect(address).toMatchObject({ Type: 'AWS::EC2::EIP', DeletionPolicy: 'Retain' });
    // The demo rungs are given a zone; without one the stacks hold no AppRecord.
    const withoutZone = (templates: Record<string, any>) => Object.fromEntries(Object.entries(templates).map(([name, t]) => [name, {
      ...t, Resources: Object.fromEntries(Object.entries<any>(t.Resources).filter(([, r]) => !/\/AppRecord\//.test(String(r.Metadata?.['aws:cdk:path'])))),
    }]));
    const zoned = awsPlan('10K', '100K').migrations[0].instructions;
    expect(zoned).toContain('The stack\'s apex record moves to the load balancer in this deploy');
    expect(zoned).not.toContain('LoadBalancerDns');
    const steps = planAwsTemplates('10K', '100K', withoutZone(awsTemplatesJson('10K')), withoutZone(awsTemplatesJson('100K'))).migrations[0].instructions;
    expect(steps).toMatch(/Outputs\[\?OutputKey=='App[A-Za-z0-9]*LoadBalancerDns[0-9A-F]{8}'\]/);
    expect(steps).not.toContain('apex record');
    // The allocation id is read before the deploy (its output leaves with the server) and used after.
    expect(steps.indexOf('ALLOCATION=$(aws cloudformation describe-stacks --stack-name ScaleLadder')).toBeLessThan(steps.indexOf('Deploy rung 100K'));
    expect(steps.indexOf('aws ec2 release-address --allocation-id "$ALLOCATION"')).toBeGreaterThan(steps.indexOf('Deploy rung 100K'));
    expect(steps).toMatch(/TTL has passed/);
  });
});
