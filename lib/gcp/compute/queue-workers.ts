import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { checkRunSizing, runService, runtimeIdentity } from './cloud-run';
import { requireIntInRange, requirePattern } from '../../core/errors';
import { DeploymentStyle } from '../../core/tier-spec';
import { requireImageReference } from '../../core/validation';
import { baseSettings, GcpBaseProps, labels, PROTECT } from '../internal/common';
import { Network } from '../network/network';

/** Props of `QueueWorkers`. */
export interface QueueWorkersProps extends GcpBaseProps {
  /** The network (workers reach the databases and the cache through direct VPC egress). */
  readonly network: Network;
  /**
   * The workers' container image (the app image in worker mode, typically): a registry reference
   * Cloud Run pulls. A string, not AWS's `AppImage`: cdktf builds no container assets.
   */
  readonly image: string;
  /**
   * The port the workers listen on for pushed messages.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Path Pub/Sub pushes work messages to (event-stream messages go to `<path>events`).
   * @default '/'
   */
  readonly pushPath?: string;
  /**
   * Path of the workers' health check.
   * @default '/'
   */
  readonly healthCheckPath?: string;
  /**
   * Fewest worker instances.
   * @default 1
   */
  readonly minInstances?: number;
  /**
   * Most worker instances (1-1000).
   * @default 20
   */
  readonly maxInstances?: number;
  /**
   * Messages one worker instance handles at once; Cloud Run adds instances as the pushed backlog
   * exceeds it (1-1000).
   * @default 100
   */
  readonly messagesPerWorker?: number;
  /**
   * Deliveries of one message before it goes to the dead-letter topic (5-100).
   * @default 5
   */
  readonly maxDeliveryAttempts?: number;
  /**
   * Also create an ordered event stream (a second topic pushed to the workers).
   * @default false
   */
  readonly eventStream?: boolean;
  /**
   * Plain environment variables for the workers.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Variables from Secret Manager: name → secret id.
   * @default - none
   */
  readonly secretEnvironment?: Record<string, string>;
  /**
   * Members (`serviceAccount:…`) allowed to publish work and events (the app's runtime account).
   * @default - none
   */
  readonly publishers?: string[];
}

/**
 * Rung 10M: a Pub/Sub work topic pushed (OIDC-authenticated) to Cloud Run workers reachable only
 * internally, with retries, a dead-letter topic (plus a subscription that keeps dead letters for
 * inspection) and the IAM the Pub/Sub service agent needs; from 100M an ordered event stream too.
 */
export class QueueWorkers extends Construct {
  /** The work topic (`QUEUE_URL`). */
  public readonly topic: PubsubTopic;
  /** The dead-letter topic. */
  public readonly deadLetterTopic: PubsubTopic;
  /** Keeps dead letters for 7 days so they can be inspected and replayed. */
  public readonly deadLetterSubscription: PubsubSubscription;
  /** Pushes work to the workers. */
  public readonly subscription: PubsubSubscription;
  /** The event stream topic, from 100M. */
  public readonly eventTopic?: PubsubTopic;
  /** Pushes events (in order per ordering key) to the workers, from 100M. */
  public readonly eventSubscription?: PubsubSubscription;
  /** The workers. */
  public readonly service: CloudRunV2Service;
  /** The workers' runtime service account. */
  public readonly serviceAccount: ServiceAccount;
  /** The identity Pub/Sub pushes as. */
  public readonly pushServiceAccount: ServiceAccount;
  /** Project roles of the workers. */
  public readonly projectRoles: ProjectIamMember[];
  /** Secret read access of the workers. */
  public readonly secretAccess: SecretManagerSecretIamMember[];
  /** IAM the push and dead-lettering need. */
  public readonly iamBindings: TerraformResource[] = [];
  /** The project (for the Pub/Sub service agent's number; read at plan time). */
  public readonly projectData: DataGoogleProject;

