import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AppEnvironment } from './app-environment';
import { AppImage } from './app-image';
import { fargateSize } from './fargate-sizing';
import { requirePattern, ScaleLadderError } from '../../core/errors';
import { logRetention } from '../operations/log-retention';

/*
 * A Fargate service without a load balancer running the app image as a background
 * worker (queue workers, stream consumers). Internal: not part of the API.
 */

/** What {@link buildWorkerService} needs. */
export interface WorkerServiceOptions {
  readonly cluster: ecs.ICluster;
  readonly image: AppImage;
  readonly environment: AppEnvironment;
  /** Variables only this worker gets (e.g. QUEUE_URL). */
  readonly variables: Record<string, string>;
  readonly command?: string[];
  readonly vcpu: number;
  readonly memoryGib: number;
  readonly logRetentionDays: number;
}

/** The pieces {@link buildWorkerService} creates. */
export interface WorkerService {
  readonly logGroup: logs.LogGroup;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
}

/**
 * Creates `Logs`, `Task` (container `Worker`) and `Service` under `scope`. The service sets
 * no desired count: the caller gives it a scalable target (`autoScaleTaskCount`).
 */
export function buildWorkerService(scope: Construct, o: WorkerServiceOptions): WorkerService {
  const size = fargateSize('vcpu', o.vcpu, 'memoryGib', o.memoryGib);
  const command = validCommand(o.command);
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logRetention('logRetentionDays', o.logRetentionDays) });
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task', {
    ...size,
    runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
  });
  const container = taskDefinition.addContainer('Worker', {
    image: o.image.containerImage,
    command,
    environment: { ...o.environment.variables, ...o.variables },
    secrets: o.environment.ecsSecrets(),
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'worker' }),
  });
  o.image.grantPull(taskDefinition.obtainExecutionRole());
  Validations.of(taskDefinition).acknowledge({ id: 'AwsSolutions-ECS2', reason: 'Only non-secret app-contract values are plain environment variables; credentials come from Secrets Manager.' });

  // No DesiredCount: the caller's scalable target owns the task count. AWS::ECS::Service,
  // DesiredCount (CloudFormation Template Reference): left out on create, the service starts
  // with 1 task; left out on update, it is not part of the update, so a swap keeps the running
  // count. The scalable target lifts the count to its MinCapacity (RegisterScalableTarget,
  // Application Auto Scaling API Reference: a capacity outside the range is moved into it).
  const service = new ecs.FargateService(scope, 'Service', {
    cluster: o.cluster,
    taskDefinition,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    circuitBreaker: { enable: true, rollback: true },
    // Workers take no traffic; keeping every old task until its replacement runs means a
    // release never lowers the processing rate.
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
  });
  return { logGroup, taskDefinition, container, service };
}

function validCommand(command?: string[]): string[] | undefined {
  if (command === undefined) return undefined;
  if (!Array.isArray(command) || command.length === 0) {
    throw new ScaleLadderError(`command must list at least one argument (or be left out to run the image's default), got ${JSON.stringify(command)}`);
  }
  command.forEach((arg, i) => requirePattern(`command[${i}]`, arg, /^[^\0]{1,4096}$/, 'a non-empty string of at most 4096 characters'));
  return command;
}

/** Standard cooldowns of the worker scaling policies. */
export const WORKER_SCALE_OUT_COOLDOWN = Duration.seconds(60);
/** Scale in slowly: a worker stopped mid-message costs a redelivery after the visibility timeout. */
export const WORKER_SCALE_IN_COOLDOWN = Duration.seconds(300);
