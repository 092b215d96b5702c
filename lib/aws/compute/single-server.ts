import { CfnOutput, Lazy, RemovalPolicy, Size, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AppEnvironment } from './app-environment';
import { AppImage } from './app-image';
import { serverBootScript, migrationScript } from './server-scripts';
import { requireIntInRange, requirePattern, ScaleLadderError } from '../../core/errors';
import { requireImageReference } from '../../core/validation';
import { acknowledgeManagedPolicy } from '../internal/acknowledgements';
import { ZONES_ARE_EXPLICIT } from '../network/availability-zones';
import { logRetention } from '../operations/log-retention';

/** Where the managed database lives, for the one-off copy off the server. */
export interface MigrationTarget {
  /** Writer endpoint host of the managed database. */
  readonly host: string;
  /** Its port. */
  readonly port: string;
  /** Its credentials secret (JSON with `username` and `password`). */
  readonly secret: secretsmanager.ISecret;
}

/** Props for {@link SingleServer}. */
export interface SingleServerProps {
  /** The VPC; the server goes in its first public subnet. */
  readonly vpc: ec2.IVpc;
  /** The app's image. */
  readonly image: AppImage;
  /** The port the app listens on. */
  readonly port: number;
  /**
   * What the app receives (the app contract).
   * @default - nothing beyond what the server adds for its own database
   */
  readonly environment?: AppEnvironment;
  /**
   * Whether PostgreSQL runs on the server, on the data volume, and serves the app.
   * @default true
   */
  readonly hostsDatabase?: boolean;
  /**
   * Whether the server runs. A retired server keeps only its data volume, the volume's
   * snapshots and its database secret, so a climb never deletes data.
   * @default true
   */
  readonly running?: boolean;
  /**
   * Graviton instance type.
   * @default 't4g.small'
   */
  readonly instanceType?: string;
  /**
   * Size of the PostgreSQL data volume in GiB (it can grow later, never shrink).
   * @default 20
   */
  readonly dataVolumeGib?: number;
  /**
   * Days of daily volume snapshots kept.
   * @default 14
   */
  readonly snapshotRetentionDays?: number;
  /**
   * Days logs are kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * The server's image. Resolved when the instance launches, so a newer AMI never
   * replaces a running server; pin one with `ec2.MachineImage.genericLinux`.
   * @default - latest Amazon Linux 2023 arm64, resolved at launch
   */
  readonly machineImage?: ec2.IMachineImage;
  /**
   * The managed database to copy the server's PostgreSQL into. When given (and the server
   * no longer hosts the database) an SSM document that performs the copy is created.
   * @default - no migration document
   */
  readonly migrationTarget?: MigrationTarget;
  /**
   * PostgreSQL image run on the server.
   * @default 'public.ecr.aws/docker/library/postgres:16'
   */
  readonly postgresImage?: string;
}

/**
 * Rung 1K: one EC2 instance running the app container and PostgreSQL, whose files live
 * on a separate encrypted, retained, daily-snapshotted EBS volume. Elastic IP, IMDSv2,
 * SSM Session Manager instead of SSH, logs in CloudWatch.
 */
export class SingleServer extends Construct {
  /** The PostgreSQL data volume (retained on every rung). */
  public readonly dataVolume: ec2.Volume;
  /** Credentials of the server's PostgreSQL (retained on every rung). */
  public readonly databaseSecret: secretsmanager.Secret;
  /** Daily snapshots of the data volume. */
  public readonly snapshotPolicy: dlm.CfnLifecyclePolicy;
  /** The instance, unless retired. */
  public readonly instance?: ec2.Instance;
  /** The public address, unless retired. */
  public readonly elasticIp?: ec2.CfnEIP;
  /** The instance's security group, unless retired. */
  public readonly securityGroup?: ec2.SecurityGroup;
  /** The log group of the containers, unless retired. */
  public readonly logGroup?: logs.LogGroup;
  /** The document that copies the server's database into the managed one, when a target is given. */
  public readonly migrationDocument?: ssm.CfnDocument;
  /** The app's variables, read at boot and by the migration's switch, unless retired. */
  public readonly environmentParameter?: ssm.StringParameter;
  /** The launch template that requires IMDSv2, unless retired. */
  public readonly launchTemplate?: ec2.CfnLaunchTemplate;

