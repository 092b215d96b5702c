import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Testing } from 'cdktf';
import { AppContract, AppImage, CapacityModel, gcp, ScaleLadderError, ShardRouter, Tier, Tier100K, Tier1K, Tier1M } from '../../lib';
import { runCli, tempDir } from '../cli/run-cli';

/*
 * One catalogue of bad input, by kind: each case must fail before any template exists, with a
 * ScaleLadderError (or a usage error, exit 2, for the command) whose message names the prop or
 * flag the user wrote, the value, and what is allowed. More cases per construct live next to it
 * (test/aws/bad-input.test.ts, test/gcp/bad-input.test.ts, the sizing tests).
 */

const IMAGE = 'public.ecr.aws/docker/library/nginx:1.27';
const GCP_IMAGE = 'gcr.io/google-samples/hello-app:2.0';

function awsStack(region = 'us-east-1'): Stack {
  return new Stack(new App(), 'Shop', { env: { account: '123456789012', region } });
}

/** An AWS preset with `props` on top of a valid set. */
function aws(props: Record<string, unknown>, Preset: typeof Tier1K = Tier1K, region = 'us-east-1'): () => void {
  return () => { new Preset(awsStack(region), 'App', { image: AppImage.fromRegistry(IMAGE), ...props } as any); };
}

/** A Google Cloud preset with `props` on top of a valid set. */
function google(props: Record<string, unknown>, Preset: typeof gcp.Tier1K = gcp.Tier1K): () => void {
  return () => { Testing.synthScope(scope => { new Preset(scope, 'App', { project: 'shop-prod-1', region: 'europe-west1', image: GCP_IMAGE, ...props } as any); }); };
}

type Case = [kind: string, what: string, run: () => unknown, message: string | RegExp];

