import { Match, Template } from 'aws-cdk-lib/assertions';
import { AppEnvironment, AppImage, SeparatedDatabase, SingleServer } from '../../lib';
import { stackWithNetwork } from '../support/stacks';

const image = AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

function userDataOf(template: Template): string {
  const [instance] = Object.values<any>(template.findResources('AWS::EC2::Instance'));
  return JSON.stringify(instance.Properties.UserData);
}

describe('SingleServer', () => {
  const { stack, vpc } = stackWithNetwork(false);
  new SingleServer(stack, 'Server', { vpc, image, port: 8080 });
  const template = Template.fromStack(stack);

  test('the data volume is encrypted gp3, retained, and tagged for daily snapshots', () => {
    template.hasResource('AWS::EC2::Volume', {
      Properties: { Encrypted: true, VolumeType: 'gp3', Size: 20, AvailabilityZone: 'eu-west-1a' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const [volume] = Object.values<any>(template.findResources('AWS::EC2::Volume'));
    const tag = volume.Properties.Tags.find((t: any) => t.Key === 'scale-ladder:snapshot');
    template.hasResourceProperties('AWS::DLM::LifecyclePolicy', {
      State: 'ENABLED',
      PolicyDetails: {
        ResourceTypes: ['VOLUME'],
        TargetTags: [{ Key: 'scale-ladder:snapshot', Value: tag.Value }],
        Schedules: [Match.objectLike({ CreateRule: { Interval: 24, IntervalUnit: 'HOURS', Times: ['03:00'] }, RetainRule: { Count: 14 } })],
      },
    });
  });

  test('IMDSv2 is required, the root volume is encrypted, there is no key pair', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } },
    });
    template.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.small',
      KeyName: Match.absent(),
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 30, VolumeType: 'gp3' } }],
      ImageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
    });
  });

  test('only the app port is open (no SSH); access is through SSM Session Manager', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp', Description: 'app traffic' }],
    });
    const groups = Object.values<any>(template.findResources('AWS::EC2::SecurityGroup'));
    for (const g of groups) for (const rule of g.Properties.SecurityGroupIngress ?? []) expect(rule.FromPort).not.toBe(22);
    const roles = JSON.stringify(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] } } }));
    expect(roles).toContain(':iam::aws:policy/AmazonSSMManagedInstanceCore');
  });

  test('Elastic IP, attached data volume, logs with retention', () => {
    template.resourceCountIs('AWS::EC2::EIP', 1);
    template.resourceCountIs('AWS::EC2::EIPAssociation', 1);
    template.hasResourceProperties('AWS::EC2::VolumeAttachment', { Device: '/dev/sdf' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('user data mounts the volume, runs PostgreSQL on it and the app with the contract', () => {
    const script = userDataOf(template);
    expect(script).toContain('mkfs -t xfs');
    expect(script).toContain('/var/lib/scale-ladder/pgdata:/var/lib/postgresql/data');
    // The contract is read from the environment parameter at boot, never written into user data.
    expect(script).not.toContain('DATABASE_HOST');
    expect(script).toContain('aws ssm get-parameter');
    expect(script).toContain("'public.ecr.aws/docker/library/nginx:1.27'");
    const [parameter] = Object.values<any>(template.findResources('AWS::SSM::Parameter'));
    const value = JSON.stringify(parameter.Properties.Value);
    expect(value).toContain('DATABASE_HOST');
    expect(value).toContain('127.0.0.1');
    expect(value).toContain('DATABASE_PASSWORD');
  });

  test('the database password lives in Secrets Manager and is retained', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password', ExcludePunctuation: true }) },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('SingleServer after the database moved out (rung 10K)', () => {
  const { stack, vpc } = stackWithNetwork(false);
  const database = new SeparatedDatabase(stack, 'Database', { vpc });
  const environment = new AppEnvironment().set('DATABASE_HOST', database.cluster.clusterEndpoint.hostname).set('DATABASE_SSL', 'require');
  new SingleServer(stack, 'Server', {
    vpc,
    image,
    port: 80,
    hostsDatabase: false,
    environment,
    migrationTarget: { host: database.cluster.clusterEndpoint.hostname, port: '5432', secret: database.secret },
  });
  const template = Template.fromStack(stack);

  test('ships the SSM document that copies the data into the managed database and verifies row counts', () => {
    const [doc] = Object.values<any>(template.findResources('AWS::SSM::Document'));
    expect(doc.Properties.DocumentType).toBe('Command');
    const commands = JSON.stringify(doc.Properties.Content.mainSteps[0].inputs.runCommand);
    expect(commands).toContain('bash /work/copy-database.sh');
    expect(commands).toContain('checksums');
    // The app stops before the copy, restarts unchanged on failure, and is switched only after verification.
    expect(commands.indexOf('docker stop app')).toBeLessThan(commands.indexOf('bash /work/copy-database.sh'));
    expect(commands).toContain('docker start app');
    const afterCopy = commands.slice(commands.indexOf('bash /work/copy-database.sh'));
    expect(afterCopy.indexOf('run_app')).toBeLessThan(afterCopy.indexOf('SWITCHED=yes'));
    expect(afterCopy.indexOf('SWITCHED=yes')).toBeLessThan(afterCopy.indexOf('free_volume ||'));
    expect(commands).toContain('umount /var/lib/scale-ladder');
    template.hasOutput('*', { Value: { Ref: Match.stringLikeRegexp('ServerMigrateDatabase') } });
  });

  test('the environment parameter points the app at the managed database (read by the switch)', () => {
    const [parameter] = Object.values<any>(template.findResources('AWS::SSM::Parameter'));
    expect(JSON.stringify(parameter.Properties.Value)).toContain('require');
    expect(JSON.stringify(parameter.Properties.Value)).not.toContain('127.0.0.1');
  });
});

describe('a retired SingleServer', () => {
  const { stack, vpc } = stackWithNetwork(true);
  const server = new SingleServer(stack, 'Server', { vpc, image, port: 80, running: false });
  const template = Template.fromStack(stack);

  test('keeps only the data volume, its snapshots and the secret', () => {
    expect(server.instance).toBeUndefined();
    template.resourceCountIs('AWS::EC2::Instance', 0);
    template.resourceCountIs('AWS::EC2::EIPAssociation', 0); // the NAT gateways' addresses remain
    template.resourceCountIs('AWS::EC2::VolumeAttachment', 0);
    template.resourceCountIs('AWS::EC2::Volume', 1);
    template.resourceCountIs('AWS::DLM::LifecyclePolicy', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });
});

describe('SingleServer bad input', () => {
  test.each([
    [{ port: 0 }, 'port must be an integer 1-65535, got 0'],
    [{ dataVolumeGib: 4 }, 'dataVolumeGib must be an integer 8-16384, got 4'],
    [{ instanceType: 't3.small' }, "instanceType must be a Graviton (arm64) instance type such as t4g.small or m7g.large, got 't3.small'"],
    [{ logRetentionDays: 31 }, 'logRetentionDays must be one of'],
  ])('%j', (bad, message) => {
    const { stack, vpc } = stackWithNetwork(false);
    expect(() => new SingleServer(stack, 'Server', { vpc, image, port: 80, ...bad })).toThrow(message);
  });
});