  constructor(scope: Construct, id: string, props: SingleServerProps) {
    super(scope, id);
    requireIntInRange('port', props.port, 1, 65535);
    const dataVolumeGib = requireIntInRange('dataVolumeGib', props.dataVolumeGib ?? 20, 8, 16384);
    const snapshotRetentionDays = requireIntInRange('snapshotRetentionDays', props.snapshotRetentionDays ?? 14, 1, 1000);
    const instanceType = requirePattern('instanceType', props.instanceType ?? 't4g.small',
      /^[a-z][a-z0-9]*g[a-z]*\.[a-z0-9]+$/, 'a Graviton (arm64) instance type such as t4g.small or m7g.large');
    for (const prop of ['running', 'hostsDatabase'] as const) {
      if (props[prop] !== undefined && typeof props[prop] !== 'boolean') {
        throw new ScaleLadderError(`${prop} must be a boolean (true or false), got ${JSON.stringify(props[prop])}`);
      }
    }
    if (props.postgresImage !== undefined) requireImageReference('postgresImage', props.postgresImage);
    const subnet = props.vpc.publicSubnets[0];

    this.dataVolume = new ec2.Volume(this, 'DataVolume', {
      availabilityZone: subnet.availabilityZone,
      size: Size.gibibytes(dataVolumeGib),
      volumeType: ec2.EbsDeviceVolumeType.GP3,
      encrypted: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this).acknowledge(ZONES_ARE_EXPLICIT);
    const backupTag = { key: 'scale-ladder:snapshot', value: this.node.addr };
    Tags.of(this.dataVolume).add(backupTag.key, backupTag.value);

    this.databaseSecret = new secretsmanager.Secret(this, 'DatabaseSecret', {
      description: 'PostgreSQL credentials of the scale-ladder single server',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'postgres' }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.databaseSecret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'The server-local PostgreSQL password is read at boot; rotating it would need the server to restart PostgreSQL, so it is rotated by replacing the server database with the managed one (rung 10K).' });

    this.snapshotPolicy = new dlm.CfnLifecyclePolicy(this, 'DailySnapshots', {
      description: 'Daily snapshots of the scale-ladder server data volume',
      state: 'ENABLED',
      executionRoleArn: new iam.Role(this, 'SnapshotRole', {
        assumedBy: new iam.ServicePrincipal('dlm.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSDataLifecycleManagerServiceRole')],
      }).roleArn,
      policyDetails: {
        resourceTypes: ['VOLUME'],
        targetTags: [backupTag],
        schedules: [{
          name: 'daily',
          createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] },
          retainRule: { count: snapshotRetentionDays },
          copyTags: true,
        }],
      },
    });
    acknowledgeManagedPolicy(this, 'service-role/AWSDataLifecycleManagerServiceRole', 'Data Lifecycle Manager uses the AWS managed policy built for it.');

    if (props.running === false) return;

    const region = Stack.of(this).region;
    const hostsDatabase = props.hostsDatabase ?? true;
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logRetention('logRetentionDays', props.logRetentionDays ?? 30) });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'scale-ladder single server: the app port only, no SSH',
      allowAllOutbound: true,
    });
    this.securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(props.port), 'app traffic');
    Validations.of(this.securityGroup).acknowledge({ id: 'AwsSolutions-EC23', reason: 'The single server is the public entry point on rungs 1K-10K; only the app port is open.' });

    const environment = props.environment ?? new AppEnvironment();
    if (hostsDatabase) {
      environment
        .set('DATABASE_HOST', '127.0.0.1').set('DATABASE_READER_HOST', '127.0.0.1').set('DATABASE_PORT', '5432')
        .set('DATABASE_NAME', 'postgres').set('DATABASE_USER', 'postgres').set('DATABASE_SSL', 'disable')
        .setSecret('DATABASE_PASSWORD', this.databaseSecret, 'password');
    }

    // The app's variables live in a parameter, so the boot script (user data) is the same on
    // every rung and a climb never stops the instance (see server-scripts.ts).
    this.environmentParameter = new ssm.StringParameter(this, 'AppEnvironment', {
      description: 'The app contract of the scale-ladder single server (read at boot and by the migration switch)',
      stringValue: Lazy.string({
        produce: () => Stack.of(this).toJsonString({
          variables: environment.variables,
          secrets: Object.fromEntries(Object.entries(environment.secrets).map(([name, ref]) => [name, { arn: ref.secret.secretArn, field: ref.field ?? '' }])),
        }),
      }),
    });
    const app = {
      region,
      logGroup: this.logGroup.logGroupName,
      appImage: props.image.imageName,
      registryLogin: props.image.repository !== undefined,
      environmentParameter: this.environmentParameter.parameterName,
    };
    const userData = ec2.UserData.forLinux();
    userData.addCommands(serverBootScript({
      ...app,
      volumeId: this.dataVolume.volumeId,
      postgresImage: props.postgresImage ?? 'public.ecr.aws/docker/library/postgres:16',
      postgresSecretArn: this.databaseSecret.secretArn,
    }));

    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [subnet] },
      availabilityZone: subnet.availabilityZone,
      instanceType: new ec2.InstanceType(instanceType),
      machineImage: props.machineImage ?? ec2.MachineImage.resolveSsmParameterAtLaunch(
        '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64', { os: ec2.OperatingSystemType.LINUX }),
      securityGroup: this.securityGroup,
      ssmSessionPermissions: true,
      detailedMonitoring: true,
      userData,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
    });
    // IMDSv2 through a launch template of our own with no name (CloudFormation generates a
    // unique one): CDK's requireImdsv2 names it after the construct unless a feature flag is
    // set, so two stacks in one region would collide and flipping the flag later would
    // replace the server ("AWS::EC2::Instance, LaunchTemplate: Update requires: Replacement").
    this.launchTemplate = new ec2.CfnLaunchTemplate(this, 'LaunchTemplate', {
      launchTemplateData: { metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 } },
    });
    (this.instance.node.defaultChild as ec2.CfnInstance).launchTemplate = {
      launchTemplateId: this.launchTemplate.ref,
      version: this.launchTemplate.attrLatestVersionNumber,
    };
    Validations.of(this.instance).acknowledge({
      id: 'CloudFormation-Validate::E1152',
      reason: 'The image is resolved from SSM when the instance launches (resolve:ssm:), so a new AMI never replaces the server.',
    });
    new ec2.CfnVolumeAttachment(this, 'DataVolumeAttachment', {
      instanceId: this.instance.instanceId,
      volumeId: this.dataVolume.volumeId,
      device: '/dev/sdf',
    });
    acknowledgeManagedPolicy(this.instance, 'AmazonSSMManagedInstanceCore', 'Session Manager access (instead of SSH) uses the AWS managed policy built for it.');
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-EC29',
      reason: 'Termination protection would stop rung 100K from retiring the server; its data lives on the retained, snapshotted volume.',
    });
    this.logGroup.grantWrite(this.instance);
    this.databaseSecret.grantRead(this.instance);
    environment.grantRead(this.instance);
    this.environmentParameter.grantRead(this.instance);
    props.image.grantPull(this.instance);

    // Retained: when the server retires the address leaves the stack but stays allocated, so
    // DNS can move to the new entry point first (scale-ladder plan prints when to release it).
    this.elasticIp = new ec2.CfnEIP(this, 'Address', { domain: 'vpc' });
    this.elasticIp.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new ec2.CfnEIPAssociation(this, 'AddressAssociation', {
      allocationId: this.elasticIp.attrAllocationId,
      instanceId: this.instance.instanceId,
    });
    new CfnOutput(this, 'ServerInstanceId', { value: this.instance.instanceId, description: 'The single server (SSM Session Manager target)' });
    new CfnOutput(this, 'ServerAddress', { value: this.elasticIp.ref, description: 'Public IPv4 address of the single server' });
    new CfnOutput(this, 'ServerAddressAllocation', { value: this.elasticIp.attrAllocationId, description: 'Allocation id of the server address (release it once DNS points elsewhere)' });

    if (!hostsDatabase && props.migrationTarget) {
      const target = props.migrationTarget;
      target.secret.grantRead(this.instance);
      this.migrationDocument = new ssm.CfnDocument(this, 'MigrateDatabase', {
        documentType: 'Command',
        content: {
          schemaVersion: '2.2',
          description: 'Copy the server PostgreSQL (on the retained data volume) into the managed database',
          mainSteps: [{
            action: 'aws:runShellScript',
            name: 'copyDatabase',
            inputs: {
              timeoutSeconds: '7200',
              runCommand: migrationScript({
                app,
                sourceSecretArn: this.databaseSecret.secretArn,
                targetHost: target.host,
                targetPort: target.port,
                targetSecretArn: target.secret.secretArn,
                postgresImage: props.postgresImage ?? 'public.ecr.aws/docker/library/postgres:16',
              }).split('\n'),
            },
          }],
        },
      });
      new CfnOutput(this, 'MigrateDatabaseDocument', {
        value: this.migrationDocument.ref,
        description: 'Run once with `aws ssm send-command --document-name <this> --targets Key=InstanceIds,Values=<ServerInstanceId>` to copy the data into the managed database',
      });
    }
  }
}

