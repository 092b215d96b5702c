import { ComputeAddress } from '@cdktf/provider-google/lib/compute-address';
import { ComputeDisk } from '@cdktf/provider-google/lib/compute-disk';
import { ComputeDiskResourcePolicyAttachment } from '@cdktf/provider-google/lib/compute-disk-resource-policy-attachment';
import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import { ComputeInstance } from '@cdktf/provider-google/lib/compute-instance';
import { ComputeResourcePolicy } from '@cdktf/provider-google/lib/compute-resource-policy';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from 'constructs';
import { serverMetadata, serverStartupScript } from './startup-script';
import { requireIntInRange, requirePattern } from '../../core/errors';
import { requireImageReference } from '../../core/validation';
import { baseSettings, GcpBaseProps, IAP_RANGE, labels, PROTECT } from '../internal/common';
import { Network } from '../network/network';
import { zonesOf } from '../network/regions';

/** Props of `SingleServer`. */
export interface SingleServerProps extends GcpBaseProps {
  /** The network (the server goes into the primary region's subnet). */
  readonly network: Network;
  /** The app's container image, e.g. `gcr.io/google-samples/hello-app:2.0`. */
  readonly image: string;
  /**
   * The port the app listens on.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Whether the VM runs. Once a fleet takes over it retires; its data disk (and the disk's
   * snapshot schedule) stay, protected, at the same address.
   * @default true
   */
  readonly running?: boolean;
  /**
   * Whether PostgreSQL runs on the VM, on the data disk. When it turns false while the disk
   * still holds the local database, the VM's startup script copies it into the managed
   * database (`environment.DATABASE_HOST`) once and marks the disk as migrated.
   * @default true
   */
  readonly hostsDatabase?: boolean;
  /**
   * Compute Engine machine type.
   * @default 'e2-small'
   */
  readonly machineType?: string;
  /**
   * Size of the PostgreSQL data disk in GiB (10-65536; it can only grow).
   * @default 20
   */
  readonly dataDiskGib?: number;
  /**
   * Days the daily snapshots of the data disk are kept (1-365).
   * @default 14
   */
  readonly snapshotRetentionDays?: number;
  /**
   * The zone of the VM and its disk; part of the disk's identity, so never change it.
   * @default - the first zone of `region`
   */
  readonly zone?: string;
  /**
   * A domain whose DNS points at the server's static IP: the server then gets a certificate
   * (Caddy, Let's Encrypt), serves HTTPS and redirects HTTP to it.
   * @default - plain HTTP on port 80
   */
  readonly domainName?: string;
  /**
   * Plain environment variables for the app.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Environment variables read from Secret Manager at boot: variable name → secret id
   * (`projects/P/secrets/S`). The server's service account gets read access to exactly these.
   * @default - none
   */
  readonly secretEnvironment?: Record<string, string>;
  /**
   * The managed database's password secret, for the one-time copy when the database moves off
   * the server; defaults to `secretEnvironment.DATABASE_PASSWORD`.
   * @default - secretEnvironment.DATABASE_PASSWORD
   */
  readonly databasePasswordSecret?: string;
}

/**
 * Rung 1K: one Container-Optimized OS VM running the app container and PostgreSQL 16, the
 * database on a separate persistent disk with a daily snapshot schedule and
 * `prevent_destroy`; a static IP; OS Login and SSH only through IAP.
 */
export class SingleServer extends Construct {
  /** The PostgreSQL data disk (kept on every rung, protected). */
  public readonly dataDisk: ComputeDisk;
  /** The daily snapshot schedule of the data disk. */
  public readonly snapshotSchedule: ComputeResourcePolicy;
  /** Attaches the schedule to the disk. */
  public readonly snapshotScheduleAttachment: ComputeDiskResourcePolicyAttachment;
  /** The VM, while it runs. */
  public readonly instance?: ComputeInstance;
  /**
   * The static external IP: the app's public entry point while the VM runs. Declared and
   * protected on every rung, also after the VM retires, so that a climb never releases the
   * address a DNS record (or a client's cache) may still point at.
   */
  public readonly address: ComputeAddress;
  /** The VM's service account, while the VM runs. */
  public readonly serviceAccount?: ServiceAccount;
  /** Firewall rules (IAP SSH, web), while the VM runs. */
  public readonly firewallRules: ComputeFirewall[] = [];
  /** Project-level roles of the VM's service account (logging, monitoring, image pull). */
  public readonly projectRoles: ProjectIamMember[] = [];
  /** Read access to each secret the VM reads. */
  public readonly secretAccess: SecretManagerSecretIamMember[] = [];
  /** The zone of the VM and disk. */
  public readonly zone: string;

