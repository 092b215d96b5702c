import { CfnOutput, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SeparatedDatabase } from './separated-database';
import { REBALANCE_SHARDS_SCRIPT } from '../../core/data-moves/rebalance-shards';
import { ScaleLadderError } from '../../core/errors';
import { LadderNetwork } from '../network/network';
import { logRetention } from '../operations/log-retention';

/** Props for {@link ShardRebalancer}. */
export interface ShardRebalancerProps {
  /** The VPC; the task runs in its private subnets (it pulls the PostgreSQL client image). */
  readonly vpc: ec2.IVpc;
  /** The ECS cluster the task runs on (the fleet's). */
  readonly cluster: ecs.ICluster;
  /** Every shard, index = shard id. */
  readonly shards: SeparatedDatabase[];
  /** The shard map JSON (`SHARD_MAP`). */
  readonly shardMapJson: string;
  /** The run-time bucket assignment (`SHARD_BUCKETS`), read when the task starts. */
  readonly bucketAssignment: ecs.Secret;
  /**
   * Days the task's log is kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Image with bash and the PostgreSQL client (psql, pg_dump).
   * @default 'public.ecr.aws/docker/library/postgres:16'
   */
  readonly clientImage?: string;
}

/**
 * The shipped rebalance step as a one-off Fargate task: the library's rebalance script
 * (fence the moving buckets on the source shard, copy them, verify row counts and
 * checksums, print the new assignment) in the stock PostgreSQL client image, with every
 * shard's endpoint and credentials. Nothing runs until an operator starts it with the
 * command in the `RebalanceRunTask` output and a `MOVES` override (`scale-ladder plan`
 * prints the exact ones).
 */
export class ShardRebalancer extends Construct {
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The script's container (named `rebalance`). */
  public readonly container: ecs.ContainerDefinition;
  /** The task's security group, allowed into every shard. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The task's log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ShardRebalancerProps) {
    super(scope, id);
    if (props.shards.length < 2) {
      throw new ScaleLadderError(`shards must hold at least 2 databases to rebalance between, got ${props.shards.length}`);
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logRetention('logRetentionDays', props.logRetentionDays ?? 30) });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 1024, memoryLimitMiB: 2048 });
    const secrets: Record<string, ecs.Secret> = { SHARD_BUCKETS: props.bucketAssignment };
    props.shards.forEach((shard, i) => { secrets[`SHARD_${i}_PASSWORD`] = ecs.Secret.fromSecretsManager(shard.secret, 'password'); });
    this.container = this.taskDefinition.addContainer('rebalance', {
      image: ecs.ContainerImage.fromRegistry(props.clientImage ?? 'public.ecr.aws/docker/library/postgres:16'),
      entryPoint: ['bash', '-c'],
      command: [REBALANCE_SHARDS_SCRIPT],
      environment: {
        SHARD_MAP: props.shardMapJson,
        DATABASE_USER: 'postgres',
        DATABASE_NAME: 'postgres',
        PGSSLMODE: 'require',
      },
      secrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'rebalance' }),
      readonlyRootFilesystem: false,
      // Fargate's longest grace between SIGTERM and SIGKILL, so an interrupted batch can undo its fence and copies.
      stopTimeout: Duration.seconds(120),
    });
    Validations.of(this.taskDefinition).acknowledge(
      { id: 'AwsSolutions-ECS2', reason: 'Only the shard map and client settings are plain variables; passwords and the bucket assignment come from Secrets Manager and SSM.' },
      // Outside Fn::Sub CloudFormation passes ${...} through verbatim: these are bash expansions of the script.
      { id: 'CloudFormation-Validate::E1029', reason: 'The command is the rebalance script; its ${...} are shell parameter expansions, not CloudFormation substitutions.' },
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'scale-ladder shard rebalance task',
      allowAllOutbound: true,
    });
    for (const shard of props.shards) shard.connections.allowDefaultPortFrom(this.securityGroup, 'shard rebalance task');

    const subnets = props.vpc.selectSubnets({ subnetGroupName: LadderNetwork.PRIVATE }).subnetIds;
    const network = Fn.join('', ['awsvpcConfiguration={subnets=[', Fn.join(',', subnets), '],securityGroups=[', this.securityGroup.securityGroupId, '],assignPublicIp=DISABLED}']);
    new CfnOutput(this, 'RebalanceRunTask', {
      value: Fn.join(' ', [
        'aws ecs run-task --region', Stack.of(this).region, '--cluster', props.cluster.clusterName,
        '--launch-type FARGATE --task-definition', this.taskDefinition.taskDefinitionArn,
        '--network-configuration', network,
      ]),
      description: 'Starts the shard rebalance task; add --overrides with MOVES (scale-ladder plan prints them)',
    });
    new CfnOutput(this, 'RebalanceLogGroup', { value: this.logGroup.logGroupName, description: 'Log of the shard rebalance task (its last line is the new SHARD_BUCKETS)' });
  }
}
