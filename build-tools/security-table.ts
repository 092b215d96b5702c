// Regenerates docs/security.md: each security control, on each rung, on each cloud, read from the
// synthesized output (CloudFormation templates / cdk.tf.json), never from what the code intends.
// The rungs are synthesized exactly as the jest global setup synthesizes them for the suites
// (test/support/global-setup.ts: the demo app of `scale-ladder synth`, the pinned feature flags
// on AWS), so test/docs/security-table.test.ts regenerates the document from the run's cache and
// compares it with the committed file.
//
//   ts-node --transpile-only --project test/tsconfig.json build-tools/security-table.ts [FILE]
//   (FILE defaults to docs/security.md)
import * as fs from 'fs';
import * as path from 'path';
import { AppContract } from '../lib/core/app-contract';
import { readCached, RUNG_CACHE_ENV } from '../test/support/rung-cache';

export const SECURITY_DOC = path.join(__dirname, '..', 'docs', 'security.md');
export const RUNGS = ['1K', '10K', '100K', '1M', '10M', '100M', '1B'] as const;

/** The synthesized output of every rung: AWS templates by stack name, Google Cloud's one cdk.tf.json. */
export interface RungOutputs {
  readonly aws: Record<string, Record<string, any>>;
  readonly gcp: Record<string, any>;
}

/**
 * What a cell says about a control on one rung. `gap`: the control is missing where the rung has
 * what it would protect; `pending`: missing and being added by work in progress; `none`: the rung
 * has nothing the control applies to; `info`: a fact, not a verdict.
 */
type Status = 'ok' | 'gap' | 'pending' | 'none' | 'info';
interface Cell { readonly text: string; readonly status: Status }
interface Control<T> {
  readonly group: string;
  readonly name: string;
  /** What the check reads in the output (shown under the table). */
  readonly reads: string;
  /**
   * The cell of one rung; `ladder` is every rung's output and `facts` what holds on either cloud,
   * for controls whose absence means more once some rung has them.
   */
  readonly cell: (output: T, ladder: T[], facts: LadderFacts) => Cell;
}

/** What holds on some rung of either cloud. */
interface LadderFacts {
  /** Some secret rotates. */
  readonly rotation: boolean;
}

const ok = (text: string): Cell => ({ text, status: 'ok' });
const gap = (text: string): Cell => ({ text: `**${text}**`, status: 'gap' });
const pending = (text: string): Cell => ({ text: `**${text}**`, status: 'pending' });
const none = (text = '–'): Cell => ({ text, status: 'none' });
const info = (text: string): Cell => ({ text, status: 'info' });

/** "3 clusters", "1 cluster". */
function plural(n: number, noun: string): string {
  return `${n} ${n === 1 || noun.endsWith('s') ? noun : `${noun}s`}`;
}

/**
 * "yes (3 clusters, note)" when all `total` have the control, "**no: 1 of 3 clusters lack it**"
 * when some do not, `absent` when the rung has none.
 */
function counted(have: number, total: number, noun: string, note = '', absent: Cell = none()): Cell {
  if (total === 0) return absent;
  const label = noun ? plural(total, noun) : String(total);
  const detail = noun ? [label, note] : [note || label];
  return have === total ? ok(`yes (${detail.filter(Boolean).join(', ')})`) : gap(`no: ${total - have} of ${label} lack it`);
}

const unique = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];
const join = (xs: string[]): string => xs.join('<br>');

// ---------------------------------------------------------------------------------------------
// AWS: every stack of a rung (the primary and, from 100M, one per other region)
// ---------------------------------------------------------------------------------------------

interface AwsResource { readonly stack: string; readonly id: string; readonly type: string; readonly props: any; readonly path: string }

class AwsRung {
  public readonly resources: AwsResource[];
  constructor(public readonly templates: Record<string, any>) {
    this.resources = Object.entries(templates).flatMap(([stack, t]) => Object.entries<any>(t.Resources ?? {})
      .map(([id, r]) => ({ stack, id, type: r.Type, props: r.Properties ?? {}, path: String(r.Metadata?.['aws:cdk:path'] ?? id) })));
  }

  public of(type: string): AwsResource[] {
    return this.resources.filter(r => r.type === type);
  }

  public byId(stack: string, ref: any): AwsResource | undefined {
    const id = typeof ref === 'string' ? ref : ref?.Ref ?? ref?.['Fn::GetAtt']?.[0];
    return this.resources.find(r => r.stack === stack && r.id === id);
  }

  /** Every Allow statement of every identity policy (AWS::IAM::Policy and roles' inline policies). */
  public allowStatements(): Array<{ role: string; statement: any }> {
    const out: Array<{ role: string; statement: any }> = [];
    const push = (role: string, doc: any) => {
      for (const s of [doc?.Statement ?? []].flat()) if (s.Effect === 'Allow') out.push({ role, statement: s });
    };
    for (const p of this.of('AWS::IAM::Policy')) push(p.path, p.props.PolicyDocument);
    for (const r of this.of('AWS::IAM::Role')) for (const p of r.props.Policies ?? []) push(r.path, p.PolicyDocument);
    return out;
  }
}

/** The construct path below the composer, without the trailing `/Resource`. */
function shortPath(p: string): string {
  return p.split('/').slice(2).filter(s => s !== 'Resource').join('/');
}

function securityGroupLabel(sg: AwsResource | undefined): string {
  const p = sg ? shortPath(sg.path) : '?';
  if (p.includes('LoadBalancer')) return 'load balancer';
  if (p.startsWith('Server')) return 'server';
  return p;
}

/** Every ingress rule (inline or its own resource) as { group, port, source }. */
interface Ingress { readonly stack: string; readonly groupId: string; readonly group: string; readonly port: string; readonly source: string }

function awsIngress(rung: AwsRung): Ingress[] {
  const out: Ingress[] = [];
  const source = (rule: any): string => {
    if (rule.CidrIp) return rule.CidrIp;
    if (rule.CidrIpv6) return rule.CidrIpv6;
    if (rule.SourcePrefixListId) return JSON.stringify(rule.SourcePrefixListId).includes('CloudFrontPrefixList') ? 'CloudFront origin-facing prefix list' : 'a prefix list';
    return 'a security group';
  };
  const port = (rule: any): string => (typeof rule.FromPort === 'number' ? (rule.FromPort === rule.ToPort ? `${rule.FromPort}` : `${rule.FromPort}-${rule.ToPort}`) : 'the database port');
  for (const sg of rung.of('AWS::EC2::SecurityGroup')) {
    for (const rule of sg.props.SecurityGroupIngress ?? []) {
      out.push({ stack: sg.stack, groupId: sg.id, group: securityGroupLabel(sg), port: port(rule), source: source(rule) });
    }
  }
  for (const rule of rung.of('AWS::EC2::SecurityGroupIngress')) {
    const sg = rung.byId(rule.stack, rule.props.GroupId);
    out.push({ stack: rule.stack, groupId: sg?.id ?? '?', group: securityGroupLabel(sg), port: port(rule.props), source: source(rule.props) });
  }
  return out;
}

