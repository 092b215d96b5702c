import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Testing } from 'cdktf';
import { AppContract, AppImage, AppRecord, CapacityModel, gcp, LadderNetwork, ScaleLadder, ScaleLadderError, SeparatedDatabase, ShardRouter, SingleServer, Tier, Tier100K, Tier100M, Tier1K, Tier1M } from '../../lib';
import { runCli, tempDir } from '../cli/run-cli';

/*
 * One catalogue of bad input, by kind: each case must fail before any template exists, with a
 * ScaleLadderError (or a usage error, exit 2, for the command) whose message names the prop or
 * flag the user wrote, the value, and what is allowed. More cases per construct live next to it
 * (test/aws/bad-input.test.ts, test/gcp/bad-input.test.ts, the sizing tests).
 */

const IMAGE = 'public.ecr.aws/docker/library/nginx:1.27';
const GCP_IMAGE = 'gcr.io/google-samples/hello-app:2.0';
const GCP_BASE = { project: 'shop-prod-1', region: 'europe-west1' };
const ZONE = { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' };

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
  ['cidr', 'Google cidr with host bits set', google({ cidr: '10.20.1.0/16' }), "cidr must start on its range's boundary (no host bits set): did you mean '10.20.0.0/16'? got '10.20.1.0/16'"],
  ['cidr', 'Google cidr not private', google({ cidr: '100.64.0.0/16' }), "got '100.64.0.0/16': not a private range"],
  ['cidr', 'Google cidr not a /16', google({ cidr: '10.20.0.0/20' }), "cidr must be a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16), a /16, got '10.20.0.0/20' (a /20)"],
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
  // Found by the second sweep: props checked on every rung, with the prop the user wrote.
  ['every rung', 'AWS healthCheckPath on 1K (no health check yet)', aws({ healthCheckPath: 'health' }), "healthCheckPath must be an absolute URL path such as /healthz, got 'health'"],
  ['every rung', 'AWS cidr whose next ranges are not private, on 1K', aws({ cidr: '192.168.0.0/16' }), "cidr must leave room for the 2 private ranges after it that rungs 100M and 1B give the other regions' VPCs"],
  ['every rung', 'AWS cidr without room for two more /16s, on 1K', aws({ cidr: '10.255.0.0/16' }), "got '10.255.0.0/16': the range for region 1 would be '10.256.0.0/16', not a private range"],
  ['every rung', 'AWS cidr on 100M names the value given, not the shifted one', aws({ cidr: '172.31.0.0/16', zone: ZONE }, Tier100M), "got '172.31.0.0/16': the range for region 1 would be '172.32.0.0/16'"],
  ['every rung', 'AWS services sharing a path pattern, on 1K', aws({ services: [{ name: 'api', pathPatterns: ['/a/*'] }, { name: 'web', pathPatterns: ['/a/*'] }] }), "services[1].pathPatterns must not repeat a pattern another service routes, got '/a/*', already routed to service 'api'"],
  ['every rung', 'AWS services sharing a rule priority, on 1K', aws({ services: [{ name: 'api', pathPatterns: ['/a/*'], priority: 10 }, { name: 'web', pathPatterns: ['/b/*'], priority: 10 }] }), "services[1].priority must be unique among the services (the listener's rule priorities; a service without one gets 10 × its position), got 10, already used by service 'api'"],
  ['every rung', 'AWS service priority equal to another\'s default, on 1K', aws({ services: [{ name: 'api', pathPatterns: ['/a/*'] }, { name: 'web', pathPatterns: ['/b/*'], priority: 10 }] }), 'services[1].priority must be unique among the services'],
  ['every rung', 'Google sizing.readReplicas over what 1B leaves, on 1K', google({ sizing: { readReplicas: 9 } }), 'sizing.readReplicas must be an integer 1-8 on Google Cloud (Cloud SQL allows 10 replicas per primary, and rung 1B adds 2 in other regions), got 9'],
  ['every rung', 'Google sizing.readReplicas names sizing on 100K', google({ sizing: { readReplicas: 11 } }, gcp.Tier100K), 'sizing.readReplicas must be an integer 1-8 on Google Cloud'],
  ['every rung', 'Google sizing.fleetMaxInstances over Cloud Run\'s limit, on 1K', google({ sizing: { fleetMaxInstances: 5000 } }), 'sizing.fleetMaxInstances must be an integer 1-1000, got 5000'],
  ['every rung', 'Google sizing.fleetMaxInstances names sizing on 100K', google({ sizing: { fleetMaxInstances: 5000 } }, gcp.Tier100K), 'sizing.fleetMaxInstances must be an integer 1-1000, got 5000'],
  ['every rung', 'Google sizing.fleetMemoryGib over Cloud Run\'s limit, on 1K', google({ sizing: { fleetMemoryGib: 64 } }), 'sizing.fleetMemoryGib must be a number 0.5-32, got 64'],
  ['every rung', 'Google sizing.workerMaxInstances over Cloud Run\'s limit, on 1K', google({ sizing: { workerMaxInstances: 5000 } }), 'sizing.workerMaxInstances must be an integer 1-1000, got 5000'],
  ['every rung', 'Google sizing.workerMaxInstances names sizing on 10M', google({ sizing: { workerMaxInstances: 5000 } }, gcp.Tier10M), 'sizing.workerMaxInstances must be an integer 1-1000, got 5000'],
  ['every rung', 'Google sizing.logRetentionDays over Cloud Logging\'s limit', google({ sizing: { logRetentionDays: 3651 } }), 'sizing.logRetentionDays must be an integer 1-3650, got 3651'],
  ['limit', 'Google machine tier memory not in 256 MiB steps', google({ sizing: { databaseMachineTier: 'db-custom-1-100' } }), "sizing.databaseMachineTier must be a custom tier Cloud SQL can create (db-custom-<vCPUs>-<MiB>: 1 or an even number of vCPUs, a multiple of 256 MiB, 0.9-6.5 GiB per vCPU, at least 3840 MiB), got 'db-custom-1-100': 100 MiB (a multiple of 256 MiB)"],
  ['limit', 'Google machine tier with an odd vCPU count', google({ sizing: { databaseMachineTier: 'db-custom-3-15360' } }), "got 'db-custom-3-15360': 3 vCPUs (1 or an even number up to 96)"],
  ['limit', 'Google machine tier with too much memory per vCPU', google({ sizing: { databaseMachineTier: 'db-custom-2-15360' } }), "got 'db-custom-2-15360': 15360 MiB for 2 vCPUs (0.9-6.5 GiB per vCPU)"],
  ['limit', 'Aurora capacity not in 0.5 ACU steps (SeparatedDatabase)', () => {
    const stack = awsStack();
    new SeparatedDatabase(stack, 'Db', { vpc: new LadderNetwork(stack, 'Net', {}).vpc, maxCapacity: 1.3 });
  }, 'maxCapacity must be a multiple of 0.5 ACU (Aurora Serverless v2 capacity steps), got 1.3'],
  ['limit', 'AWS zone name with a label over 63 characters', aws({ zone: { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: `${'a'.repeat(64)}.com` } }), /zone\.zoneName must be a lower-case domain such as example\.com \(labels of 1-63 letters, digits or dashes, at most 253 characters\), got 'a{64}\.com'/],
  // Construct ids: checked before `constructs` or CloudFormation refuses them.
  ['id', 'AWS two presets with the same id in one stack', () => {
    const stack = awsStack();
    new Tier1K(stack, 'App', { image: AppImage.fromRegistry(IMAGE) });
    new Tier1K(stack, 'App', { image: AppImage.fromRegistry(IMAGE) });
  }, "id must be unused in 'Shop' (every construct of a scope needs its own id), got 'App': 'Shop' already has a construct with that id"],
  ['id', 'AWS ladder id taken by another construct', () => {
    const stack = awsStack();
    new LadderNetwork(stack, 'App', {});
    new ScaleLadder(stack, 'App', { tier: Tier.USERS_1K, image: AppImage.fromRegistry(IMAGE) });
  }, "id must be unused in 'Shop' (every construct of a scope needs its own id), got 'App'"],
  ['id', 'AWS ladder id empty', () => new Tier1K(awsStack(), '', { image: AppImage.fromRegistry(IMAGE) }), "id must be a construct id of 1-163 characters for a ladder in 'Shop', got ''"],
  ['id', 'AWS ladder id too long for the security group descriptions', () => new Tier1M(awsStack(), 'A'.repeat(200), { image: AppImage.fromRegistry(IMAGE) }), /^id must be a construct id of 1-163 characters for a ladder in 'Shop', got 'A{200}' \(200 characters\)$/],
  ['id', 'AWS stack id too long for the other regions\' stacks', () => new Tier1K(new Stack(new App(), 'S'.repeat(120), { env: { account: '123456789012', region: 'us-east-1' } }), 'App', { image: AppImage.fromRegistry(IMAGE) }),
    /^stack id must be at most 113 characters, so that the other regions' stacks of rungs 100M and 1B \('<stack id>-<region>'\) fit CloudFormation's 128, got 'S{120}' \(120 characters\)$/],
  ['id', 'AWS stack name too long for the global clusters\' identifiers', () => new Tier1K(new Stack(new App(), 'S'.repeat(60), { env: { account: '123456789012', region: 'us-east-1' } }), 'App', { image: AppImage.fromRegistry(IMAGE) }),
    "stack name must be at most 55 characters without consecutive or trailing hyphens: rungs 100M and 1B name each shard's Aurora global cluster '<stack name>-shard<N>' (1-63 characters)"],
  ['id', 'AWS stack name with consecutive hyphens', () => new Tier1K(new Stack(new App(), 'Shop--Prod', { env: { account: '123456789012', region: 'us-east-1' } }), 'App', { image: AppImage.fromRegistry(IMAGE) }),
    "stack name must be at most 55 characters without consecutive or trailing hyphens: rungs 100M and 1B name each shard's Aurora global cluster '<stack name>-shard<N>' (1-63 characters), got 'Shop--Prod' (10 characters)"],
  ['id', 'Google two presets with the same id in one stack', () => {
    Testing.synthScope(scope => {
      new gcp.Tier1K(scope, 'App', { project: 'shop-prod-1', region: 'europe-west1', image: GCP_IMAGE });
      new gcp.Tier10K(scope, 'App', { project: 'shop-prod-1', region: 'europe-west1', image: GCP_IMAGE, name: 'two' });
    });
  }, /^id must be unused in '.*' \(every construct of a scope needs its own id\), got 'App': '.*' already has a construct with that id$/],
  ['id', 'Google ladder id taken by another construct', () => {
    Testing.synthScope(scope => {
      new gcp.Network(scope, 'App', GCP_BASE);
      new gcp.ScaleLadder(scope, 'App', { project: 'shop-prod-1', region: 'europe-west1', image: GCP_IMAGE, tier: Tier.USERS_1K });
    });
  }, /^id must be unused in '.*' \(every construct of a scope needs its own id\), got 'App'/],
  ['shape', 'Google ladder without props', () => { Testing.synthScope(scope => { new gcp.ScaleLadder(scope, 'App', undefined as any); }); },
    'props must be an object with at least project, region, image and tier, got undefined'],
  ['shape', 'Google database user name empty', () => { Testing.synthScope(scope => { new gcp.DatabaseCredentials(scope, 'Creds', { ...GCP_BASE, username: '' }); }); },
    "username must be a PostgreSQL user name (1-63 lowercase letters, digits or underscores, not starting with a digit), got ''"],
  ['image', 'Google rebalance job client image :latest', () => {
    Testing.synthScope(scope => {
      const network = new gcp.Network(scope, 'Net', GCP_BASE);
      new gcp.ShardRebalanceJob(scope, 'Rebalance', { ...GCP_BASE, network, shards: 4, shardMap: '[]', bucketAssignmentSecret: 's', passwordSecret: 'p', clientImage: 'postgres:latest' });
    });
  }, /^clientImage must .*'postgres:latest'/],
  ['id', 'Google Network with a further region twice (would clash subnet ids)', () => { Testing.synthScope(scope => { new gcp.Network(scope, 'Net', { ...GCP_BASE, extraRegions: ['us-east1', 'us-east1'] }); }); },
    'extraRegions must not repeat an entry, got \'us-east1\' twice in ["us-east1","us-east1"]'],
  ['id', 'Google Network with the primary among the further regions', () => { Testing.synthScope(scope => { new gcp.Network(scope, 'Net', { ...GCP_BASE, extraRegions: ['europe-west1'] }); }); },
    'extraRegions must not contain the primary region \'europe-west1\', got ["europe-west1"]'],
  // Wrong shapes from JavaScript: strings where lists belong, holes in lists, missing objects.
  ['shape', 'AWS availabilityZones as a string', aws({ availabilityZones: 'us-east-1a' }), "availabilityZones must be a list of 3 distinct zone names of us-east-1 such as ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], got \"us-east-1a\""],
  ['shape', 'AWS availabilityZones with a hole', aws({ availabilityZones: ['us-east-1a', undefined, 'us-east-1c'] }), 'availabilityZones must be a list of 3 distinct zone names of us-east-1'],
  ['shape', 'AWS regions as a string', aws({ regions: 'eu-west-1' }), "regions must be a list of AWS region names such as ['us-west-2', 'eu-west-1'], got 'eu-west-1'"],
  ['shape', 'AWS services with a hole', aws({ services: [undefined] }), "services[0] must be a service like { name: 'api', pathPatterns: ['/api/*'] }, got undefined"],
  ['shape', 'AWS zone as a string', aws({ zone: 'example.com' }), "zone must be { hostedZoneId, zoneName } such as { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }, got \"example.com\""],
  ['shape', 'AWS certificate as an ARN string', aws({ certificate: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }, Tier100K), "certificate must be an ACM certificate (e.g. acm.Certificate.fromCertificateArn(this, 'Cert', arn)), got 'arn:aws:acm:us-east-1:123456789012:certificate/abc'"],
  ['shape', 'AWS ScaleLadder without props', () => new ScaleLadder(awsStack(), 'App', undefined as any), "props must be an object with at least tier and image (e.g. { tier: Tier.USERS_1K, image: AppImage.fromRegistry('nginx:1.27') }), got undefined"],
  ['shape', 'AWS ECR image without a repository', () => AppImage.fromEcrRepository(undefined as any, '1.0'), "repository must be an ECR repository (e.g. ecr.Repository.fromRepositoryName(this, 'Repo', 'shop')), got undefined"],
  ['shape', 'AppRecord without a target', () => new AppRecord(awsStack(), 'Record', { zone: ZONE, target: {} }), 'target must name exactly one of ipAddress, loadBalancer or recordInZone, got none'],
  ['shape', 'Google regions as a string', google({ regions: 'us-east1' }), "regions must be a list of Google Cloud region names such as ['us-east1', 'europe-west1'], got 'us-east1'"],
  ['shape', 'Google Network extraRegions as a string', () => { Testing.synthScope(scope => { new gcp.Network(scope, 'Net', { ...GCP_BASE, extraRegions: 'us-east1' as any }); }); }, "extraRegions must be a list of Google Cloud region names such as ['us-east1'], got 'us-east1'"],
  ['shape', 'Tier.custom without props', () => Tier.custom(undefined as any), "props must be an object like { base: Tier.USERS_1M, name: 'shop-peak', … }, got undefined"],
  ['shape', 'Tier.custom with a misspelt prop', () => Tier.custom({ base: Tier.USERS_1M, name: 'peak', fleetCpu: 2 } as any), 'fleetCpu is not a prop of Tier.custom; allowed: base, name, maxUsers, readReplicas, shards, fleetMinInstances, fleetMaxInstances, fleetVcpu, fleetMemoryGib, cacheShards, cacheReplicasPerShard'],
  ['shape', 'CapacityModel with null assumptions', () => new CapacityModel(null as any), 'assumptions must be an object like { peakToAverage: 3 }, got null'],
  ['shape', 'CapacityModel with a misspelt assumption', () => new CapacityModel({ peakFactor: 3 } as any), 'peakFactor is not a capacity assumption; allowed: dailyActiveRatio, requestsPerUserPerDay, peakToAverage, requestsPerVcpu, surviveZoneLoss'],
  ['shape', 'capacityOf with a rung name', () => new CapacityModel().capacityOf('1M' as any), "tier must be a Tier (e.g. Tier.USERS_1M or Tier.fromName('1M')), got \"1M\""],
  // Unknown values of a closed set, and strings where booleans belong.
  ['type', 'Tier.hasLayer with an unknown layer', () => Tier.USERS_1M.hasLayer('Bogus' as any), "layer must be one of 'SingleServer', 'SeparatedDatabase', 'StatelessFleet', 'ReadReplicaSet', 'Cache', 'CdnEdge', 'ShardedCluster', 'QueueWorkers', 'GeoRoutedRegions', got 'Bogus'"],
  ['type', 'Tier.hasLayer with a lower-case layer', () => Tier.USERS_1M.hasLayer('cache' as any), /^layer must be one of .*, got 'cache'$/],
  ['type', 'Tier.custom named like a rung', () => Tier.custom({ base: Tier.USERS_1K, name: '1m' }), "name must not be a rung's name (1K, 10K, 100K, 1M, 10M, 100M, 1B): APP_TIER and the plans would take the tier for rung 1M, got '1m'"],
  ['type', 'CapacityModel surviveZoneLoss as a string', () => new CapacityModel({ surviveZoneLoss: 'no' as any }), 'surviveZoneLoss must be a boolean (true or false), got "no"'],
  ['type', 'SingleServer running as a string', () => {
    const stack = awsStack();
    new SingleServer(stack, 'Server', { vpc: new LadderNetwork(stack, 'Net', {}).vpc, image: AppImage.fromRegistry(IMAGE), port: 80, running: 'no' as any });
  }, 'running must be a boolean (true or false), got "no"'],
  ['type', 'ShardRouter.fromEnvironment with an empty variable name', () => ShardRouter.fromEnvironment(''), "variable must be the name of an environment variable such as SHARD_MAP, got ''"],
  ['type', 'Google StatelessFleet with an unknown deployment style', () => { Testing.synthScope(scope => { new gcp.StatelessFleet(scope, 'Fleet', { ...GCP_BASE, network: new gcp.Network(scope, 'Net', GCP_BASE), image: GCP_IMAGE, deployment: 'BLUE' as any }); }); },
    "deployment must be one of 'ROLLING', 'CANARY', got 'BLUE'"],
  // Pinned images on the constructs that run one of their own.
  ['image', 'AWS SingleServer postgresImage :latest', () => {
    const stack = awsStack();
    new SingleServer(stack, 'Server', { vpc: new LadderNetwork(stack, 'Net', {}).vpc, image: AppImage.fromRegistry(IMAGE), port: 80, postgresImage: 'postgres:latest' });
  }, "postgresImage must name a fixed version, not ':latest'"],
  ['image', 'Google SingleServer image :latest', () => { Testing.synthScope(scope => { new gcp.SingleServer(scope, 'Server', { ...GCP_BASE, network: new gcp.Network(scope, 'Net', GCP_BASE), image: 'nginx:latest' }); }); }, "image must name a fixed version, not ':latest'"],
  ['image', 'Google QueueWorkers image :latest', () => { Testing.synthScope(scope => { new gcp.QueueWorkers(scope, 'Workers', { ...GCP_BASE, network: new gcp.Network(scope, 'Net', GCP_BASE), image: 'gcr.io/acme/worker:latest' }); }); }, "image must name a fixed version, not ':latest'"],
  ['other cloud', 'Google SingleServer with an EC2 instance type', () => { Testing.synthScope(scope => { new gcp.SingleServer(scope, 'Server', { ...GCP_BASE, network: new gcp.Network(scope, 'Net', GCP_BASE), image: GCP_IMAGE, machineType: 't4g.small' }); }); },
    "machineType must be a Compute Engine machine type such as 'e2-small' or 't2a-standard-1', got 't4g.small'"],
];

