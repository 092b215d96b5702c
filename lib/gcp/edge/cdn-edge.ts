import { ComputeBackendBucket } from '@cdktf/provider-google/lib/compute-backend-bucket';
import { ComputeBackendServiceCdnPolicy } from '@cdktf/provider-google/lib/compute-backend-service';
import { ComputeSecurityPolicy, ComputeSecurityPolicyRule } from '@cdktf/provider-google/lib/compute-security-policy';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { Construct } from 'constructs';
import { requireIntInRange } from '../../core/errors';
import { baseSettings, GcpBaseProps, labels, PROTECT } from '../internal/common';

/** Props of `CdnEdge`. */
export interface CdnEdgeProps extends GcpBaseProps {
  /**
   * Requests one client IP may make per minute before Cloud Armor answers 429 (10-100000).
   * @default 1200
   */
  readonly rateLimitPerMinute?: number;
  /**
   * Seconds the CDN may serve a stale copy while the origin fails (0-604800).
   * @default 86400
   */
  readonly serveWhileStaleSeconds?: number;
}

/**
 * Rung 1M: Cloud CDN on the load balancer's app backend (origin `Cache-Control` decides, serve
 * stale on origin errors, request coalescing, negative caching), a versioned static-assets bucket
 * served under `/static/` through a CDN backend bucket, and a Cloud Armor policy with
 * per-IP rate limiting, OWASP SQLi/XSS rules and adaptive DDoS protection.
 *
 * Cloud Armor records each decision (policy, matched rule, action) only in the load balancer's
 * request logs, sampled at the backend service's log sample rate ("Use request logging", Cloud
 * Armor documentation); the fleet's backend service that takes this policy logs with
 * `log_config { enable = true, sample_rate = 1 }` (StatelessFleet), so every decision is kept.
 */
export class CdnEdge extends Construct {
  /** The static-assets bucket (`STATIC_BUCKET`; objects are public: it is a CDN origin). */
  public readonly bucket: StorageBucket;
  /** Public read of the bucket's objects (the CDN fetches them anonymously). */
  public readonly bucketPublicRead: StorageBucketIamMember;
  /** The CDN backend for the bucket. */
  public readonly backendBucket: ComputeBackendBucket;
  /** The Cloud Armor policy attached to the app backend. */
  public readonly securityPolicy: ComputeSecurityPolicy;
  /** The CDN policy the app backend takes. */
  public readonly appCdnPolicy: ComputeBackendServiceCdnPolicy;

  constructor(scope: Construct, id: string, props: CdnEdgeProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const rate = requireIntInRange('rateLimitPerMinute', props.rateLimitPerMinute ?? 1200, 10, 100_000);
    const stale = requireIntInRange('serveWhileStaleSeconds', props.serveWhileStaleSeconds ?? 86_400, 0, 604_800);

    this.bucket = new StorageBucket(this, 'StaticBucket', {
      project,
      name: `${project}-${name}-static`,
      location: region.toUpperCase(),
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      forceDestroy: false,
      versioning: { enabled: true },
      lifecycleRule: [{ action: { type: 'Delete' }, condition: { numNewerVersions: 5, withState: 'ARCHIVED' } }],
      labels: labels(name, 'CdnEdge'),
      lifecycle: PROTECT,
    });
    // Public read: the backend bucket fetches objects anonymously. Anyone can therefore fetch them
    // from Cloud Storage directly, around Cloud Armor (static assets only, nothing private).
    // Cloud CDN documents private bucket access for backend buckets ("Configure private bucket
    // access", Cloud CDN documentation), which needs a grant to a Google-managed service agent in
    // place of allUsers; swapping the grants in one apply risks 403s on /static/* until the new
    // grant works, so that change belongs in a climb of its own, verified first. A
    // CLOUD_ARMOR_EDGE policy can be attached to the backend bucket (edge_security_policy, not
    // ForceNew, set through setEdgeSecurityPolicy: resource_compute_backend_bucket.go,
    // terraform-provider-google), but it filters only requests through the load balancer, so it
    // does not close the direct path while the bucket is public.
    this.bucketPublicRead = new StorageBucketIamMember(this, 'StaticBucketPublicRead', {
      bucket: this.bucket.name,
      role: 'roles/storage.objectViewer',
      member: 'allUsers',
    });
    this.backendBucket = new ComputeBackendBucket(this, 'StaticBackend', {
      project,
      name: `${name}-static`,
      bucketName: this.bucket.name,
      enableCdn: true,
      compressionMode: 'AUTOMATIC',
      cdnPolicy: {
        cacheMode: 'CACHE_ALL_STATIC',
        defaultTtl: 3600,
        maxTtl: 86_400,
        clientTtl: 3600,
        serveWhileStale: stale,
        negativeCaching: true,
        requestCoalescing: true,
      },
    });

    const rules: ComputeSecurityPolicyRule[] = [
      {
        priority: 1000,
        action: 'deny(403)',
        description: 'OWASP SQL injection',
        match: { expr: { expression: "evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 1})" } },
      },
      {
        priority: 1001,
        action: 'deny(403)',
        description: 'OWASP cross-site scripting',
        match: { expr: { expression: "evaluatePreconfiguredWaf('xss-v33-stable', {'sensitivity': 1})" } },
      },
      {
        priority: 2000,
        action: 'throttle',
        description: `Rate limit: ${rate} requests per minute per client IP`,
        match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } },
        rateLimitOptions: {
          conformAction: 'allow',
          exceedAction: 'deny(429)',
          enforceOnKey: 'IP',
          rateLimitThreshold: { count: rate, intervalSec: 60 },
        },
      },
      {
        priority: 2147483647,
        action: 'allow',
        description: 'Default: allow',
        match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } },
      },
    ];
    this.securityPolicy = new ComputeSecurityPolicy(this, 'SecurityPolicy', {
      project,
      name: `${name}-armor`,
      type: 'CLOUD_ARMOR',
      description: 'scale-ladder edge policy: WAF, per-IP rate limiting, adaptive protection',
      adaptiveProtectionConfig: { layer7DdosDefenseConfig: { enable: true } },
      rule: rules,
    });

    this.appCdnPolicy = {
      cacheMode: 'USE_ORIGIN_HEADERS',
      serveWhileStale: stale,
      negativeCaching: true,
      requestCoalescing: true,
      cacheKeyPolicy: { includeHost: true, includeProtocol: true, includeQueryString: true },
    };
  }
}
