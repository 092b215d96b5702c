import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from 'constructs';
import { requireIntInRange, requireNumberInRange, requireOneOf } from '../../core/errors';
import { DeploymentStyle } from '../../core/tier-spec';
import { labels } from '../internal/common';
import { Network } from '../network/network';

/*
 * Cloud Run building blocks shared by StatelessFleet, QueueWorkers and GeoRoutedRegions.
 * Internal: not exported from the package.
 */

/**
 * Ingress of every Cloud Run service behind the load balancer (from rung 100K, the rung with the
 * load balancer): internal traffic and Cloud Load Balancing only; every ingress path, the run.app
 * URL included, is subject to it ("Restrict network ingress for Cloud Run", Cloud Run
 * documentation). In hashicorp/terraform-provider-google v6 (v6.50.0, which @cdktf/provider-google
 * 16.12 wraps), google_cloud_run_v2_service's `ingress` is Optional+Computed without ForceNew
 * (google/services/cloudrunv2/resource_cloud_run_v2_service.go, schema), and
 * resourceCloudRunV2ServiceUpdate sends it in the service's PATCH: changing it updates the
 * service in place, with no new revision and no replacement.
 */
export const LOAD_BALANCER_INGRESS = 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER';

/** Cloud Run's allowed whole-vCPU sizes. */
export const CLOUD_RUN_CPUS = [1, 2, 4, 6, 8];
/** Cloud Run's per-service instance ceiling the library accepts (a quota raise may be needed above 100). */
export const CLOUD_RUN_MAX_INSTANCES = 1000;

export interface RunServiceOptions {
  readonly project: string;
  readonly region: string;
  readonly appName: string;
  readonly layer: string;
  readonly serviceName: string;
  readonly network: Network;
  readonly serviceAccountEmail: string;
  readonly image: string;
  readonly port: number;
  readonly healthCheckPath: string;
  readonly vcpu: number;
  readonly memoryGib: number;
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly concurrency: number;
  /** LOAD_BALANCER_INGRESS for services behind the load balancer; INGRESS_TRAFFIC_INTERNAL_ONLY for push-only workers. */
  readonly ingress: typeof LOAD_BALANCER_INGRESS | 'INGRESS_TRAFFIC_INTERNAL_ONLY';
  readonly deployment: DeploymentStyle;
  readonly environment: Record<string, string>;
  readonly secretEnvironment: Record<string, string>;
}

export interface RunSizing {
  readonly vcpu: number;
  readonly memoryGib: number;
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly concurrency: number;
}

export function checkRunSizing(o: RunSizing, prefix: string) {
  requireOneOf(`${prefix}Vcpu`, o.vcpu, CLOUD_RUN_CPUS);
  requireNumberInRange(`${prefix}MemoryGib`, o.memoryGib, 0.5, 32);
  requireIntInRange(`${prefix}MaxInstances`, o.maxInstances, 1, CLOUD_RUN_MAX_INSTANCES);
  requireIntInRange(`${prefix}MinInstances`, o.minInstances, 0, o.maxInstances);
  requireIntInRange(`${prefix}Concurrency`, o.concurrency, 1, 1000);
}

function sortedEntries(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

/** A Cloud Run v2 service with direct VPC egress, probes, autoscaling bounds and secrets from Secret Manager. */
export function runService(scope: Construct, id: string, o: RunServiceOptions): CloudRunV2Service {
  // Cloud Run sets PORT itself (to the container port); it may not be given.
  const env = sortedEntries(o.environment).filter(([k]) => k !== 'PORT').map(([name, value]) => ({ name, value }));
  const secretEnv = sortedEntries(o.secretEnvironment).map(([name, secret]) => ({
    name, valueSource: { secretKeyRef: { secret, version: 'latest' } },
  }));
  const probe = { httpGet: { path: o.healthCheckPath, port: o.port } };
  return new CloudRunV2Service(scope, id, {
    project: o.project,
    name: o.serviceName,
    location: o.region,
    ingress: o.ingress,
    deletionProtection: false,
    labels: { ...labels(o.appName, o.layer), deployment: o.deployment.toLowerCase() },
    template: {
      serviceAccount: o.serviceAccountEmail,
      maxInstanceRequestConcurrency: o.concurrency,
      timeout: '60s',
      scaling: { minInstanceCount: o.minInstances, maxInstanceCount: o.maxInstances },
      vpcAccess: {
        egress: 'PRIVATE_RANGES_ONLY',
        networkInterfaces: [{ network: o.network.vpc.id, subnetwork: o.network.subnetIn(o.region).id }],
      },
      containers: [{
        image: o.image,
        ports: { containerPort: o.port },
        resources: {
          limits: { cpu: String(o.vcpu), memory: `${o.memoryGib}Gi` },
          startupCpuBoost: true,
        },
        startupProbe: { ...probe, initialDelaySeconds: 0, periodSeconds: 5, failureThreshold: 24, timeoutSeconds: 3 },
        livenessProbe: { ...probe, periodSeconds: 15, failureThreshold: 3, timeoutSeconds: 3 },
        env: [...env, ...secretEnv],
      }],
    },
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    // Canary: new revisions are deployed with --no-traffic and promoted by
    // `gcloud run services update-traffic`; Terraform leaves the split alone.
    lifecycle: o.deployment === DeploymentStyle.CANARY ? { ignoreChanges: ['traffic', 'client', 'client_version'] } : undefined,
  });
}

/** A service account with the project roles every app runtime needs, and read access to `secrets`. */
export interface IdentityOptions {
  readonly project: string;
  readonly accountId: string;
  readonly displayName: string;
  readonly roles: string[];
  /** Variable name → secret id. */
  readonly secrets: Record<string, string>;
}

export function runtimeIdentity(scope: Construct, o: IdentityOptions) {
  const serviceAccount = new ServiceAccount(scope, 'ServiceAccount', {
    project: o.project, accountId: o.accountId, displayName: o.displayName,
  });
  const member = `serviceAccount:${serviceAccount.email}`;
  const projectRoles = o.roles.map(role => new ProjectIamMember(scope, `Role-${role.replace('roles/', '')}`, { project: o.project, role, member }));
  // One binding per secret, named after the first variable (by name) that reads it, so the
  // addresses do not shift when a rung adds variables.
  const seen = new Set<string>();
  const secretAccess: SecretManagerSecretIamMember[] = [];
  for (const [envName, secret] of sortedEntries(o.secrets)) {
    if (seen.has(secret)) continue;
    seen.add(secret);
    secretAccess.push(new SecretManagerSecretIamMember(scope, `SecretAccess-${envName}`, {
      project: o.project, secretId: secret, role: 'roles/secretmanager.secretAccessor', member,
    }));
  }
  return { serviceAccount, member, projectRoles, secretAccess };
}
