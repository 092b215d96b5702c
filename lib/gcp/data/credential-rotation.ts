import { CloudRunV2Job } from '@cdktf/provider-google/lib/cloud-run-v2-job';
import { CloudRunV2JobIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-job-iam-member';
import { CloudSchedulerJob } from '@cdktf/provider-google/lib/cloud-scheduler-job';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { CREDENTIAL_ROTATION_FIRST_RUN_AFTER_DAYS, CREDENTIAL_ROTATION_IMAGE, CREDENTIAL_ROTATION_SCHEDULE, CREDENTIAL_ROTATION_SCRIPT, CREDENTIAL_ROTATION_SQL_PERMISSIONS } from './credential-rotation-script';
import { utilityProviderOf } from './credentials';
import { requireIntInRange, requirePattern, ScaleLadderError } from '../../core/errors';
import { baseSettings, GcpBaseProps, labels, terraformLiteral } from '../internal/common';

/** One Cloud SQL instance and the secret that holds its `app` password. */
export interface CredentialRotationPair {
  /** The instance id (e.g. `SqlDatabaseInstance.name`). */
  readonly instance: string;
  /** The Secret Manager secret id (e.g. `SecretManagerSecret.secretId`) holding the instance's password. */
  readonly secretId: string;
}

/** Props of `CredentialRotation`. */
export interface CredentialRotationProps extends GcpBaseProps {
  /** The pairs, rotated one after the other in this order (1-64). Read replicas follow their primary: name primaries only. */
  readonly pairs: CredentialRotationPair[];
  /**
   * The PostgreSQL user whose password rotates.
   * @default 'app'
   */
  readonly databaseUser?: string;
  /**
   * When Cloud Scheduler starts a rotation (unix-cron, in UTC).
   * @default '0 5 1 * *' (05:00 UTC on the first of every month)
   */
  readonly schedule?: string;
  /**
   * Image with bash and gcloud. Cloud Run pulls from Artifact Registry and Docker Hub only
   * (cloud.google.com/run/docs/deploying, "Supported container registries and images"); the
   * Google Cloud CLI image is hosted in Artifact Registry under the gcr.io domain
   * (cloud.google.com/sdk/docs/downloads-docker).
   * @default 'gcr.io/google.com/cloudsdktool/google-cloud-cli:stable'
   */
  readonly image?: string;
  /**
   * Days after the rotation is first deployed before a run rotates anything: until then a run
   * (scheduled or by hand) exits without a change, as AWS's first rotation waits 30 days. It
   * leaves time for the 1K → 10K copy, which needs the server's password and the managed
   * database's to be the same (docs/credentials.md). 0-365.
   * @default 30
   */
  readonly firstRunAfterDays?: number;
}

/**
 * Rotates the app's database password on Google Cloud (docs/credentials.md): a Cloud Run job
 * (`<name>-rotate-credentials`) runs the shipped rotation script in the Google Cloud CLI image,
 * which for each (instance, secret) pair in order sets a new password on the instance
 * (`gcloud sql users set-password`, waiting for the operation) and then adds it as the secret's
 * next version, putting the instance back and stopping if the secret cannot take it. Cloud
 * Scheduler starts it monthly through the Cloud Run Admin API (`jobs.run`) with an OAuth token
 * of a second service account that may only run this job. Nothing runs at deploy.
 *
 * The job's service account (`<name>-rotation`) may, on exactly the given instances, update users
 * and read the instance (a custom role with `cloudsql.users.update` and `cloudsql.instances.get`,
 * granted per instance with an IAM condition on the instance's resource name: Cloud SQL, "Use IAM
 * Conditions"), and on exactly the given secrets add and read versions
 * (`roles/secretmanager.secretVersionAdder`, `roles/secretmanager.secretAccessor`: IAM, "Secret
 * Manager roles and permissions"). The project needs the Cloud Run Admin and Cloud Scheduler APIs.
 */
export class CredentialRotation extends Construct {
  /** The job. */
  public readonly job: CloudRunV2Job;
  /** The job's name. */
  public readonly jobName: string;
  /** The job's service account. */
  public readonly serviceAccount: ServiceAccount;
  /** The custom role granted on each instance. */
  public readonly sqlRole: ProjectIamCustomRole;
  /** The role's grants, one per instance (in `pairs` order). */
  public readonly sqlAccess: ProjectIamMember[] = [];
  /** Version add and access grants on each secret (in `pairs` order, adder then accessor). */
  public readonly secretAccess: SecretManagerSecretIamMember[] = [];
  /** The scheduler's service account. */
  public readonly schedulerServiceAccount: ServiceAccount;
  /** Its permission to run the job (`roles/run.invoker` on the job only). */
  public readonly schedulerInvoker: CloudRunV2JobIamMember;
  /** The monthly trigger. */
  public readonly scheduler: CloudSchedulerJob;
  /** Read access to every Cloud SQL instance and operation of the project (`roles/cloudsql.viewer`), unconditional. */
  public readonly sqlRead: ProjectIamMember;
  /** When the first rotation may run (hashicorp/time `time_offset` from the first apply; its `rfc3339` is the job's `NOT_BEFORE`). */
  public readonly firstRun: TerraformResource;

  constructor(scope: Construct, id: string, props: CredentialRotationProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const pairs = props.pairs;
    if (!Array.isArray(pairs) || pairs.length < 1 || pairs.length > 64) {
      throw new ScaleLadderError(`pairs must be 1-64 { instance, secretId } pairs, got ${JSON.stringify(pairs)}`);
    }
    const user = requirePattern('databaseUser', props.databaseUser ?? 'app', /^[a-z_][a-z0-9_]{0,62}$/, "a PostgreSQL user name such as 'app'");
    const schedule = requirePattern('schedule', props.schedule ?? CREDENTIAL_ROTATION_SCHEDULE, /^\S+( \S+){4}$/,
      "a unix-cron schedule of five fields such as '0 5 1 * *'");
    const image = requirePattern('image', props.image ?? CREDENTIAL_ROTATION_IMAGE, /^[a-z0-9][a-z0-9.\-_/:@]*[a-z0-9]$/i,
      `a container image reference with bash and gcloud such as '${CREDENTIAL_ROTATION_IMAGE}'`);
    const firstRunAfterDays = requireIntInRange('firstRunAfterDays', props.firstRunAfterDays ?? CREDENTIAL_ROTATION_FIRST_RUN_AFTER_DAYS, 0, 365);
    this.jobName = `${name}-rotate-credentials`;

    // base_rfc3339 "Defaults to the current time" and, like every attribute of the resource, is
    // kept in state from the first apply on (registry.terraform.io/providers/hashicorp/time,
    // time_offset): later applies do not move the first run.
    utilityProviderOf(TerraformStack.of(this), 'time');
    this.firstRun = new TerraformResource(this, 'FirstRun', {
      terraformResourceType: 'time_offset',
      terraformGeneratorMetadata: { providerName: 'time' },
    });
    this.firstRun.addOverride('offset_days', firstRunAfterDays);

    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
      project, accountId: `${name}-rotation`, displayName: `${name} credential rotation job`,
    });
    const member = `serviceAccount:${this.serviceAccount.email}`;
    this.sqlRole = new ProjectIamCustomRole(this, 'SqlRole', {
      project,
      roleId: `scaleLadder_${name.replace(/-/g, '_')}_credentialRotation`,
      title: `${name} credential rotation`,
      description: 'Set the app user\'s password on the instances the scale-ladder rotation job is granted (per instance, by condition).',
      permissions: [...CREDENTIAL_ROTATION_SQL_PERMISSIONS],
    });
    // gcloud waits for set-password's operation with operations.get, whose resource is the
    // project's operation, not the instance ("Cloud SQL Admin API", REST resource
    // v1.operations: GET projects/{project}/operations/{operation}), so the per-instance
    // condition below cannot cover it; the viewer role's cloudsql.*.get does ("Cloud SQL
    // roles", predefined roles table). Read-only.
    this.sqlRead = new ProjectIamMember(this, 'SqlRead', { project, role: 'roles/cloudsql.viewer', member });
    pairs.forEach((pair, i) => {
      // One grant per instance, each with its own condition: adding a shard adds a grant and
      // changes none (a condition is ForceNew: google/tpgiamresource/resource_iam_member.go).
      this.sqlAccess.push(new ProjectIamMember(this, `SqlAccess${i}`, {
        project,
        role: this.sqlRole.id,
        member,
        condition: {
          title: `rotate-${i}`,
          description: `Only the instance of rotation pair ${i}`,
          expression: `resource.name == "projects/${project}/instances/${pair.instance}" && resource.service == "sqladmin.googleapis.com"`,
        },
      }));
      for (const [cid, role] of [['Adder', 'roles/secretmanager.secretVersionAdder'], ['Accessor', 'roles/secretmanager.secretAccessor']]) {
        this.secretAccess.push(new SecretManagerSecretIamMember(this, `Secret${i}${cid}`, { project, secretId: pair.secretId, role, member }));
      }
    });

    this.job = new CloudRunV2Job(this, 'Job', {
      project,
      name: this.jobName,
      location: region,
      deletionProtection: false,
      labels: labels(name, 'credentials'),
      template: {
        taskCount: 1,
        parallelism: 1,
        template: {
          serviceAccount: this.serviceAccount.email,
          // A retried task would start again at the first pair: a failed run is read, not repeated.
          maxRetries: 0,
          timeout: '3600s',
          containers: [{
            image,
            command: ['bash', '-c'],
            args: [terraformLiteral(CREDENTIAL_ROTATION_SCRIPT)],
            resources: { limits: { cpu: '1', memory: '512Mi' } },
            env: [
              { name: 'ROTATION_PAIRS', value: pairs.map(p => `${p.instance}=${p.secretId}`).join(' ') },
              { name: 'DATABASE_USER', value: user },
              { name: 'PROJECT', value: project },
              { name: 'NOT_BEFORE', value: this.firstRun.getStringAttribute('rfc3339') },
            ],
          }],
        },
      },
      dependsOn: [this.sqlRead, ...this.sqlAccess, ...this.secretAccess],
    });

    this.schedulerServiceAccount = new ServiceAccount(this, 'SchedulerServiceAccount', {
      project, accountId: `${name}-rot-sched`, displayName: `${name} credential rotation schedule`,
    });
    this.schedulerInvoker = new CloudRunV2JobIamMember(this, 'SchedulerInvoker', {
      project, location: region, name: this.job.name, role: 'roles/run.invoker', member: `serviceAccount:${this.schedulerServiceAccount.email}`,
    });
    // Cloud Scheduler calls jobs.run (POST .../jobs/<job>:run, Cloud Run Admin API v2) at the
    // schedule's next time: nothing runs when Terraform creates it. No retries: a second run
    // while the first is still rotating would race it on the same pair.
    this.scheduler = new CloudSchedulerJob(this, 'Schedule', {
      project,
      region,
      name: `${name}-rotate-credentials`,
      description: 'Monthly scale-ladder database credential rotation (docs/credentials.md)',
      schedule,
      timeZone: 'Etc/UTC',
      attemptDeadline: '180s',
      retryConfig: { retryCount: 0 },
      httpTarget: {
        httpMethod: 'POST',
        uri: `https://run.googleapis.com/v2/projects/${project}/locations/${region}/jobs/${this.jobName}:run`,
        oauthToken: { serviceAccountEmail: this.schedulerServiceAccount.email, scope: 'https://www.googleapis.com/auth/cloud-platform' },
      },
      dependsOn: [this.schedulerInvoker],
    });
  }
}