  constructor(scope: Construct, id: string, props: QueueWorkersProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const port = requireIntInRange('port', props.port ?? 8080, 1, 65535);
    const pushPath = requirePattern('pushPath', props.pushPath ?? '/', /^\/([A-Za-z0-9._~-]+\/)*$/, "an absolute path ending in '/' such as '/tasks/'");
    const attempts = requireIntInRange('maxDeliveryAttempts', props.maxDeliveryAttempts ?? 5, 5, 100);
    requireImageReference('image', props.image);
    const sizing = {
      vcpu: 1,
      memoryGib: 1,
      minInstances: props.minInstances ?? 1,
      maxInstances: props.maxInstances ?? 20,
      concurrency: props.messagesPerWorker ?? 100,
    };
    checkRunSizing(sizing, 'worker');

    this.projectData = new DataGoogleProject(this, 'Project', { projectId: project });
    const pubsubAgent = `serviceAccount:service-${this.projectData.number}@gcp-sa-pubsub.iam.gserviceaccount.com`;

    const topic = (cid: string, topicName: string) => new PubsubTopic(this, cid, {
      project, name: topicName, messageRetentionDuration: '604800s', labels: labels(name, 'QueueWorkers'), lifecycle: PROTECT,
    });
    this.topic = topic('Topic', `${name}-work`);
    this.deadLetterTopic = topic('DeadLetterTopic', `${name}-dead-letter`);
    this.deadLetterSubscription = new PubsubSubscription(this, 'DeadLetterSubscription', {
      project,
      name: `${name}-dead-letter-hold`,
      topic: this.deadLetterTopic.id,
      messageRetentionDuration: '604800s',
      retainAckedMessages: true,
      expirationPolicy: { ttl: '' },
      labels: labels(name, 'QueueWorkers'),
      lifecycle: PROTECT,
    });

    const identity = runtimeIdentity(this, {
      project,
      accountId: `${name}-worker`,
      displayName: `${name} queue workers`,
      roles: ['roles/logging.logWriter', 'roles/monitoring.metricWriter', 'roles/cloudtrace.agent'],
      secrets: props.secretEnvironment ?? {},
    });
    this.serviceAccount = identity.serviceAccount;
    this.projectRoles = identity.projectRoles;
    this.secretAccess = identity.secretAccess;

    this.service = runService(this, 'Service', {
      project,
      region,
      appName: name,
      layer: 'QueueWorkers',
      serviceName: `${name}-worker`,
      network: props.network,
      serviceAccountEmail: this.serviceAccount.email,
      image: props.image,
      port,
      healthCheckPath: props.healthCheckPath ?? '/',
      ...sizing,
      ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
      deployment: DeploymentStyle.ROLLING,
      environment: { ...(props.environment ?? {}), APP_ROLE: 'worker' },
      secretEnvironment: props.secretEnvironment ?? {},
    });

    this.pushServiceAccount = new ServiceAccount(this, 'PushServiceAccount', {
      project, accountId: `${name}-push`, displayName: `${name} Pub/Sub push identity`,
    });
    const pushMember = `serviceAccount:${this.pushServiceAccount.email}`;
    this.iamBindings.push(new CloudRunV2ServiceIamMember(this, 'PushInvoker', {
      project, location: region, name: this.service.name, role: 'roles/run.invoker', member: pushMember,
    }));
    this.iamBindings.push(new ServiceAccountIamMember(this, 'PushTokenCreator', {
      serviceAccountId: this.pushServiceAccount.name, role: 'roles/iam.serviceAccountTokenCreator', member: pubsubAgent,
    }));
    this.iamBindings.push(new PubsubTopicIamMember(this, 'DeadLetterPublisher', {
      project, topic: this.deadLetterTopic.name, role: 'roles/pubsub.publisher', member: pubsubAgent,
    }));

    const pushSubscription = (cid: string, subName: string, topicRef: PubsubTopic, path: string, ordered: boolean) => {
      const sub = new PubsubSubscription(this, cid, {
        project,
        name: subName,
        topic: topicRef.id,
        ackDeadlineSeconds: 60,
        messageRetentionDuration: '604800s',
        enableMessageOrdering: ordered,
        expirationPolicy: { ttl: '' },
        retryPolicy: { minimumBackoff: '10s', maximumBackoff: '600s' },
        deadLetterPolicy: { deadLetterTopic: this.deadLetterTopic.id, maxDeliveryAttempts: attempts },
        pushConfig: {
          pushEndpoint: `${this.service.uri}${path}`,
          oidcToken: { serviceAccountEmail: this.pushServiceAccount.email },
        },
        labels: labels(name, 'QueueWorkers'),
        lifecycle: PROTECT,
      });
      this.iamBindings.push(new PubsubSubscriptionIamMember(this, `${cid}DeadLetterSubscriber`, {
        project, subscription: sub.name, role: 'roles/pubsub.subscriber', member: pubsubAgent,
      }));
      return sub;
    };
    this.subscription = pushSubscription('Subscription', `${name}-work-workers`, this.topic, pushPath, false);

    const topics = [['Topic', this.topic]] as Array<[string, PubsubTopic]>;
    if (props.eventStream) {
      this.eventTopic = topic('EventTopic', `${name}-events`);
      this.eventSubscription = pushSubscription('EventSubscription', `${name}-events-workers`, this.eventTopic, `${pushPath}events`, true);
      topics.push(['EventTopic', this.eventTopic]);
    }
    (props.publishers ?? []).forEach((member, i) => {
      for (const [cid, t] of topics) {
        this.iamBindings.push(new PubsubTopicIamMember(this, `${cid}Publisher${i}`, {
          project, topic: t.name, role: 'roles/pubsub.publisher', member,
        }));
      }
    });
  }
}
