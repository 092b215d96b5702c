import { CloudRunV2Job } from '@cdktf/provider-google/lib/cloud-run-v2-job';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from 'constructs';
import { REBALANCE_SHARDS_SCRIPT } from '../../core/data-moves/rebalance-shards';
import { requireIntInRange, ScaleLadderError } from '../../core/errors';
import { requireImageReference } from '../../core/validation';
import { SERVER_POSTGRES_IMAGE } from '../compute/startup-script';
import { baseSettings, GcpBaseProps, labels, terraformLiteral } from '../internal/common';
import { Network } from '../network/network';

/** Props of `ShardRebalanceJob`. */
export interface ShardRebalanceJobProps extends GcpBaseProps {
  /** The network: the job's task reaches every shard's private IP through direct VPC egress. */
  readonly network: Network;
  /** Number of shards in the shard map (2-256). */
  readonly shards: number;
  /** The shard map JSON (`SHARD_MAP`, the app's). */
  readonly shardMap: string;
  /** The secret holding the bucket assignment (`SHARD_BUCKETS`; the job reads its `latest` version). */
  readonly bucketAssignmentSecret: string;
  /** The secret holding shard 0's database password. */
  readonly passwordSecret: string;
  /**
   * The secrets holding the other shards' passwords, shard 1 first (each shard's own secret,
   * `ShardedCluster.passwordSecrets`); the job reads each one's `latest` version and may read
   * exactly these and `passwordSecret`.
   * @default - `passwordSecret` for every shard
   */
  readonly shardPasswordSecrets?: string[];
  /**
   * The PostgreSQL user every shard has.
   * @default 'app'
   */
  readonly databaseUser?: string;
  /**
   * The database on every shard.
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * Image with bash and the PostgreSQL client programs. Cloud Run pulls from Artifact Registry
   * and Docker Hub only (cloud.google.com/run/docs/deploying, "Supported container registries
   * and images").
   * @default 'docker.io/library/postgres:16' (the single server's `postgres:16`)
   */
  readonly clientImage?: string;
}

/**
 * The shipped shard rebalance step as a Cloud Run job (`<name>-rebalance`): the library's
 * rebalance script in the stock PostgreSQL image, with the shard map, the current bucket
 * assignment and every shard's password from Secret Manager (each shard's own secret), on the
 * VPC (direct VPC egress to private ranges) and under its own service account, which may read
 * exactly those secrets. It runs only when an operator executes it with `MOVES` (and `ACTION`);
 * `scale-ladder plan` prints the exact commands. The job prints the new assignment; it cannot
 * publish it (the postgres image has no gcloud), so the operator adds it as the next version
 * of the assignment secret.
 */
export class ShardRebalanceJob extends Construct {
  /** The job. */
  public readonly job: CloudRunV2Job;
  /** The job's service account. */
  public readonly serviceAccount: ServiceAccount;
  /** Read access to the passwords and the bucket assignment. */
  public readonly secretAccess: SecretManagerSecretIamMember[];
  /** The job's name. */
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: ShardRebalanceJobProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const shards = requireIntInRange('shards', props.shards, 2, 256);
    const image = requireImageReference('clientImage', props.clientImage ?? `docker.io/library/${SERVER_POSTGRES_IMAGE}`);
    this.jobName = `${name}-rebalance`;

    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
      project, accountId: `${name}-rebalance`, displayName: `${name} shard rebalance job`,
    });
    const member = `serviceAccount:${this.serviceAccount.email}`;
    const others = props.shardPasswordSecrets;
    if (others !== undefined && (!Array.isArray(others) || others.length !== shards - 1)) {
      throw new ScaleLadderError(`shardPasswordSecrets must name one secret for each of shards 1-${shards - 1} (${shards - 1}), got ${JSON.stringify(others)}`);
    }
    const passwordOf = (shard: number) => (shard === 0 || others === undefined ? props.passwordSecret : others[shard - 1]);
    this.secretAccess = [
      ['Password', props.passwordSecret],
      ['ShardBuckets', props.bucketAssignmentSecret],
      // Construct ids of the two above are kept (Terraform addresses); each shard's own secret adds one.
      ...(others ?? []).map((secret, i) => [`Shard${i + 1}Password`, secret]),
    ].map(([cid, secret]) => new SecretManagerSecretIamMember(this, `SecretAccess-${cid}`, {
      project, secretId: secret, role: 'roles/secretmanager.secretAccessor', member,
    }));

    const secretEnv = (envName: string, secret: string) => ({ name: envName, valueSource: { secretKeyRef: { secret, version: 'latest' } } });
    this.job = new CloudRunV2Job(this, 'Job', {
      project,
      name: this.jobName,
      location: region,
      deletionProtection: false,
      labels: labels(name, 'ShardedCluster'),
      template: {
        taskCount: 1,
        parallelism: 1,
        template: {
          serviceAccount: this.serviceAccount.email,
          // A failed move is reported, never retried blindly: the operator reads the log first.
          maxRetries: 0,
          timeout: '86400s',
          vpcAccess: {
            egress: 'PRIVATE_RANGES_ONLY',
            networkInterfaces: [{ network: props.network.vpc.id, subnetwork: props.network.subnetIn(region).id }],
          },
          containers: [{
            image,
            command: ['bash', '-c'],
            args: [terraformLiteral(REBALANCE_SHARDS_SCRIPT)],
            resources: { limits: { cpu: '1', memory: '2Gi' } },
            env: [
              { name: 'SHARD_MAP', value: props.shardMap },
              { name: 'DATABASE_USER', value: props.databaseUser ?? 'app' },
              { name: 'DATABASE_NAME', value: props.databaseName ?? 'app' },
              { name: 'PGSSLMODE', value: 'require' },
              { name: 'ACTION', value: 'move' },
              secretEnv('SHARD_BUCKETS', props.bucketAssignmentSecret),
              ...Array.from({ length: shards }, (_, i) => secretEnv(`SHARD_${i}_PASSWORD`, passwordOf(i))),
            ],
          }],
        },
      },
      dependsOn: this.secretAccess,
    });
  }
}