  constructor(scope: Construct, id: string, props: SingleServerProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const zone = props.zone ?? zonesOf(region)[0];
    if (props.zone !== undefined) requirePattern('zone', zone, new RegExp(`^${region}-[a-z]$`), `a zone of ${region} (${region}-a … ${region}-z)`);
    this.zone = zone;
    const port = requireIntInRange('port', props.port ?? 8080, 1, 65535);
    const dataDiskGib = requireIntInRange('dataDiskGib', props.dataDiskGib ?? 20, 10, 65536);
    const retention = requireIntInRange('snapshotRetentionDays', props.snapshotRetentionDays ?? 14, 1, 365);
    requireImageReference('image', props.image);
    if (props.machineType !== undefined) {
      requirePattern('machineType', props.machineType, /^[a-z][a-z0-9]*-[a-z0-9]+(-[a-z0-9]+)*$/, "a Compute Engine machine type such as 'e2-small' or 't2a-standard-1'");
    }
    const running = props.running ?? true;
    const hostsDatabase = props.hostsDatabase ?? true;

    this.dataDisk = new ComputeDisk(this, 'DataDisk', {
      project,
      name: `${name}-pgdata`,
      zone,
      type: 'pd-balanced',
      size: dataDiskGib,
      createSnapshotBeforeDestroy: true,
      labels: labels(name, 'SingleServer'),
      lifecycle: PROTECT,
    });
    this.snapshotSchedule = new ComputeResourcePolicy(this, 'SnapshotSchedule', {
      project,
      name: `${name}-pgdata-daily`,
      region,
      snapshotSchedulePolicy: {
        schedule: { dailySchedule: { daysInCycle: 1, startTime: '03:00' } },
        retentionPolicy: { maxRetentionDays: retention, onSourceDiskDelete: 'KEEP_AUTO_SNAPSHOTS' },
        snapshotProperties: { storageLocations: [region], guestFlush: false, labels: labels(name, 'SingleServer') },
      },
    });
    this.snapshotScheduleAttachment = new ComputeDiskResourcePolicyAttachment(this, 'SnapshotScheduleAttachment', {
      project,
      name: this.snapshotSchedule.name,
      disk: this.dataDisk.name,
      zone,
    });

    this.address = new ComputeAddress(this, 'Address', {
      project,
      name: `${name}-server-ip`,
      region,
      networkTier: 'PREMIUM',
      lifecycle: PROTECT,
    });

    if (!running) return;

    const tag = `${name}-server`;
    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
      project,
      accountId: `${name}-server`,
      displayName: `${name} single server`,
    });
    const member = `serviceAccount:${this.serviceAccount.email}`;
    for (const [cid, role] of [['LogWriter', 'roles/logging.logWriter'], ['MetricWriter', 'roles/monitoring.metricWriter'], ['ImagePull', 'roles/artifactregistry.reader']]) {
      this.projectRoles.push(new ProjectIamMember(this, cid, { project, role, member }));
    }
    const secretEnv = props.secretEnvironment ?? {};
    const passwordSecret = props.databasePasswordSecret ?? secretEnv.DATABASE_PASSWORD;
    const secrets = new Map<string, string>();
    for (const [key, secret] of Object.entries(secretEnv)) secrets.set(key, secret);
    if (passwordSecret && !secretEnv.DATABASE_PASSWORD) secrets.set('DATABASE_PASSWORD', passwordSecret);
    for (const [key, secret] of secrets) {
      this.secretAccess.push(new SecretManagerSecretIamMember(this, `SecretAccess-${key}`, {
        project, secretId: secret, role: 'roles/secretmanager.secretAccessor', member,
      }));
    }

    this.firewallRules.push(new ComputeFirewall(this, 'IapSsh', {
      project,
      name: `${name}-server-iap-ssh`,
      network: props.network.vpc.id,
      direction: 'INGRESS',
      sourceRanges: [IAP_RANGE],
      targetTags: [tag],
      allow: [{ protocol: 'tcp', ports: ['22'] }],
    }));
    this.firewallRules.push(new ComputeFirewall(this, 'Web', {
      project,
      name: `${name}-server-web`,
      network: props.network.vpc.id,
      direction: 'INGRESS',
      sourceRanges: ['0.0.0.0/0'],
      targetTags: [tag],
      allow: [{ protocol: 'tcp', ports: props.domainName ? ['80', '443'] : ['80'] }],
    }));

    this.instance = new ComputeInstance(this, 'Instance', {
      project,
      name: `${name}-server`,
      zone,
      machineType: props.machineType ?? 'e2-small',
      tags: [tag],
      labels: labels(name, 'SingleServer'),
      allowStoppingForUpdate: true,
      bootDisk: {
        autoDelete: true,
        initializeParams: { image: 'cos-cloud/cos-stable', size: 20, type: 'pd-balanced' },
      },
      attachedDisk: [{ source: this.dataDisk.selfLink, deviceName: 'pgdata', mode: 'READ_WRITE' }],
      networkInterface: [{
        subnetwork: props.network.subnet.id,
        accessConfig: [{ natIp: this.address.address, networkTier: 'PREMIUM' }],
      }],
      serviceAccount: { email: this.serviceAccount.email, scopes: ['cloud-platform'] },
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      metadata: {
        'enable-oslogin': 'TRUE',
        'block-project-ssh-keys': 'TRUE',
        'google-logging-enabled': 'true',
        'google-monitoring-enabled': 'true',
        // The same script on 1K and 10K; what differs is in the scale-ladder-* keys, which update
        // in place without a restart (see startup-script.ts for the provider source).
        'startup-script': serverStartupScript({ image: props.image, port, domainName: props.domainName }),
        ...serverMetadata({ hostsDatabase, environment: props.environment ?? {}, secretEnvironment: Object.fromEntries(secrets) }),
      },
      lifecycle: { ignoreChanges: ['boot_disk[0].initialize_params[0].image'] },
    });
  }
}