const CASES: Case[] = [
  // Image references: unpinned, moving, with a scheme, empty.
  ['image', 'AWS image without a tag', () => AppImage.fromRegistry('nginx'), "image must name a version (a tag or a digest: without one the registry serves 'latest', which moves), got 'nginx'"],
  ['image', 'AWS image :latest', () => AppImage.fromRegistry('nginx:latest'), "image must name a fixed version, not ':latest'"],
  ['image', 'AWS image with a URL scheme', () => AppImage.fromRegistry('https://ghcr.io/acme/shop:1.4.2'), "image must be an image reference without a URL scheme (e.g. ghcr.io/acme/shop:1.4.2 or …@sha256:<64 hex digits>), got 'https://ghcr.io/acme/shop:1.4.2'"],
  ['image', 'AWS image empty', () => AppImage.fromRegistry(''), "image must be a container image reference (e.g. ghcr.io/acme/shop:1.4.2 or …@sha256:<64 hex digits>), got ''"],
  ['image', 'AWS image with uppercase path', () => AppImage.fromRegistry('ghcr.io/Acme/shop:1.4.2'), 'image must be a container image reference: lowercase registry and path'],
  ['image', 'AWS image with a short digest', () => AppImage.fromRegistry('ghcr.io/acme/shop@sha256:abc'), 'image must be a container image reference: lowercase registry and path'],
  ['image', 'AWS ECR tag latest', () => AppImage.fromEcrRepository(ecr.Repository.fromRepositoryName(awsStack(), 'Repo', 'shop'), 'latest'), "tag must name a fixed version, not 'latest'"],
  ['image', 'Google image without a tag', google({ image: 'us-docker.pkg.dev/cloudrun/container/hello' }), "image must name a version (a tag or a digest: without one the registry serves 'latest', which moves), got 'us-docker.pkg.dev/cloudrun/container/hello'"],
  ['image', 'Google image :latest', google({ image: 'gcr.io/acme/shop:latest' }), "image must name a fixed version, not ':latest'"],
  ['image', 'Google image with a scheme', google({ image: 'docker://gcr.io/acme/shop:1' }), 'image must be an image reference without a URL scheme'],
  ['image', 'Google worker image :latest, checked on 1K already', google({ workerImage: 'gcr.io/acme/worker:latest' }), "workerImage must name a fixed version, not ':latest'"],
  // CIDRs: host bits, not private, wrong size, not a CIDR.
  ['cidr', 'AWS cidr with host bits set', aws({ cidr: '10.0.1.0/16' }), "cidr must start on its range's boundary (no host bits set): did you mean '10.0.0.0/16'? got '10.0.1.0/16'"],
  ['cidr', 'AWS cidr not private', aws({ cidr: '8.8.0.0/16' }), "cidr must be a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) from /16 to /20, got '8.8.0.0/16': not a private range"],
  ['cidr', 'AWS cidr in 172.32/16 (outside 172.16/12)', aws({ cidr: '172.32.0.0/16' }), "got '172.32.0.0/16': not a private range"],
  ['cidr', 'AWS cidr too small', aws({ cidr: '10.0.0.0/24' }), "cidr must be a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) from /16 to /20, got '10.0.0.0/24' (a /24)"],
  ['cidr', 'AWS cidr without a prefix', aws({ cidr: '10.0.0.0' }), "cidr must be a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) from /16 to /20 written as a.b.c.d/n, got '10.0.0.0'"],
  ['cidr', 'AWS cidr octet over 255', aws({ cidr: '10.300.0.0/16' }), "written as a.b.c.d/n, got '10.300.0.0/16'"],
  ['cidr', 'Google networkCidr with host bits set', google({ networkCidr: '10.20.1.0/16' }), "networkCidr must start on its range's boundary (no host bits set): did you mean '10.20.0.0/16'? got '10.20.1.0/16'"],
  ['cidr', 'Google networkCidr not private', google({ networkCidr: '100.64.0.0/16' }), "got '100.64.0.0/16': not a private range"],
  ['cidr', 'Google networkCidr not a /16', google({ networkCidr: '10.20.0.0/20' }), "networkCidr must be a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16), a /16, got '10.20.0.0/20' (a /20)"],
  // Certificates in the wrong region.
  ['certificate', 'AWS load balancer certificate from another region', () => {
    const stack = awsStack('us-east-1');
    new Tier100K(stack, 'App', { image: AppImage.fromRegistry(IMAGE), certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/0d5e2a1c-1111-2222-3333-444455556666') });
  }, "certificate must be in the stack's region us-east-1 (the load balancer's), got one in eu-west-1"],
  // The same prop checked on every rung, even where its layer is off.
  ['every rung', 'AWS failoverPathPatterns on 1K', aws({ failoverPathPatterns: ['/catalog/*', '/catalog/*'] }), "failoverPathPatterns must not repeat an entry, got '/catalog/*' twice"],
  ['every rung', 'AWS rateLimitPerFiveMinutes on 1K', aws({ rateLimitPerFiveMinutes: 5 }), 'rateLimitPerFiveMinutes must be an integer 100-2000000000, got 5'],
  ['every rung', 'AWS sizing on 1K', aws({ sizing: { fleetVcpu: 3 } }), 'sizing.fleetVcpu must be one of 0.25, 0.5, 1, 2, 4, 8, 16, got 3'],
  ['every rung', 'AWS alertEmail on 1K', aws({ alertEmail: 'oncall' }), "alertEmail must be an e-mail address such as oncall@example.com, got 'oncall'"],
  ['every rung', 'AWS services on 1K', aws({ services: [{ name: 'Api!', pathPatterns: ['/api/*'] }] }), /services\[0\]\.name must be .*, got 'Api!'/],
  ['every rung', 'AWS service path patterns beyond ALB\'s limit, on 1K', aws({ services: [{ name: 'api', pathPatterns: ['/a', '/b', '/c', '/d'] }] }), "services[0].pathPatterns must have 1-3 entries (ALB's limit of values in one condition), got 4"],
  ['every rung', 'Google sizing on 1K', google({ sizing: { fleetVcpu: 3 } }), 'sizing.fleetVcpu must be one of 1, 2, 4, 6, 8, got 3'],
  ['every rung', 'Google alertEmail on 1K', google({ alertEmail: 'oncall' }), "alertEmail must be an e-mail address, got 'oncall'"],
  // Empty strings for names and domains.
  ['empty', 'AWS zone name empty', aws({ zone: { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: '' } }), /zone\.zoneName must be .*, got ''/],
  ['empty', 'AWS zone id empty', aws({ zone: { hostedZoneId: '', zoneName: 'shop.example.com' } }), /zone\.hostedZoneId must be .*, got ''/],
  ['empty', 'Google domainName empty', google({ domainName: '' }), /domainName must be .*, got ''/],
  ['empty', 'Google dnsZone empty', google({ dnsZone: '' }), /dnsZone must be .*, got ''/],
  ['empty', 'Google project empty', google({ project: '' }), /project must be .*, got ''/],
  ['empty', 'Google name empty', google({ name: '' }), /name must be .*, got ''/],
  ['empty', 'Tier.custom name empty', () => Tier.custom({ base: Tier.USERS_1M, name: '' }), "name must be 1-32 letters, digits or dashes, got ''"],
  // Duplicates where a cloud needs names unique.
  ['duplicate', 'AWS two ladders in one stack', () => {
    const stack = awsStack();
    new Tier1K(stack, 'One', { image: AppImage.fromRegistry(IMAGE) });
    new Tier1K(stack, 'Two', { image: AppImage.fromRegistry(IMAGE) });
  }, "one stack holds one ladder: stack 'Shop' already has Shop/One, got a second one at Shop/Two"],
  ['duplicate', 'Google two ladders in one stack', () => {
    Testing.synthScope(scope => {
      new gcp.Tier1K(scope, 'One', { project: 'shop-prod-1', region: 'europe-west1', image: GCP_IMAGE, name: 'one' });
      new gcp.Tier1K(scope, 'Two', { project: 'shop-prod-1', region: 'europe-west1', image: GCP_IMAGE, name: 'two' });
    });
  }, /one stack holds one ladder: stack '.*' already has .*One, got a second one at .*Two/],
  ['duplicate', 'AWS regions repeated', aws({ regions: ['eu-west-1', 'eu-west-1'] }), "regions must not repeat an entry, got 'eu-west-1' twice"],
  ['duplicate', 'AWS regions include the stack\'s own', aws({ regions: ['us-east-1', 'eu-west-1'] }), "regions must not include the stack's own region, got 'us-east-1'"],
  ['duplicate', 'Google regions repeated', google({ regions: ['us-east1', 'us-east1'] }), /regions must not repeat an entry, got 'us-east1' twice/],
  ['duplicate', 'AWS services with the same name', aws({ services: [{ name: 'api', pathPatterns: ['/a/*'] }, { name: 'api', pathPatterns: ['/b/*'] }] }), "services[].name must not repeat an entry, got 'api' twice"],
  // The other cloud's machine types, tiers and regions.
  ['other cloud', 'AWS sizing with a Cloud SQL tier', aws({ sizing: { databaseMachineTier: 'db-custom-2-7680' } }), 'sizing.databaseMachineTier is a Google Cloud setting; on AWS use sizing.databaseMinCapacityAcu / databaseMaxCapacityAcu'],
  ['other cloud', 'AWS sizing with Memorystore GiB', aws({ sizing: { cacheMemoryGib: 50 } }), 'sizing.cacheMemoryGib is a Google Cloud setting'],
  ['other cloud', 'Google sizing with an ElastiCache node type', google({ sizing: { cacheNodeType: 'cache.r7g.large' } }), 'sizing.cacheNodeType is an AWS setting; on Google Cloud use sizing.cacheMemoryGib'],
  ['other cloud', 'Google sizing with Aurora ACUs', google({ sizing: { databaseMaxCapacityAcu: 8 } }), 'sizing.databaseMaxCapacityAcu is an AWS setting'],
  ['other cloud', 'AWS cache node type that is a Compute Engine type', aws({ sizing: { cacheNodeType: 'n2-highmem-4' } }), "sizing.cacheNodeType must be an ElastiCache node type such as cache.r7g.large, got 'n2-highmem-4'"],
  ['other cloud', 'Google machine tier that is an RDS class', google({ sizing: { databaseMachineTier: 'db.r7g.large' } }), "sizing.databaseMachineTier must be a Cloud SQL machine tier such as db-custom-4-15360 (vCPUs and MiB) or db-perf-optimized-N-8, got 'db.r7g.large'"],
  ['other cloud', 'Google region that is an AWS region', google({ region: 'us-east-1' }), /region must be .*, got 'us-east-1'/],
  ['other cloud', 'AWS region that is a Google region', aws({ regions: ['europe-west1'] }), /regions.*europe-west1/],
  // Contradictions.
  ['contradiction', 'Tier.custom fleet sizes on a rung without a fleet', () => Tier.custom({ base: Tier.USERS_1K, name: 'big-1k', fleetVcpu: 2 }), "fleet sizing needs a base tier with a stateless fleet; base '1K' has none"],
  ['contradiction', 'Tier.custom shards on a rung without a managed database', () => Tier.custom({ base: Tier.USERS_1K, name: 'sharded-1k', shards: 4 }), "shards needs a base tier with a managed database; base '1K' has none"],
  ['contradiction', 'sizing floor above its ceiling', aws({ sizing: { fleetMinInstances: 9, fleetMaxInstances: 5 } }), 'sizing.fleetMinInstances (9) must not exceed sizing.fleetMaxInstances (5)'],
  ['contradiction', 'sizing floor above the rung\'s ceiling', aws({ sizing: { fleetMinInstances: 900 } }, Tier1M), /fleet minimum \(sizing\.fleetMinInstances or the rung's\) \(900\) must not exceed fleet maximum/],
  ['contradiction', 'Aurora minimum above maximum', aws({ sizing: { databaseMinCapacityAcu: 16, databaseMaxCapacityAcu: 8 } }), 'sizing.databaseMinCapacityAcu (16) must not exceed sizing.databaseMaxCapacityAcu (8)'],
  // Limits beyond what the resource can hold.
  ['limit', 'WAF rate limit above AWS WAF\'s maximum', aws({ rateLimitPerFiveMinutes: 3_000_000_000 }), 'rateLimitPerFiveMinutes must be an integer 100-2000000000, got 3000000000'],
  ['limit', 'more read replicas than Aurora allows', aws({ sizing: { readReplicas: 16 } }), 'sizing.readReplicas must be an integer 1-15, got 16'],
  ['limit', 'backups longer than Aurora keeps', aws({ sizing: { backupRetentionDays: 90 } }), 'sizing.backupRetentionDays must be an integer 1-35, got 90'],
  ['limit', 'a CloudWatch retention CloudWatch does not offer', aws({ sizing: { logRetentionDays: 45 } }), /sizing\.logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, .*, got 45/],
  ['limit', 'Memorystore below its minimum', google({ sizing: { cacheMemoryGib: 2 } }), 'sizing.cacheMemoryGib must be an integer 5-300, got 2'],
  // Strings where numbers or booleans belong, in public functions too.
  ['type', 'AWS port as a string', aws({ port: '80' }), "port must be an integer 1-65535, got '80'"],
  ['type', 'Google port as a string', google({ port: '8080' }), "port must be an integer 1-65535, got '8080'"],
  ['type', 'sizing number as a string', aws({ sizing: { fleetVcpu: '2' } }), "sizing.fleetVcpu must be a number 0.25-16, got '2'"],
  ['type', 'sizing not an object', aws({ sizing: 'large' }), 'sizing must be an object of sizes (e.g. { fleetVcpu: 2, fleetMemoryGib: 4 }), got "large"'],
  ['type', 'capacity model with users as a string', () => new CapacityModel().recommend('3000000' as any), "users must be an integer 1-100000000000, got '3000000'"],
  ['type', 'ShardRouter.balancedAssignment with a fraction', () => ShardRouter.balancedAssignment(2.5), /shardCount must be an integer 1-256, got 2.5/],
  ['type', 'a rung name that does not exist', () => Tier.fromName('2K'), "tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2K'"],
  ['type', 'AppContract for a rung that does not exist', () => AppContract.variablesFor('2M'), /tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2M'/],
];

describe('bad input fails early, naming the prop, the value and what is allowed', () => {
  test('the catalogue covers every kind with at least 60 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map(c => c[0]))).toEqual(new Set(['image', 'cidr', 'certificate', 'every rung', 'empty', 'duplicate', 'other cloud', 'contradiction', 'limit', 'type']));
  });

  test.each(CASES)('%s: %s', (_kind, _what, run, message) => {
    let thrown: unknown;
    try {
      run();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ScaleLadderError);
    if (typeof message === 'string') expect((thrown as Error).message).toContain(message);
    else expect((thrown as Error).message).toMatch(message);
  });
});

describe('the command refuses bad flags with one line and exit code 2', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an output');
  fs.mkdirSync(path.join(dir, 'docs'));
  fs.writeFileSync(path.join(dir, 'docs', 'readme.md'), 'mine');
  test.each([
    [['synth', '--cloud', 'aws', '--cloud', 'gcp', '--tier', '1K'], 'scale-ladder synth: --cloud is given more than once (give it once)'],
    [['synth', '--cloud', 'aws', '--tier', ''], 'scale-ladder synth: --tier needs a value, got an empty one'],
    [['synth', '--cloud', 'aws', '--tier', '1K', '--out', 'notes.txt'], "scale-ladder synth: --out must be a directory, got 'notes.txt': a file exists there"],
    [['synth', '--cloud', 'aws', '--tier', '1K', '--out', '.'], "scale-ladder synth: --out must be a directory of its own (it is emptied first), got '.': that is the working directory or one above it"],
    [['synth', '--cloud', 'aws', '--tier', '1K', '--out', 'docs'], "scale-ladder synth: --out must be new, empty or an earlier synthesized output (it is emptied first), got 'docs': it holds 1 other entry"],
    [['synth', '--cloud', 'aws', '--tier', '2K'], "scale-ladder synth: --tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2K'"],
    [['plan', '--cloud', 'azure', '--from', '1K', '--to', '10K'], "scale-ladder plan: --cloud must be aws or gcp, got 'azure'"],
    [['plan', '--cloud', 'aws', '--from', '1K', '--to', '10K', '--to', '100K'], 'scale-ladder plan: --to is given more than once (give it once)'],
    [['plan', '--cloud', 'aws', '--from', 'docs', '--to', '1K'], /^scale-ladder plan: '.*\/docs' holds no CloudFormation stacks: expected a cloud assembly \(manifest\.json\) or \*\.template\.json files$/],
  ])('%j', async (argv, line) => {
    const result = await runCli(argv as string[], dir);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    if (typeof line === 'string') expect(result.stderr).toBe(`${line}\n`);
    else expect(result.stderr.trimEnd()).toMatch(line);
  });
});
