import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { ComputeBackendService } from '@cdktf/provider-google/lib/compute-backend-service';
import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ComputeGlobalForwardingRule } from '@cdktf/provider-google/lib/compute-global-forwarding-rule';
import { ComputeManagedSslCertificate } from '@cdktf/provider-google/lib/compute-managed-ssl-certificate';
import { ComputeRegionNetworkEndpointGroup } from '@cdktf/provider-google/lib/compute-region-network-endpoint-group';
import { ComputeSslPolicy } from '@cdktf/provider-google/lib/compute-ssl-policy';
import { ComputeTargetHttpProxy } from '@cdktf/provider-google/lib/compute-target-http-proxy';
import { ComputeTargetHttpsProxy } from '@cdktf/provider-google/lib/compute-target-https-proxy';
import { ComputeUrlMap } from '@cdktf/provider-google/lib/compute-url-map';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from 'constructs';
import { checkRunSizing, LOAD_BALANCER_INGRESS, runService, runtimeIdentity } from './cloud-run';
import { requireIntInRange, requireOneOf, requirePattern } from '../../core/errors';
import { DeploymentStyle } from '../../core/tier-spec';
import { requireImageReference } from '../../core/validation';
import { CdnEdge } from '../edge/cdn-edge';
import { baseSettings, GcpBaseProps, requireDomain } from '../internal/common';
import { Network } from '../network/network';

/** Props of `StatelessFleet`. */
export interface StatelessFleetProps extends GcpBaseProps {
  /** The network (direct VPC egress into the region's subnet reaches Cloud SQL and Memorystore). */
  readonly network: Network;
  /**
   * The app's container image: a registry reference such as `us-docker.pkg.dev/my-project/app/web:1.4.2`
   * (pinned to a tag or digest), which Cloud Run pulls. A string, not AWS's `AppImage`: cdktf builds
   * no container assets, so push the image to a registry first.
   */
  readonly image: string;
  /**
   * The port the app listens on (Cloud Run passes it as PORT).
   * @default 8080
   */
  readonly port?: number;
  /**
   * Path of the app's health check (startup and liveness probes).
   * @default '/'
   */
  readonly healthCheckPath?: string;
  /**
   * vCPUs per instance (1, 2, 4, 6 or 8).
   * @default 1
   */
  readonly vcpu?: number;
  /**
   * Memory per instance in GiB (0.5-32).
   * @default 2
   */
  readonly memoryGib?: number;
  /**
   * Fewest instances (kept warm).
   * @default 2
   */
  readonly minInstances?: number;
  /**
   * Most instances (1-1000).
   * @default 10
   */
  readonly maxInstances?: number;
  /**
   * Concurrent requests one instance takes before Cloud Run adds instances (1-1000).
   * @default 60
   */
  readonly concurrency?: number;
  /**
   * How new revisions roll out.
   * @default DeploymentStyle.ROLLING
   */
  readonly deployment?: DeploymentStyle;
  /**
   * A domain for the load balancer: a Google-managed certificate, HTTPS on 443 (TLS 1.2+) and a
   * redirect from HTTP. Point the domain's A record at `address`.
   * @default - HTTP only on the load balancer's IP
   */
  readonly domainName?: string;
  /**
   * The edge (CDN policy, Cloud Armor, static bucket under `/static/`).
   * @default - no CDN, no Cloud Armor
   */
  readonly edge?: CdnEdge;
  /**
   * Plain environment variables for the app.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Variables from Secret Manager: name → secret id. The runtime service account may read exactly these.
   * @default - none
   */
  readonly secretEnvironment?: Record<string, string>;
  /**
   * Extra project roles for the runtime service account (tracing, for example).
   * @default - logging and monitoring writers only
   */
  readonly extraRoles?: string[];
}