/** The app contract's variables that come from the secret store (lib/core/app-contract.ts). */
const SECRET_VARIABLES = AppContract.all().filter(v => v.secret).map(v => v.name);

const isDynamicSecretReference = (v: unknown) => JSON.stringify(v ?? '').includes('{{resolve:secretsmanager:');
const managedPolicyName = (arn: any) => JSON.stringify(arn).match(/:iam::aws:policy\/(?:service-role\/)?([A-Za-z0-9]+)/)?.[1] ?? JSON.stringify(arn);

const AWS_CONTROLS: Array<Control<AwsRung>> = [
  // --- encryption at rest ---
  {
    group: 'Encryption at rest',
    name: 'Databases (Aurora)',
    reads: '`AWS::RDS::DBCluster` `StorageEncrypted: true`; the key is `aws/rds` unless `KmsKeyId` names one',
    cell: r => {
      const clusters = r.of('AWS::RDS::DBCluster');
      const own = clusters.filter(c => c.props.KmsKeyId).length;
      const keys = [clusters.length - own > 0 ? `aws/rds ${clusters.length - own}` : '', own > 0 ? `own KMS key ${own}` : ''].filter(Boolean).join(', ');
      const server = r.of('AWS::EC2::Instance').length > 0 ? info('PostgreSQL on the server (its volume, below)') : none();
      return counted(clusters.filter(c => c.props.StorageEncrypted === true).length, clusters.length, 'cluster', keys, server);
    },
  },
  {
    group: 'Encryption at rest',
    name: 'Volumes (EBS)',
    reads: '`AWS::EC2::Volume` `Encrypted: true` and every `Ebs` block device of `AWS::EC2::Instance`',
    cell: r => {
      const volumes = r.of('AWS::EC2::Volume').map(v => v.props.Encrypted === true);
      const roots = r.of('AWS::EC2::Instance').flatMap(i => (i.props.BlockDeviceMappings ?? []).map((b: any) => b.Ebs?.Encrypted === true));
      const all = [...volumes, ...roots];
      return counted(all.filter(Boolean).length, all.length, 'volume', roots.length > 0 ? 'data volume and root device' : 'the retained data volume');
    },
  },
  {
    group: 'Encryption at rest',
    name: 'Buckets (S3)',
    reads: '`AWS::S3::Bucket` `BucketEncryption` (`AES256` is SSE-S3)',
    cell: r => {
      const buckets = r.of('AWS::S3::Bucket');
      const algorithms = unique(buckets.flatMap(b => (b.props.BucketEncryption?.ServerSideEncryptionConfiguration ?? [])
        .map((c: any) => c.ServerSideEncryptionByDefault?.SSEAlgorithm)));
      return counted(buckets.filter(b => b.props.BucketEncryption).length, buckets.length, 'bucket', algorithms.map(a => (a === 'AES256' ? 'SSE-S3' : a)).join(', '));
    },
  },
  {
    group: 'Encryption at rest',
    name: 'Cache (ElastiCache)',
    reads: '`AWS::ElastiCache::ReplicationGroup` `AtRestEncryptionEnabled: true`',
    cell: r => {
      const caches = r.of('AWS::ElastiCache::ReplicationGroup');
      return counted(caches.filter(c => c.props.AtRestEncryptionEnabled === true).length, caches.length, 'replication group');
    },
  },
  {
    group: 'Encryption at rest',
    name: 'Queues, streams, topics',
    reads: '`AWS::SQS::Queue` `SqsManagedSseEnabled` or `KmsMasterKeyId`; `AWS::Kinesis::Stream` `StreamEncryption`; `AWS::SNS::Topic` `KmsMasterKeyId`',
    cell: r => {
      const queues = r.of('AWS::SQS::Queue');
      const streams = r.of('AWS::Kinesis::Stream');
      const topics = r.of('AWS::SNS::Topic');
      const have = queues.filter(q => q.props.SqsManagedSseEnabled === true || q.props.KmsMasterKeyId).length
        + streams.filter(s => s.props.StreamEncryption?.EncryptionType === 'KMS').length
        + topics.filter(t => t.props.KmsMasterKeyId).length;
      const what = [queues.length ? plural(queues.length, 'queue') : '', streams.length ? plural(streams.length, 'stream') : '', topics.length ? plural(topics.length, 'alert topic') : ''].filter(Boolean).join(', ');
      return counted(have, queues.length + streams.length + topics.length, '', what);
    },
  },
  {
    group: 'Encryption at rest',
    name: 'Secrets (Secrets Manager)',
    reads: '`AWS::SecretsManager::Secret`: always encrypted, with `aws/secretsmanager` unless `KmsKeyId` names a key',
    cell: r => {
      const secrets = r.of('AWS::SecretsManager::Secret');
      const own = secrets.filter(s => s.props.KmsKeyId).length;
      return secrets.length === 0 ? none() : ok(`yes (${plural(secrets.length, 'secret')}, ${own === 0 ? 'aws/secretsmanager' : `${own} with their own key`})`);
    },
  },
  {
    group: 'Encryption at rest',
    name: 'Logs (CloudWatch Logs)',
    reads: '`AWS::Logs::LogGroup` `KmsKeyId`; without one CloudWatch Logs encrypts with its own keys',
    cell: r => {
      const groups = r.of('AWS::Logs::LogGroup');
      const own = groups.filter(g => g.props.KmsKeyId).length;
      return groups.length === 0 ? none() : ok(`yes (${plural(groups.length, 'log group')}, ${own === 0 ? 'service keys, no KMS key' : `${own} with a KMS key`})`);
    },
  },
  // --- encryption in transit ---
  {
    group: 'Encryption in transit',
    name: 'App → database',
    reads: 'every cluster\'s `AWS::RDS::DBClusterParameterGroup` sets `rds.force_ssl: 1`; the server\'s database is on localhost',
    cell: r => {
      const clusters = r.of('AWS::RDS::DBCluster');
      if (clusters.length === 0) return info('localhost on the server (`DATABASE_SSL=disable`)');
      const forced = clusters.filter(c => String(r.byId(c.stack, c.props.DBClusterParameterGroupName)?.props.Parameters?.['rds.force_ssl']) === '1').length;
      return counted(forced, clusters.length, 'cluster', 'TLS required');
    },
  },
  {
    group: 'Encryption in transit',
    name: 'App → cache',
    reads: '`AWS::ElastiCache::ReplicationGroup` `TransitEncryptionEnabled: true`',
    cell: r => {
      const caches = r.of('AWS::ElastiCache::ReplicationGroup');
      return counted(caches.filter(c => c.props.TransitEncryptionEnabled === true).length, caches.length, 'replication group');
    },
  },
  {
    group: 'Encryption in transit',
    name: 'Viewer → entry point',
    reads: 'CloudFront `ViewerProtocolPolicy` and `MinimumProtocolVersion`; else the listeners\' `Protocol` or the server\'s open ports',
    cell: r => {
      const distributions = r.of('AWS::CloudFront::Distribution');
      if (distributions.length > 0) {
        const config = distributions[0].props.DistributionConfig;
        const policies = unique([config.DefaultCacheBehavior, ...(config.CacheBehaviors ?? [])].map((b: any) => b.ViewerProtocolPolicy));
        const tls = config.ViewerCertificate?.MinimumProtocolVersion ?? 'default certificate';
        return policies.every(p => p === 'redirect-to-https' || p === 'https-only') ? ok(`HTTPS (CloudFront ${policies.join(', ')}, ${tls})`) : gap(`CloudFront allows HTTP (${policies.join(', ')})`);
      }
      const protocols = unique(r.of('AWS::ElasticLoadBalancingV2::Listener').map(l => `${l.props.Protocol}:${l.props.Port}`));
      if (protocols.length > 0) return protocols.some(p => p.startsWith('HTTPS')) ? ok(protocols.join(', ')) : gap(`HTTP only (load balancer ${protocols.join(', ')})`);
      const ports = unique(awsIngress(r).filter(i => i.group === 'server').map(i => i.port));
      return ports.includes('443') ? ok(`server ${ports.join(', ')}`) : gap(`HTTP only (server :${ports.join(', :')})`);
    },
  },
  {
    group: 'Encryption in transit',
    name: 'CDN → load balancer',
    reads: 'the dynamic origin\'s `CustomOriginConfig.OriginProtocolPolicy`',
    cell: r => {
      const distributions = r.of('AWS::CloudFront::Distribution');
      if (distributions.length === 0) return none();
      const custom = distributions[0].props.DistributionConfig.Origins
        .filter((o: any) => o.CustomOriginConfig).map((o: any) => o.CustomOriginConfig.OriginProtocolPolicy);
      return custom.every((p: string) => p === 'https-only') ? ok('HTTPS') : gap(`HTTP (${unique(custom).join(', ')})`);
    },
  },
  {
    group: 'Encryption in transit',
    name: 'Buckets refuse plain HTTP',
    reads: '`AWS::S3::BucketPolicy` denies `aws:SecureTransport: false`',
    cell: r => {
      const buckets = r.of('AWS::S3::Bucket');
      const enforced = buckets.filter(b => r.of('AWS::S3::BucketPolicy').some(p => p.stack === b.stack && p.props.Bucket?.Ref === b.id
        && [p.props.PolicyDocument.Statement].flat().some((s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'))).length;
      return counted(enforced, buckets.length, 'bucket');
    },
  },
  // --- network exposure ---
  {
    group: 'Network exposure',
    name: 'Reachable from the internet',
    reads: 'ingress rules (inline and `AWS::EC2::SecurityGroupIngress`) open to `0.0.0.0/0` or `::/0`, or to a prefix list',
    cell: r => {
      const open = awsIngress(r).filter(i => ['0.0.0.0/0', '::/0'].includes(i.source) || i.source.includes('prefix list'));
      const lines = unique(open.map(i => `${i.group} :${i.port} from ${i.source}`));
      const anyone = open.some(i => !i.source.includes('prefix list'));
      return lines.length === 0 ? ok('nothing') : anyone ? info(join(lines)) : ok(join(lines));
    },
  },
  {
    group: 'Network exposure',
    name: 'Origin accepts CloudFront only',
    reads: 'every listener rule has an `http-header` condition on `X-Origin-Verify` (a `{{resolve:secretsmanager:…}}` value) and the listener\'s default action is a fixed 403',
    cell: r => {
      const listeners = r.of('AWS::ElasticLoadBalancingV2::Listener');
      if (listeners.length === 0) return none();
      const rules = r.of('AWS::ElasticLoadBalancingV2::ListenerRule');
      const guarded = rules.filter(rule => (rule.props.Conditions ?? []).some((c: any) => c.Field === 'http-header'
        && c.HttpHeaderConfig?.HttpHeaderName === 'X-Origin-Verify' && isDynamicSecretReference(c.HttpHeaderConfig?.Values))).length;
      const forbidden = listeners.filter(l => (l.props.DefaultActions ?? []).some((a: any) => a.Type === 'fixed-response' && a.FixedResponseConfig?.StatusCode === '403')).length;
      if (guarded === 0 && forbidden === 0) return r.of('AWS::CloudFront::Distribution').length === 0 ? info('no CDN: the load balancer is the entry point') : gap('no');
      return guarded === rules.length && forbidden === listeners.length ? ok(`yes (header required by ${plural(rules.length, 'rule')}, default 403 on ${plural(listeners.length, 'listener')})`)
        : gap(`no: ${rules.length - guarded} of ${plural(rules.length, 'rule')} without the header`);
    },
  },
  {
    group: 'Network exposure',
    name: 'Databases and cache private',
    reads: '`AWS::RDS::DBInstance` `PubliclyAccessible: false`; the security groups of the clusters and caches admit other security groups only, no address range or prefix list',
    cell: r => {
      const instances = r.of('AWS::RDS::DBInstance');
      const caches = r.of('AWS::ElastiCache::ReplicationGroup').length;
      const dataGroups = new Set([
        ...r.of('AWS::RDS::DBCluster').flatMap(c => (c.props.VpcSecurityGroupIds ?? []).map((g: any) => `${c.stack}/${g?.['Fn::GetAtt']?.[0]}`)),
        ...r.of('AWS::ElastiCache::ReplicationGroup').flatMap(c => (c.props.SecurityGroupIds ?? []).map((g: any) => `${c.stack}/${g?.['Fn::GetAtt']?.[0]}`)),
      ]);
      const fromRanges = awsIngress(r).filter(i => dataGroups.has(`${i.stack}/${i.groupId}`) && i.source !== 'a security group');
      if (fromRanges.length > 0) return gap(`ingress from ${unique(fromRanges.map(i => `${i.source} to ${i.group}`)).join(', ')}`);
      return counted(instances.filter(i => i.props.PubliclyAccessible === false).length, instances.length, 'database instance',
        caches > 0 ? `${plural(caches, 'cache')}, reachable from security groups only` : 'reachable from security groups only',
        r.of('AWS::EC2::Instance').length > 0 ? ok('PostgreSQL listens on the server only (no ingress rule for it)') : none());
    },
  },
  {
    group: 'Network exposure',
    name: 'Static bucket reachable only through the CDN',
    reads: 'the static bucket blocks all public access and its policy allows `s3:GetObject` to `cloudfront.amazonaws.com` for this distribution only',
    cell: r => {
      const policies = r.of('AWS::S3::BucketPolicy').filter(p => [p.props.PolicyDocument.Statement].flat()
        .some((s: any) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudfront.amazonaws.com'));
      if (policies.length === 0) return none();
      const blocked = policies.filter(p => {
        const block = r.byId(p.stack, p.props.Bucket)?.props.PublicAccessBlockConfiguration ?? {};
        return ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every(k => block[k] === true);
      }).length;
      return counted(blocked, policies.length, 'bucket', 'origin access control');
    },
  },
  {
    group: 'Network exposure',
    name: 'Server: no SSH, IMDSv2',
    reads: 'no ingress on port 22; the launch template sets `HttpTokens: required`',
    cell: r => {
      if (r.of('AWS::EC2::Instance').length === 0) return none();
      const ssh = awsIngress(r).some(i => i.port === '22');
      const imds = r.of('AWS::EC2::LaunchTemplate').every(t => t.props.LaunchTemplateData?.MetadataOptions?.HttpTokens === 'required');
      return !ssh && imds ? ok('yes (Session Manager instead of SSH)') : gap(`${ssh ? 'port 22 open' : ''}${!imds ? ' IMDSv1 allowed' : ''}`.trim());
    },
  },
  {
    group: 'Network exposure',
    name: 'Default security group restricted',
    reads: '`Custom::VpcRestrictDefaultSG` on every VPC (feature flag `@aws-cdk/aws-ec2:restrictDefaultSecurityGroup`)',
    cell: r => counted(r.of('Custom::VpcRestrictDefaultSG').length, r.of('AWS::EC2::VPC').length, 'VPC'),
  },
  // --- IAM ---
  {
    group: 'IAM',
    name: 'Roles',
    reads: '`AWS::IAM::Role` by the service that assumes it',
    cell: r => {
      const byService = new Map<string, number>();
      for (const role of r.of('AWS::IAM::Role')) {
        for (const s of [role.props.AssumeRolePolicyDocument?.Statement ?? []].flat()) {
          const service = [s.Principal?.Service ?? 'other'].flat()[0].replace('.amazonaws.com', '');
          byService.set(service, (byService.get(service) ?? 0) + 1);
        }
      }
      return info([...byService].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s} ${n}`).join(', '));
    },
  },
  {
    group: 'IAM',
    name: 'Task role separate from execution role',
    reads: 'every `AWS::ECS::TaskDefinition` has a `TaskRoleArn` other than its `ExecutionRoleArn`',
    cell: r => {
      const tasks = r.of('AWS::ECS::TaskDefinition');
      return counted(tasks.filter(t => t.props.TaskRoleArn && JSON.stringify(t.props.TaskRoleArn) !== JSON.stringify(t.props.ExecutionRoleArn)).length, tasks.length, 'task definition');
    },
  },
  {
    group: 'IAM',
    name: 'Statements on `Resource: *`',
    reads: 'Allow statements whose `Resource` is `*` (each is acknowledged with its reason: docs/compliance.md)',
    cell: r => {
      const wildcard = r.allowStatements().filter(({ statement }) => [statement.Resource].flat().includes('*'));
      if (wildcard.length === 0) return ok('none');
      const actions = unique(wildcard.flatMap(({ statement }) => [statement.Action].flat())).sort();
      return info(`${wildcard.length}: ${actions.map(a => `\`${a}\``).join(', ')}`);
    },
  },
  {
    group: 'IAM',
    name: 'AWS managed policies',
    reads: '`ManagedPolicyArns` of every role',
    cell: r => {
      const names = unique(r.of('AWS::IAM::Role').flatMap(role => (role.props.ManagedPolicyArns ?? []).map(managedPolicyName))).sort();
      return names.length === 0 ? ok('none') : info(join(names));
    },
  },
  // --- secrets ---
  {
    group: 'Secrets',
    name: 'Where passwords live',
    reads: `Secrets Manager secrets; the app contract's secret variables (${SECRET_VARIABLES.join(', ')}) reach containers as ECS \`Secrets\`, never \`Environment\`; Aurora and ElastiCache read theirs as \`{{resolve:secretsmanager:…}}\``,
    cell: r => {
      const secrets = r.of('AWS::SecretsManager::Secret').length;
      const containers = r.of('AWS::ECS::TaskDefinition').flatMap(t => t.props.ContainerDefinitions ?? []);
      const leaked = containers.filter((c: any) => (c.Environment ?? []).some((e: any) => SECRET_VARIABLES.includes(e.Name))).length;
      const fromSecrets = containers.filter((c: any) => (c.Secrets ?? []).length > 0).length;
      const resolved = [...r.of('AWS::RDS::DBCluster').filter(c => c.props.MasterUserPassword !== undefined).map(c => isDynamicSecretReference(c.props.MasterUserPassword)),
        ...r.of('AWS::ElastiCache::ReplicationGroup').map(c => isDynamicSecretReference(c.props.AuthToken))];
      if (leaked > 0 || resolved.some(x => !x)) return gap(`plain values: ${plural(leaked, 'container')}, ${resolved.filter(x => !x).length} literal in the template`);
      const parts = [`Secrets Manager (${secrets})`];
      if (fromSecrets > 0) parts.push(`ECS secrets in ${plural(fromSecrets, 'container')}`);
      if (r.of('AWS::EC2::Instance').length > 0) parts.push('the server reads its secret at boot');
      return ok(parts.join('; '));
    },
  },
  {
    group: 'Secrets',
    name: 'Rotation',
    reads: '`AWS::SecretsManager::RotationSchedule` per secret',
    cell: (r, _ladder, facts) => {
      const secrets = r.of('AWS::SecretsManager::Secret').length;
      const rotated = r.of('AWS::SecretsManager::RotationSchedule').length;
      if (rotated === 0) return facts.rotation ? gap(`none of ${secrets}`) : pending(`none of ${secrets} (being added)`);
      return rotated >= secrets ? ok(`${rotated} of ${secrets}`) : info(`${rotated} of ${plural(secrets, 'secret')}`);
    },
  },
  // --- logging ---
  {
    group: 'Logging',
    name: 'VPC flow logs',
    reads: '`AWS::EC2::FlowLog` with `TrafficType: ALL` on every VPC',
    cell: r => counted(r.of('AWS::EC2::FlowLog').filter(f => f.props.TrafficType === 'ALL').length, r.of('AWS::EC2::VPC').length, 'VPC', 'all traffic'),
  },
  {
    group: 'Logging',
    name: 'Load balancer access logs',
    reads: '`LoadBalancerAttributes` `access_logs.s3.enabled: true`',
    cell: r => {
      const lbs = r.of('AWS::ElasticLoadBalancingV2::LoadBalancer');
      return counted(lbs.filter(l => (l.props.LoadBalancerAttributes ?? []).some((a: any) => a.Key === 'access_logs.s3.enabled' && a.Value === 'true')).length, lbs.length, 'load balancer', 'to S3');
    },
  },
  {
    group: 'Logging',
    name: 'CDN and WAF logs',
    reads: 'CloudFront `DistributionConfig.Logging`; `AWS::WAFv2::LoggingConfiguration`',
    cell: r => {
      if (r.of('AWS::CloudFront::Distribution').length === 0) return none();
      const standard = r.of('AWS::CloudFront::Distribution').some(d => d.props.DistributionConfig.Logging);
      const waf = r.of('AWS::WAFv2::LoggingConfiguration').length > 0;
      return standard && waf ? ok('yes') : gap(`no: ${[standard ? '' : 'no CloudFront standard logs', waf ? '' : 'no WAF logging'].filter(Boolean).join(', ')}`);
    },
  },
  {
    group: 'Logging',
    name: 'Database logs',
    reads: '`EnableCloudwatchLogsExports` includes `postgresql`',
    cell: r => {
      const clusters = r.of('AWS::RDS::DBCluster');
      return counted(clusters.filter(c => (c.props.EnableCloudwatchLogsExports ?? []).includes('postgresql')).length, clusters.length, 'cluster', 'to CloudWatch Logs');
    },
  },
  {
    group: 'Logging',
    name: 'CloudTrail',
    reads: '`AWS::CloudTrail::Trail`',
    cell: r => (r.of('AWS::CloudTrail::Trail').length > 0 ? ok('yes') : info('not included (account-level: bring your own trail)')),
  },
  // --- WAF ---
  {
    group: 'WAF',
    name: 'Web ACL',
    reads: '`AWS::WAFv2::WebACL`: scope, the rate-based rule\'s `AggregateKeyType` and `Limit`, managed rule groups',
    cell: r => {
      const acls = r.of('AWS::WAFv2::WebACL');
      if (acls.length === 0) return r.of('AWS::ElasticLoadBalancingV2::LoadBalancer').length > 0 ? gap('none (the load balancer is public)') : gap('none (the server is public)');
      return info(join(acls.map(a => {
        const rules = a.props.Rules ?? [];
        const rate = rules.map((x: any) => x.Statement?.RateBasedStatement).filter(Boolean).map((s: any) => `rate limit ${s.Limit}/5 min per ${s.AggregateKeyType}`);
        const managed = rules.map((x: any) => x.Statement?.ManagedRuleGroupStatement?.Name).filter(Boolean).map((n: string) => n.replace('AWSManagedRules', '').replace('RuleSet', ''));
        return `${a.props.Scope}: ${[...rate, `managed: ${managed.join(', ')}`].join('; ')}`;
      })));
    },
  },
  // --- identity ---
  {
    group: 'Identity',
    name: 'End-user sign-in (Cognito)',
    reads: '`AWS::Cognito::UserPool`; "being added" while no rung has one',
    cell: (r, ladder) => {
      const pools = r.of('AWS::Cognito::UserPool').length;
      if (pools > 0) return ok(`user pool (${pools})`);
      return ladder.some(x => x.of('AWS::Cognito::UserPool').length > 0) ? info('none on this rung') : pending('none (being added)');
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Google Cloud: the rung's one cdk.tf.json
// ---------------------------------------------------------------------------------------------

class GcpRung {
  constructor(public readonly config: any) {}

  public of(type: string): any[] {
    return Object.values<any>(this.config.resource?.[type] ?? {});
  }
}

const GOOGLE_DEFAULT = 'Google default encryption';

/** "yes (N, Google default encryption)" unless some resources name a customer-managed key. */
function gcpAtRest(items: any[], noun: string, cmek: (body: any) => unknown, absent: Cell = none()): Cell {
  if (items.length === 0) return absent;
  const own = items.filter(i => cmek(i)).length;
  return ok(`yes (${plural(items.length, noun)}, ${own === 0 ? GOOGLE_DEFAULT : `${own} with a Cloud KMS key`})`);
}

const GCP_CONTROLS: Array<Control<GcpRung>> = [
  // --- encryption at rest ---
  {
    group: 'Encryption at rest',
    name: 'Databases (Cloud SQL)',
    reads: '`google_sql_database_instance` (Google encrypts at rest by default; `encryption_key_name` would name a Cloud KMS key)',
    cell: g => gcpAtRest(g.of('google_sql_database_instance'), 'instance', b => b.encryption_key_name,
      g.of('google_compute_instance').length > 0 ? info('PostgreSQL on the server (its disk, below)') : none()),
  },
  {
    group: 'Encryption at rest',
    name: 'Disks',
    reads: '`google_compute_disk` `disk_encryption_key` and the instance\'s `boot_disk`',
    cell: g => gcpAtRest([...g.of('google_compute_disk'), ...g.of('google_compute_instance').map(i => i.boot_disk)], 'disk',
      b => b.disk_encryption_key ?? b.kms_key_self_link ?? b.disk_encryption_key_raw),
  },
  {
    group: 'Encryption at rest',
    name: 'Buckets (Cloud Storage)',
    reads: '`google_storage_bucket` `encryption.default_kms_key_name`',
    cell: g => gcpAtRest(g.of('google_storage_bucket'), 'bucket', b => b.encryption?.default_kms_key_name),
  },
  {
    group: 'Encryption at rest',
    name: 'Cache (Memorystore)',
    reads: '`google_redis_instance` `customer_managed_key`',
    cell: g => gcpAtRest(g.of('google_redis_instance'), 'instance', b => b.customer_managed_key),
  },
  {
    group: 'Encryption at rest',
    name: 'Queues (Pub/Sub)',
    reads: '`google_pubsub_topic` `kms_key_name`',
    cell: g => gcpAtRest(g.of('google_pubsub_topic'), 'topic', b => b.kms_key_name),
  },
  {
    group: 'Encryption at rest',
    name: 'Secrets (Secret Manager)',
    reads: '`google_secret_manager_secret` `replication.*.customer_managed_encryption`',
    cell: g => gcpAtRest(g.of('google_secret_manager_secret'), 'secret', b => JSON.stringify(b.replication ?? {}).includes('customer_managed_encryption')),
  },
  {
    group: 'Encryption at rest',
    name: 'Logs (Cloud Logging)',
    reads: '`google_logging_project_bucket_config` `cmek_settings`',
    cell: g => gcpAtRest(g.of('google_logging_project_bucket_config'), 'log bucket', b => b.cmek_settings),
  },
  // --- encryption in transit ---
  {
    group: 'Encryption in transit',
    name: 'App → database',
    reads: '`settings.ip_configuration.ssl_mode: ENCRYPTED_ONLY` on every Cloud SQL instance; the server\'s database is on localhost',
    cell: g => {
      const instances = g.of('google_sql_database_instance');
      if (instances.length === 0) return info('localhost on the server (`DATABASE_SSL=disable`)');
      return counted(instances.filter(i => ['ENCRYPTED_ONLY', 'TRUSTED_CLIENT_CERTIFICATE_REQUIRED'].includes(i.settings?.ip_configuration?.ssl_mode)).length, instances.length, 'instance', 'TLS required');
    },
  },
  {
    group: 'Encryption in transit',
    name: 'App → cache',
    reads: '`google_redis_instance` `transit_encryption_mode: SERVER_AUTHENTICATION`',
    cell: g => {
      const caches = g.of('google_redis_instance');
      return counted(caches.filter(c => c.transit_encryption_mode === 'SERVER_AUTHENTICATION').length, caches.length, 'instance');
    },
  },
  {
    group: 'Encryption in transit',
    name: 'Viewer → entry point',
    reads: '`google_compute_target_https_proxy` behind the forwarding rules; else the server\'s firewall ports',
    cell: g => {
      const rules = g.of('google_compute_global_forwarding_rule');
      if (rules.length > 0) {
        const https = g.of('google_compute_target_https_proxy').length > 0;
        const ports = unique(rules.map(r => r.port_range)).join(', :');
        return https ? ok(`HTTPS (load balancer :${ports})`) : gap(`HTTP only (load balancer :${ports}, no domainName)`);
      }
      const ports = unique(g.of('google_compute_firewall').filter(f => (f.source_ranges ?? []).includes('0.0.0.0/0')).flatMap(f => f.allow.flatMap((a: any) => a.ports)));
      return ports.includes('443') ? ok(`server :${ports.join(', :')}`) : gap(`HTTP only (server :${ports.join(', :')}, no domainName)`);
    },
  },
  {
    group: 'Encryption in transit',
    name: 'Load balancer → Cloud Run',
    reads: '`google_compute_backend_service` `protocol`',
    cell: g => {
      const backends = g.of('google_compute_backend_service');
      return counted(backends.filter(b => b.protocol === 'HTTPS').length, backends.length, 'backend service', 'HTTPS');
    },
  },
  // --- network exposure ---
  {
    group: 'Network exposure',
    name: 'Reachable from the internet',
    reads: 'firewall rules from `0.0.0.0/0` (and the IAP range), global forwarding rules',
    cell: g => {
      const lines: string[] = [];
      for (const f of g.of('google_compute_firewall').filter(x => x.direction === 'INGRESS')) {
        const ports = f.allow.flatMap((a: any) => a.ports).join(', :');
        const from = (f.source_ranges ?? []).includes('0.0.0.0/0') ? '0.0.0.0/0' : (f.source_ranges ?? []).includes('35.235.240.0/20') ? 'the IAP range only' : (f.source_ranges ?? []).join(', ');
        lines.push(`server :${ports} from ${from}`);
      }
      for (const r of g.of('google_compute_global_forwarding_rule')) lines.push(`load balancer :${r.port_range} (${r.load_balancing_scheme})`);
      return info(join(unique(lines)));
    },
  },
  {
    group: 'Network exposure',
    name: 'Cloud Run ingress',
    reads: '`google_cloud_run_v2_service` `ingress`; `roles/run.invoker` bindings to `allUsers`',
    cell: g => {
      const services = g.of('google_cloud_run_v2_service');
      if (services.length === 0) return none();
      const counts = new Map<string, number>();
      for (const s of services) counts.set(s.ingress, (counts.get(s.ingress) ?? 0) + 1);
      const open = services.filter(s => s.ingress === 'INGRESS_TRAFFIC_ALL').length;
      const allUsers = g.of('google_cloud_run_v2_service_iam_member').filter(m => m.member === 'allUsers').length;
      const text = [...[...counts].map(([k, n]) => `${k.replace('INGRESS_TRAFFIC_', '').toLowerCase().replace(/_/g, ' ')} ${n}`), `invoker allUsers ${allUsers} (ingress keeps direct requests out)`].join('<br>');
      return open > 0 ? gap(text) : ok(text);
    },
  },
  {
    group: 'Network exposure',
    name: 'Databases and cache private',
    reads: 'Cloud SQL `ipv4_enabled: false` (private IP only); Memorystore `connect_mode: PRIVATE_SERVICE_ACCESS`',
    cell: g => {
      const sql = g.of('google_sql_database_instance');
      const redis = g.of('google_redis_instance');
      const have = sql.filter(i => i.settings?.ip_configuration?.ipv4_enabled === false).length + redis.filter(r => r.connect_mode === 'PRIVATE_SERVICE_ACCESS').length;
      return counted(have, sql.length + redis.length, 'instance', 'private IP only',
        g.of('google_compute_instance').length > 0 ? ok('PostgreSQL listens on the server only (no firewall rule for it)') : none());
    },
  },
  {
    group: 'Network exposure',
    name: 'Static bucket reachable only through the CDN',
    reads: '`google_storage_bucket_iam_member` bindings to `allUsers`',
    cell: g => {
      if (g.of('google_storage_bucket').length === 0) return none();
      const publicRead = g.of('google_storage_bucket_iam_member').filter(m => m.member === 'allUsers');
      return publicRead.length === 0 ? ok('yes') : gap(`no: ${unique(publicRead.map(m => m.role)).join(', ')} to allUsers`);
    },
  },
  {
    group: 'Network exposure',
    name: 'Server: SSH only through IAP, OS Login',
    reads: 'port 22 open to `35.235.240.0/20` only; instance metadata `enable-oslogin` and `block-project-ssh-keys`',
    cell: g => {
      const instances = g.of('google_compute_instance');
      if (instances.length === 0) return none();
      const ssh = g.of('google_compute_firewall').filter(f => f.allow.some((a: any) => (a.ports ?? []).includes('22')));
      const iapOnly = ssh.every(f => JSON.stringify(f.source_ranges) === JSON.stringify(['35.235.240.0/20']));
      const osLogin = instances.every(i => i.metadata?.['enable-oslogin'] === 'TRUE' && i.metadata?.['block-project-ssh-keys'] === 'TRUE');
      return iapOnly && osLogin ? ok('yes') : gap('no');
    },
  },
  // --- IAM ---
  {
    group: 'IAM',
    name: 'Service accounts',
    reads: '`google_service_account` (one per workload; none uses the default compute account)',
    cell: g => info(`${g.of('google_service_account').length}: ${g.of('google_service_account').map(s => s.account_id).join(', ')}`),
  },
  {
    group: 'IAM',
    name: 'Project-level roles',
    reads: '`google_project_iam_member` roles (everything else is granted on the one resource)',
    cell: g => {
      // A custom role is granted by reference: show its id, its permissions and whether every grant of it is conditional.
      const custom = new Map(g.of('google_project_iam_custom_role').map(r => [`\${google_project_iam_custom_role.${r['//'].metadata.uniqueId}.id}`, r]));
      const label = (role: string): string => {
        const r = custom.get(role);
        if (!r) return role.replace('roles/', '');
        const conditional = g.of('google_project_iam_member').filter(m => m.role === role).every(m => m.condition);
        return `${r.role_id} (custom: ${[...r.permissions].sort().join(', ')}${conditional ? '; per instance, by condition' : ''})`;
      };
      const roles = unique(g.of('google_project_iam_member').map(m => label(m.role))).sort();
      const broad = roles.filter(r => /^(owner|editor|viewer)$|admin/i.test(r));
      return broad.length > 0 ? gap(`broad: ${broad.join(', ')}`) : info(join(roles));
    },
  },
  {
    group: 'IAM',
    name: 'Secret access per secret',
    reads: '`google_secret_manager_secret_iam_member` `roles/secretmanager.secretAccessor` on single secrets, not on the project',
    cell: g => {
      const perSecret = g.of('google_secret_manager_secret_iam_member').length;
      const projectWide = g.of('google_project_iam_member').filter(m => m.role.startsWith('roles/secretmanager.')).length;
      return projectWide > 0 ? gap(`project-wide secret access (${projectWide})`) : ok(`yes (${plural(perSecret, 'binding')})`);
    },
  },
  // --- secrets ---
  {
    group: 'Secrets',
    name: 'Where passwords live',
    reads: `Secret Manager secrets; the app contract's secret variables (${SECRET_VARIABLES.join(', ')}) reach Cloud Run as env \`value_source.secret_key_ref\`, never \`value\`; \`random_password\` (its result is in the Terraform state)`,
    cell: g => {
      const secrets = g.of('google_secret_manager_secret').length;
      const containers = [...g.of('google_cloud_run_v2_service'), ...g.of('google_cloud_run_v2_job')].flatMap(s => s.template?.containers ?? s.template?.template?.containers ?? []);
      const fromSecrets = containers.filter((c: any) => (c.env ?? []).some((e: any) => e.value_source?.secret_key_ref)).length;
      const leaked = containers.filter((c: any) => (c.env ?? []).some((e: any) => SECRET_VARIABLES.includes(e.name) && e.value !== undefined)).length;
      if (leaked > 0) return gap(`plain values in ${plural(leaked, 'container')}`);
      const parts = [`Secret Manager (${secrets})`];
      if (fromSecrets > 0) parts.push(`secret env in ${plural(fromSecrets, 'container')}`);
      if (g.of('google_compute_instance').length > 0) parts.push('the server reads its secret at boot');
      if (g.of('random_password').length > 0) parts.push('the generated password is also in the Terraform state');
      return info(parts.join('; '));
    },
  },
  {
    group: 'Secrets',
    name: 'Rotation',
    reads: 'the secrets in `ROTATION_PAIRS` of the `google_cloud_run_v2_job` `<name>-rotate-credentials` (the monthly rotation, started by a `google_cloud_scheduler_job`)',
    cell: (g, _ladder, facts) => {
      const secrets = g.of('google_secret_manager_secret').length;
      const job = g.of('google_cloud_run_v2_job').find(j => /-rotate-credentials$/.test(j.name));
      const pairs = job?.template.template.containers[0].env.find((e: any) => e.name === 'ROTATION_PAIRS')?.value.split(' ') ?? [];
      const scheduled = job !== undefined && g.of('google_cloud_scheduler_job').some(s => s.http_target?.uri?.endsWith(`/jobs/${job.name}:run`));
      if (!scheduled) return facts.rotation ? gap(`none of ${secrets}`) : pending(`none of ${secrets} (being added)`);
      return info(`${pairs.length} of ${plural(secrets, 'secret')}`);
    },
  },
  // --- logging ---
  {
    group: 'Logging',
    name: 'VPC flow logs',
    reads: '`google_compute_subnetwork` `log_config` on every subnet',
    cell: g => {
      const subnets = g.of('google_compute_subnetwork');
      const sampling = unique(subnets.map(s => s.log_config?.flow_sampling).filter(x => x !== undefined));
      return counted(subnets.filter(s => s.log_config).length, subnets.length, 'subnet', `sampling ${sampling.join(', ')}`);
    },
  },
  {
    group: 'Logging',
    name: 'Load balancer request logs',
    reads: '`google_compute_backend_service` `log_config.enable` and `sample_rate`',
    cell: g => {
      const backends = g.of('google_compute_backend_service');
      return counted(backends.filter(b => b.log_config?.enable === true).length, backends.length, 'backend service', `sample rate ${unique(backends.map(b => b.log_config?.sample_rate)).join(', ')}`);
    },
  },
  {
    group: 'Logging',
    name: 'Audit logs',
    reads: '`google_project_iam_audit_config` (Data Access logs); Admin Activity audit logs are always on',
    cell: g => (g.of('google_project_iam_audit_config').length > 0 ? ok('Data Access logs configured')
      : info('Admin Activity only (always on); Data Access logs not configured')),
  },
  {
    group: 'Logging',
    name: 'Log retention',
    reads: '`google_logging_project_bucket_config` `_Default` `retention_days`',
    cell: g => info(g.of('google_logging_project_bucket_config').map(b => `${b.bucket_id} ${b.retention_days} days`).join(', ') || 'provider default'),
  },
  // --- WAF ---
  {
    group: 'WAF',
    name: 'Cloud Armor',
    reads: '`google_compute_security_policy` rules: `rate_limit_options.enforce_on_key`, `evaluatePreconfiguredWaf(…)`, adaptive protection; attached to every backend service',
    cell: g => {
      const policies = g.of('google_compute_security_policy');
      if (policies.length === 0) return gap(`none (the ${g.of('google_compute_global_forwarding_rule').length > 0 ? 'load balancer' : 'server'} is public)`);
      const attached = g.of('google_compute_backend_service').every(b => b.security_policy);
      return (attached ? info : gap)(join(policies.map(p => {
        const rules = p.rule ?? [];
        const rate = rules.filter((r: any) => r.rate_limit_options).map((r: any) => `rate limit ${r.rate_limit_options.rate_limit_threshold.count}/${r.rate_limit_options.rate_limit_threshold.interval_sec} s per ${r.rate_limit_options.enforce_on_key}`);
        const waf = rules.map((r: any) => r.match?.expr?.expression?.match(/evaluatePreconfiguredWaf\('([^']+)'/)?.[1]).filter(Boolean);
        const adaptive = p.adaptive_protection_config?.layer_7_ddos_defense_config?.enable ? ['adaptive protection'] : [];
        return [...rate, `preconfigured: ${waf.join(', ')}`, ...adaptive].join('; ') + (attached ? '' : ' (not on every backend)');
      })));
    },
  },
  // --- identity ---
  {
    group: 'Identity',
    name: 'End-user sign-in (Identity Platform)',
    reads: '`google_identity_platform_config`; "being added" while no rung has one',
    cell: (g, ladder) => {
      if (g.of('google_identity_platform_config').length > 0) return ok('yes');
      return ladder.some(x => x.of('google_identity_platform_config').length > 0) ? info('none on this rung') : pending('none (being added)');
    },
  },
];

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

type Cells<T> = Map<Control<T>, Record<string, Cell>>;

function table<T>(controls: Array<Control<T>>, rungs: Record<string, T>, facts: LadderFacts): { markdown: string; cells: Cells<T> } {
  const cells: Cells<T> = new Map();
  const lines = [`| control | ${RUNGS.join(' | ')} |`, `|---|${RUNGS.map(() => '---').join('|')}|`];
  let group = '';
  for (const control of controls) {
    if (control.group !== group) {
      group = control.group;
      lines.push(`| **${group}** |${RUNGS.map(() => ' ').join('|')}|`);
    }
    const row = Object.fromEntries(RUNGS.map(rung => [rung, control.cell(rungs[rung], RUNGS.map(r => rungs[r]), facts)]));
    cells.set(control, row);
    lines.push(`| ${control.name} | ${RUNGS.map(rung => row[rung].text).join(' | ')} |`);
  }
  return { markdown: lines.join('\n'), cells };
}

function reads<T>(controls: Array<Control<T>>): string {
  return controls.map(c => `- ${c.group} / ${c.name}: ${c.reads}.`).join('\n');
}

/** Controls missing on some rung where the rung has what they would protect, cloud by cloud. */
function gaps<T>(cloud: string, cells: Cells<T>): string[] {
  const out: string[] = [];
  for (const [control, row] of cells) {
    const missing = RUNGS.filter(r => row[r].status === 'gap');
    const coming = RUNGS.filter(r => row[r].status === 'pending');
    if (missing.length > 0) out.push(`- ${cloud} / ${control.group} / ${control.name} — ${missing.join(', ')}: ${unique(missing.map(r => row[r].text.replace(/\*\*/g, ''))).join('; ')}`);
    if (coming.length > 0) out.push(`- ${cloud} / ${control.group} / ${control.name} — ${coming.length === RUNGS.length ? 'every rung' : coming.join(', ')}: absent, being added`);
  }
  return out;
}

/** docs/security.md for these outputs. */
export function securityMarkdown(outputs: RungOutputs): string {
  const awsRungs = Object.fromEntries(RUNGS.map(r => [r, new AwsRung(outputs.aws[r])]));
  const gcpRungs = Object.fromEntries(RUNGS.map(r => [r, new GcpRung(outputs.gcp[r])]));
  const facts: LadderFacts = {
    rotation: Object.values(awsRungs).some(r => r.of('AWS::SecretsManager::RotationSchedule').length > 0)
      || Object.values(gcpRungs).some(g => g.of('google_secret_manager_secret').some(s => s.rotation)),
  };
  const aws = table(AWS_CONTROLS, awsRungs, facts);
  const gcp = table(GCP_CONTROLS, gcpRungs, facts);
  return `<!-- Generated by build-tools/security-table.ts from the synthesized rungs; do not edit. test/docs/security-table.test.ts fails when it drifts. -->
# Security controls per rung

Each control below is read from what every rung actually synthesizes (the CloudFormation templates
of every stack, the Terraform JSON), not from what the code means to do. Regenerate after changing
the ladder:

\`\`\`sh
npx ts-node --transpile-only --project test/tsconfig.json build-tools/security-table.ts
\`\`\`

What was synthesized: the demo app of \`scale-ladder synth\` on every rung, as the test suites build
it. On AWS that is us-east-1 with the Route 53 zone \`example.com\` (so CloudFront has an apex
certificate from 1M) and the feature flags pinned in \`test/support/feature-flags.ts\` (among them
\`@aws-cdk/aws-ec2:restrictDefaultSecurityGroup\`, \`@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy\` and
\`@aws-cdk/aws-cloudfront:defaultSecurityPolicyTLSv1.2_2021\`: an app without them gets an unrestricted
default security group and an ACL-based access-log bucket); from 100M the rows count every region's
stack. On Google Cloud it is us-central1 without \`domainName\` or \`dnsZone\` (so no HTTPS proxy; give
a domain to get a Google-managed certificate and HTTPS).

In a cell, *yes (n)* means all n resources of the rung have the control, **bold** marks a control
that is missing where the rung has what it would protect, and *–* means the rung has nothing it
applies to.

## AWS

${aws.markdown}

## Google Cloud

${gcp.markdown}

## Gaps the tables show

${[...gaps('AWS', aws.cells), ...gaps('Google Cloud', gcp.cells)].join('\n')}

## What each row reads

AWS:

${reads(AWS_CONTROLS)}

Google Cloud:

${reads(GCP_CONTROLS)}

## Provider defaults the tables rely on

- CloudWatch Logs always encrypts log group data; a KMS key is optional ("Encrypt log data in CloudWatch
  Logs using AWS Key Management Service", Amazon CloudWatch Logs User Guide:
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
- Secrets Manager always encrypts secret values, with \`aws/secretsmanager\` unless a key is given
  ("Secret encryption and decryption in AWS Secrets Manager":
  https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
- CloudTrail keeps 90 days of management events in Event history without any trail; a trail (for
  longer retention, data events or an organization) is account-level and not part of the library
  ("Working with CloudTrail Event history": https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html).
- Google Cloud encrypts all customer content at rest by default ("Default encryption at rest":
  https://cloud.google.com/docs/security/encryption/default-encryption); the tables say where a Cloud
  KMS key would be named instead.
- Port 22 is open only to \`35.235.240.0/20\`, the range IAP TCP forwarding connects from ("Use IAP for TCP
  forwarding": https://cloud.google.com/iap/docs/using-tcp-forwarding).
- Admin Activity audit logs are always written and cannot be turned off; Data Access audit logs are
  off by default for most services ("Enable Data Access audit logs":
  https://cloud.google.com/logging/docs/audit/configure-data-access).
`;
}

/** Every rung's output from the run's cache (the jest global setup), or synthesized the same way into a fresh one. */
export async function rungOutputs(): Promise<RungOutputs> {
  const read = (): RungOutputs => ({
    aws: Object.fromEntries(RUNGS.map(r => [r, readCached(`aws:${r}`)])),
    gcp: Object.fromEntries(RUNGS.map(r => [r, readCached(`gcp:${r}`)])),
  });
  if (process.env[RUNG_CACHE_ENV]) return read();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const setup = require('../test/support/global-setup').default as () => Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const teardown = require('../test/support/global-teardown').default as () => void;
  await setup();
  try {
    return read();
  } finally {
    teardown();
  }
}

if (require.main === module) {
  const file = process.argv[2] ? path.resolve(process.argv[2]) : SECURITY_DOC;
  rungOutputs().then(outputs => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, securityMarkdown(outputs));
    process.stdout.write(`wrote ${path.relative(process.cwd(), file) || file}\n`);
  }).catch(err => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
