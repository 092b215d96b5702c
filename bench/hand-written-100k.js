/*
 * The baseline for rung 100K: what one would write by hand with aws-cdk-lib alone for the same
 * shape — a VPC over three AZs with public, private (egress through one NAT gateway per AZ) and
 * isolated subnets, an aws-ecs-patterns ApplicationLoadBalancedFargateService (2-10 tasks of
 * 1 vCPU / 2 GiB, scaled on CPU and requests) and an Aurora PostgreSQL Serverless v2 cluster
 * with a writer and one reader (1-16 ACU) the service may reach. No alarms, dashboard, flow log,
 * alert topic or retained server volume: the rung adds those, and pays for them here.
 *
 * Used by bench/sample.js (mode cdk-100k); the stack, ids and environment match the rung's.
 */
'use strict';
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecs = require('aws-cdk-lib/aws-ecs');
const ecsPatterns = require('aws-cdk-lib/aws-ecs-patterns');
const rds = require('aws-cdk-lib/aws-rds');

/** Adds the hand-written 100K app to `stack`. */
function addHandWritten100K(stack) {
  const vpc = new ec2.Vpc(stack, 'Network', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    natGateways: 3,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });

  const database = new rds.DatabaseCluster(stack, 'Database', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_9 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    credentials: rds.Credentials.fromGeneratedSecret('app'),
    defaultDatabaseName: 'app',
    writer: rds.ClusterInstance.serverlessV2('Writer'),
    readers: [rds.ClusterInstance.serverlessV2('Reader1', { scaleWithWriter: true })],
    serverlessV2MinCapacity: 1,
    serverlessV2MaxCapacity: 16,
    storageEncrypted: true,
    backup: { retention: cdk.Duration.days(14) },
  });

  const web = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
    vpc,
    cpu: 1024,
    memoryLimitMiB: 2048,
    desiredCount: 2,
    runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    publicLoadBalancer: true,
    circuitBreaker: { rollback: true },
    taskImageOptions: {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
      containerPort: 80,
      environment: {
        DATABASE_HOST: database.clusterEndpoint.hostname,
        DATABASE_READER_HOST: database.clusterReadEndpoint.hostname,
        DATABASE_PORT: cdk.Token.asString(database.clusterEndpoint.port),
      },
      secrets: { DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(database.secret, 'password') },
    },
  });
  const scaling = web.service.autoScaleTaskCount({ minCapacity: 2, maxCapacity: 10 });
  scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
  scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 60, targetGroup: web.targetGroup });
  database.connections.allowDefaultPortFrom(web.service);
  return { vpc, database, web };
}

module.exports = { addHandWritten100K };