/**
 * Rung 100K: the app as a Cloud Run v2 service (ingress LOAD_BALANCER_INGRESS: internal
 * traffic and the load balancer only, so the run.app URL is closed to the internet and the
 * `allUsers` invoker binding serves the load balancer's requests; "Restrict network ingress
 * for Cloud Run", Cloud Run documentation; autoscaling bounds, startup/liveness probes, direct VPC egress) behind a global external
 * Application Load Balancer through a serverless NEG; managed certificate, HTTPS and an
 * HTTP→HTTPS redirect when a domain is given. Further regions join the same backend service.
 */
export class StatelessFleet extends Construct {
  /** The Cloud Run service in the primary region. */
  public readonly service: CloudRunV2Service;
  /** The runtime service account (shared by the app's services in every region). */
  public readonly serviceAccount: ServiceAccount;
  /** Project roles of the runtime service account. */
  public readonly projectRoles: ProjectIamMember[];
  /** Read access to each secret the app reads. */
  public readonly secretAccess: SecretManagerSecretIamMember[];
  /** Lets the load balancer reach the service (ingress is restricted to the load balancer). */
  public readonly invoker: CloudRunV2ServiceIamMember;
  /** The serverless NEG of the primary region. */
  public readonly neg: ComputeRegionNetworkEndpointGroup;
  /** The load balancer's backend service. */
  public readonly backendService: ComputeBackendService;
  /** The URL map. */
  public readonly urlMap: ComputeUrlMap;
  /** The global anycast IP. */
  public readonly address: ComputeGlobalAddress;
  /** The HTTP proxy (redirects to HTTPS when a domain is given). */
  public readonly httpProxy: ComputeTargetHttpProxy;
  /** The HTTP forwarding rule (port 80). */
  public readonly httpForwardingRule: ComputeGlobalForwardingRule;
  /** HTTP→HTTPS redirect, when a domain is given. */
  public readonly redirectUrlMap?: ComputeUrlMap;
  /** The managed certificate, when a domain is given. */
  public readonly certificate?: ComputeManagedSslCertificate;
  /** TLS 1.2+ policy, when a domain is given. */
  public readonly sslPolicy?: ComputeSslPolicy;
  /** The HTTPS proxy, when a domain is given. */
  public readonly httpsProxy?: ComputeTargetHttpsProxy;
  /** The HTTPS forwarding rule (port 443), when a domain is given. */
  public readonly httpsForwardingRule?: ComputeGlobalForwardingRule;
  /** The URL users reach the app at. */
  public readonly url: string;

  private readonly backendGroups: string[] = [];