describe('bad input fails early, naming the prop, the value and what is allowed', () => {
  test('the catalogue covers every kind with at least 60 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(120);
    expect(new Set(CASES.map(c => c[0]))).toEqual(new Set(['image', 'cidr', 'certificate', 'every rung', 'empty', 'duplicate', 'other cloud', 'contradiction', 'limit', 'type', 'id', 'shape']));
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
    [['recommend', '--users', '1,0,0'], "scale-ladder recommend: --users must be a number (e.g. 250000, 250,000, 2.5M or 20%; ',' and '_' only between groups of three digits), got '1,0,0'"],
    [['recommend', '--users', '25_00'], "scale-ladder recommend: --users must be a number (e.g. 250000, 250,000, 2.5M or 20%; ',' and '_' only between groups of three digits), got '25_00'"],
    [['diagram', '--cloud', 'aws', '--tier', '1K', '--out', 'notes.txt/picture'], "scale-ladder diagram: --out must be a path in a directory, got 'notes.txt/picture': 'notes.txt' is a file"],
  ])('%j', async (argv, line) => {
    const result = await runCli(argv as string[], dir);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    if (typeof line === 'string') expect(result.stderr).toBe(`${line}\n`);
    else expect(result.stderr.trimEnd()).toMatch(line);
  });
});