  constructor(scope: Construct, id: string, props: StatelessFleetProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const port = requireIntInRange('port', props.port ?? 8080, 1, 65535);
    const healthCheckPath = requirePattern('healthCheckPath', props.healthCheckPath ?? '/', /^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/, "an absolute URL path such as '/healthz'");
    if (props.domainName !== undefined) requireDomain(props.domainName);
    const sizing = {
      vcpu: props.vcpu ?? 1,
      memoryGib: props.memoryGib ?? 2,
      minInstances: props.minInstances ?? 2,
      maxInstances: props.maxInstances ?? 10,
      concurrency: props.concurrency ?? 60,
    };
    checkRunSizing(sizing, 'fleet');
    requireImageReference('image', props.image);
    requireOneOf('deployment', props.deployment ?? DeploymentStyle.ROLLING, Object.values(DeploymentStyle));

    const identity = runtimeIdentity(this, {
      project,
      accountId: `${name}-run`,
      displayName: `${name} app runtime`,
      roles: ['roles/logging.logWriter', 'roles/monitoring.metricWriter', ...(props.extraRoles ?? [])],
      secrets: props.secretEnvironment ?? {},
    });
    this.serviceAccount = identity.serviceAccount;
    this.projectRoles = identity.projectRoles;
    this.secretAccess = identity.secretAccess;

    this.service = runService(this, 'Service', {
      project,
      region,
      appName: name,
      layer: 'StatelessFleet',
      serviceName: `${name}-web`,
      network: props.network,
      serviceAccountEmail: this.serviceAccount.email,
      image: props.image,
      port,
      healthCheckPath,
      ...sizing,
      ingress: LOAD_BALANCER_INGRESS,
      deployment: props.deployment ?? DeploymentStyle.ROLLING,
      environment: props.environment ?? {},
      secretEnvironment: props.secretEnvironment ?? {},
    });
    this.invoker = new CloudRunV2ServiceIamMember(this, 'LoadBalancerInvoker', {
      project, location: region, name: this.service.name, role: 'roles/run.invoker', member: 'allUsers',
    });

    this.neg = new ComputeRegionNetworkEndpointGroup(this, 'Neg', {
      project,
      name: `${name}-neg-${region}`,
      region,
      networkEndpointType: 'SERVERLESS',
      cloudRun: { service: this.service.name },
    });
    this.backendGroups.push(this.neg.id);

    const edge = props.edge;
    this.backendService = new ComputeBackendService(this, 'BackendService', {
      project,
      name: `${name}-backend`,
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      protocol: 'HTTPS',
      backend: [{ group: this.neg.id }],
      logConfig: { enable: true, sampleRate: 1 },
      enableCdn: edge !== undefined,
      cdnPolicy: edge?.appCdnPolicy,
      securityPolicy: edge?.securityPolicy.selfLink,
    });

    this.urlMap = new ComputeUrlMap(this, 'UrlMap', {
      project,
      name: `${name}-urlmap`,
      defaultService: this.backendService.id,
      hostRule: edge ? [{ hosts: ['*'], pathMatcher: 'app' }] : undefined,
      pathMatcher: edge ? [{
        name: 'app',
        defaultService: this.backendService.id,
        pathRule: [{ paths: ['/static/*'], service: edge.backendBucket.id }],
      }] : undefined,
    });

    this.address = new ComputeGlobalAddress(this, 'Address', {
      project, name: `${name}-lb-ip`, addressType: 'EXTERNAL', ipVersion: 'IPV4',
    });

    if (props.domainName) {
      this.redirectUrlMap = new ComputeUrlMap(this, 'RedirectUrlMap', {
        project,
        name: `${name}-https-redirect`,
        defaultUrlRedirect: { httpsRedirect: true, stripQuery: false, redirectResponseCode: 'MOVED_PERMANENTLY_DEFAULT' },
      });
      this.certificate = new ComputeManagedSslCertificate(this, 'Certificate', {
        project,
        name: `${name}-cert`,
        managed: { domains: [props.domainName] },
        lifecycle: { createBeforeDestroy: true },
      });
      this.sslPolicy = new ComputeSslPolicy(this, 'SslPolicy', {
        project, name: `${name}-tls`, profile: 'MODERN', minTlsVersion: 'TLS_1_2',
      });
      this.httpsProxy = new ComputeTargetHttpsProxy(this, 'HttpsProxy', {
        project,
        name: `${name}-https-proxy`,
        urlMap: this.urlMap.id,
        sslCertificates: [this.certificate.id],
        sslPolicy: this.sslPolicy.id,
      });
      this.httpsForwardingRule = new ComputeGlobalForwardingRule(this, 'HttpsForwardingRule', {
        project,
        name: `${name}-https`,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        ipAddress: this.address.address,
        ipProtocol: 'TCP',
        portRange: '443',
        target: this.httpsProxy.id,
      });
    }
    this.httpProxy = new ComputeTargetHttpProxy(this, 'HttpProxy', {
      project,
      name: `${name}-http-proxy`,
      urlMap: (this.redirectUrlMap ?? this.urlMap).id,
    });
    this.httpForwardingRule = new ComputeGlobalForwardingRule(this, 'HttpForwardingRule', {
      project,
      name: `${name}-http`,
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      ipAddress: this.address.address,
      ipProtocol: 'TCP',
      portRange: '80',
      target: this.httpProxy.id,
    });
    this.url = props.domainName ? `https://${props.domainName}` : `http://${this.address.address}`;
  }

  /** Adds a serverless NEG of another region to the load balancer's backend service. */
  public addBackend(neg: ComputeRegionNetworkEndpointGroup): void {
    this.backendGroups.push(neg.id);
    this.backendService.putBackend(this.backendGroups.map(group => ({ group })));
  }
}
