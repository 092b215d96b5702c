import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { GeoRoutingZone } from './geo-routed-regions';
import { acknowledgeCustomResourceFunction, ORIGIN_VERIFY_HEADER } from './origin-protection';
import { requireIntInRange, requirePattern, requireUnique, ScaleLadderError } from '../../core/errors';
import { requireValidZone } from '../network/zone-validation';
import { logRetention } from '../operations/log-retention';

/** Props for {@link CdnEdge}. */
export interface CdnEdgeProps {
  /** The fleet's load balancer, the dynamic origin. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * Whether the load balancer serves HTTPS (it has a certificate); CloudFront then talks TLS to it.
   * @default false
   */
  readonly originHttps?: boolean;
  /**
   * Requests one client IP may make in 5 minutes before WAF blocks it (100-2,000,000,000).
   * @default 2000
   */
  readonly rateLimitPerFiveMinutes?: number;
  /**
   * Domain name of the dynamic origin instead of the load balancer's (rung 1B: the
   * latency-routed name that answers from the nearest healthy region).
   * @default - the load balancer
   */
  readonly originDomainName?: string;
  /**
   * Domain name CloudFront fails over to, on `failoverPathPatterns`, when the origin answers
   * 500/502/503/504 or not at all (rung 1B: a name that always points at one other region).
   * @default - no failover origin
   */
  readonly failoverOriginDomainName?: string;
  /**
   * Read-only path patterns (e.g. `/catalog/*`) that CloudFront serves through an origin
   * group failing over to `failoverOriginDomainName`: they accept GET, HEAD and OPTIONS only.
   * Checked on every rung; used where a failover origin exists (rung 1B).
   * @default - none: region failover for every method comes from the Route 53 latency records' health checks
   */
  readonly failoverPathPatterns?: string[];
  /**
   * Bucket for the static bucket's server access logs.
   * @default - no access logs
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Value CloudFront sends as the `X-Origin-Verify` header to every dynamic origin (the load
   * balancers forward only requests that carry it), as a CloudFormation dynamic reference such as
   * `{{resolve:secretsmanager:…}}` so the template never holds the value.
   * @default - no origin header
   */
  readonly originHeaderValue?: string;
  /**
   * Serve the zone's apex from the distribution: a DNS-validated certificate for it in us-east-1
   * (CloudFront takes certificates from that region only) and the apex as alternate domain name.
   * @default - the distribution's own cloudfront.net name only
   */
  readonly zone?: GeoRoutingZone;
  /**
   * Days the edge keeps its logs: the retention of the web ACL's CloudWatch Logs group and the
   * age at which CloudFront's standard log files expire from their bucket (a value CloudWatch
   * Logs accepts as a retention, e.g. 30, 90, 180, 365).
   * @default 90
   */
  readonly logRetentionDays?: number;
}

/** The prefix AWS WAF requires of a CloudWatch Logs log group it logs to. */
export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';

/** The key prefix of CloudFront's standard log files in the distribution's log bucket. */
export const DISTRIBUTION_LOG_PREFIX = 'cloudfront/';

/** Request headers AWS WAF leaves out of its logs (credentials and session tokens). */
export const WAF_REDACTED_HEADERS = ['authorization', 'cookie'];

/** The path pattern of the static assets' cache behaviour. */
const STATIC_PATH_PATTERN = '/static/*';

/*
 * CloudFront's default quota is 75 cache behaviours per distribution (Quotas, Amazon
 * CloudFront Developer Guide). Counting the default and the static assets' behaviours
 * among them leaves 73 for failover paths.
 */
const MAX_CACHE_BEHAVIOURS = 75;
const MAX_FAILOVER_PATH_PATTERNS = MAX_CACHE_BEHAVIOURS - 2;

/**
 * Rung 1M: CloudFront in front of the load balancer (dynamic paths uncached) and of a
 * private S3 bucket for `/static/*` (origin access control, long caching), plus a
 * CloudFront-scoped WAF web ACL with a rate limit per viewer address and AWS managed rule
 * groups. The edge logs what it blocks and serves: the ACL logs every request it inspects to an
 * `aws-waf-logs-` CloudWatch Logs group, and the distribution writes standard logs to an S3
 * bucket, both beside the ACL in us-east-1 and kept for `logRetentionDays`.
 *
 * A CloudFront web ACL must be created in us-east-1, whatever the distribution's stack region
 * ("Resources that you can protect with AWS WAF", AWS WAF Developer Guide; Scope,
 * AWS::WAFv2::WebACL, CloudFormation Template Reference). In a us-east-1 stack the ACL (and the
 * apex certificate) live in the stack itself; elsewhere CdnEdge adds a small us-east-1 stack,
 * `<stack>-edge`, that holds them and publishes their ARNs as SSM parameters with deterministic
 * names, which a custom resource in this stack reads from us-east-1 when it deploys. Nothing is
 * exported or imported between the stacks (no Fn::ImportValue, so neither locks the other, and
 * no cross-region reference machinery); this stack depends on the edge stack, so `cdk deploy`
 * deploys it first. The ACL's name and scope never change (both replace it), so its ARN is
 * stable for the life of the deployment.
 */
export class CdnEdge extends Construct {
  /**
   * Checks `failoverPathPatterns` (on every rung, with or without a failover origin) and
   * returns them, empty when not given: each starts with '/', none repeats or takes the
   * static assets' pattern, and the distribution has room for all of them.
   */
  public static validFailoverPathPatterns(patterns?: string[]): string[] {
    if (patterns === undefined) return [];
    if (!Array.isArray(patterns)) {
      throw new ScaleLadderError(`failoverPathPatterns must be a list of path patterns such as ['/catalog/*'], got ${JSON.stringify(patterns)}`);
    }
    patterns.forEach((pattern, i) => requirePattern(`failoverPathPatterns[${i}]`, pattern, /^\/\S*$/,
      "a path pattern that starts with '/' and has no spaces, such as '/catalog/*'"));
    requireUnique('failoverPathPatterns', patterns);
    if (patterns.includes(STATIC_PATH_PATTERN)) {
      throw new ScaleLadderError(`failoverPathPatterns must not include '${STATIC_PATH_PATTERN}' (the static assets' behaviour), got ${JSON.stringify(patterns)}`);
    }
    if (patterns.length > MAX_FAILOVER_PATH_PATTERNS) {
      throw new ScaleLadderError(`failoverPathPatterns must list at most ${MAX_FAILOVER_PATH_PATTERNS} patterns ` +
        `(CloudFront allows ${MAX_CACHE_BEHAVIOURS} cache behaviours per distribution, the default and ${STATIC_PATH_PATTERN} among them), got ${patterns.length}`);
    }
    return [...patterns];
  }

  /** The static-assets bucket (STATIC_BUCKET). */
  public readonly staticBucket: s3.Bucket;
  /** The distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The web ACL (CLOUDFRONT scope; in the edge stack outside us-east-1). */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The us-east-1 stack holding the web ACL and certificate, when this stack is in another region. */
  public readonly edgeStack?: Stack;
  /** The apex certificate, when a zone is given (in us-east-1). */
  public readonly certificate?: acm.ICertificate;
  /** The web ACL's log group (`aws-waf-logs-…`, beside the ACL in us-east-1). */
  public readonly webAclLogGroup: logs.LogGroup;
  /** The web ACL's logging configuration (to `webAclLogGroup`). */
  public readonly webAclLogging: wafv2.CfnLoggingConfiguration;
  /** The bucket CloudFront writes its standard logs to (beside the ACL in us-east-1). */
  public readonly distributionLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: CdnEdgeProps) {
    super(scope, id);
    const rateLimit = requireIntInRange('rateLimitPerFiveMinutes', props.rateLimitPerFiveMinutes ?? 2000, 100, 2_000_000_000);
    const failoverPathPatterns = CdnEdge.validFailoverPathPatterns(props.failoverPathPatterns);
    const stack = Stack.of(this);
    const atEdge = stack.region === 'us-east-1';
    if (props.zone) requireValidZone(props.zone);
    const retention = logRetention('logRetentionDays', props.logRetentionDays ?? 90);
    // CloudFront accepts an origin's certificate only if one of its names matches the origin's
    // domain name or, when forwarded, the viewer's Host header ("Requiring HTTPS for
    // communication between CloudFront and your custom origin", CloudFront Developer Guide). The
    // load balancer's name is AWS's, so only the Host (the zone's name) can match a certificate
    // of the app's: without a zone every request would fail at the origin (502).
    if (props.originHttps && !props.zone) {
      throw new ScaleLadderError('originHttps needs zone: CloudFront checks the load balancer\'s certificate against the viewer\'s host name, which without a zone is CloudFront\'s own; give zone (and a certificate for its name on the load balancer), or originHttps false, got originHttps true and no zone');
    }
    // One name per app stack, the same on every rung: a climb never renames (replaces) the group.
    const webAclLogGroupName = `${WAF_LOG_GROUP_PREFIX}scale-ladder-${stack.stackName}`;

    this.staticBucket = new s3.Bucket(this, 'StaticAssets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: props.accessLogsBucket ? 'static/' : undefined,
    });

    let webAclArn: string;
    let certificateArn: string | undefined;
    let logBucket: s3.IBucket;
    if (atEdge) {
      this.webAcl = edgeWebAcl(this, 'WebAcl', rateLimit);
      webAclArn = this.webAcl.attrArn;
      ({ logGroup: this.webAclLogGroup, logging: this.webAclLogging } = logWebAcl(this, 'WebAclLogs', this.webAcl, webAclLogGroupName, retention));
      this.distributionLogsBucket = logBucket = distributionLogsBucket(this, 'DistributionLogs', retention);
      if (props.zone) this.certificate = apexCertificate(this, 'Certificate', props.zone);
    } else {
      this.edgeStack = new Stack(stack.node.scope as Construct, `${stack.node.id}-edge`, {
        env: { account: stack.account, region: 'us-east-1' },
        description: `scale-ladder edge (CloudFront web ACL${props.zone ? ' and certificate' : ''}) for ${stack.stackName} in ${stack.region}`,
      });
      stack.addStackDependency(this.edgeStack, 'the CloudFront web ACL and certificate live in us-east-1 and must exist first');
      this.webAcl = edgeWebAcl(this.edgeStack, 'WebAcl', rateLimit);
      webAclArn = readEdgeParameter(this, 'WebAclArn', this.edgeStack, edgeParameterName(stack.stackName, 'web-acl-arn'), this.webAcl.attrArn);
      ({ logGroup: this.webAclLogGroup, logging: this.webAclLogging } = logWebAcl(this.edgeStack, 'WebAclLogs', this.webAcl, webAclLogGroupName, retention));
      // The log bucket stays beside the ACL in us-east-1, a region CloudFront delivers standard
      // logs to (it delivers none to buckets in some opt-in regions, "Configure standard logging
      // (legacy)", CloudFront Developer Guide); this stack reads its name like the ACL's ARN.
      this.distributionLogsBucket = distributionLogsBucket(this.edgeStack, 'DistributionLogs', retention);
      logBucket = s3.Bucket.fromBucketAttributes(this, 'EdgeDistributionLogs', {
        bucketName: readEdgeParameter(this, 'DistributionLogsBucket', this.edgeStack,
          edgeParameterName(stack.stackName, 'distribution-logs-bucket'), this.distributionLogsBucket.bucketName),
        region: 'us-east-1',
      });
      if (props.zone) {
        const certificate = apexCertificate(this.edgeStack, 'Certificate', props.zone);
        certificateArn = readEdgeParameter(this, 'CertificateArn', this.edgeStack, edgeParameterName(stack.stackName, 'certificate-arn'), certificate.certificateArn);
        this.certificate = acm.Certificate.fromCertificateArn(this, 'EdgeCertificate', certificateArn);
      }
      acknowledgeCustomResourceFunction(this);
    }

    const originOptions = {
      protocolPolicy: props.originHttps ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      readTimeout: Duration.seconds(30),
      // OriginCustomHeaders are part of DistributionConfig (Update requires: No interruption,
      // AWS::CloudFront::Distribution, CloudFormation Template Reference).
      customHeaders: props.originHeaderValue ? { [ORIGIN_VERIFY_HEADER]: props.originHeaderValue } : undefined,
    };
    const dynamicOrigin = props.originDomainName
      ? new origins.HttpOrigin(props.originDomainName, originOptions)
      : new origins.LoadBalancerV2Origin(props.loadBalancer, originOptions);
    const dynamicBehaviour = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Over HTTPS the viewer's Host (the zone's name) goes to the origin, so the certificate is
      // checked against it (above); over HTTP the load balancer's own name is kept. A behaviour's
      // OriginRequestPolicyId is part of DistributionConfig: Update requires: No interruption.
      originRequestPolicy: props.originHttps
        ? cloudfront.OriginRequestPolicy.ALL_VIEWER
        : cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
    };
    // Behaviours bind their origins in order (default, static, failover paths), so the
    // dynamic and static origins keep their ids (Origin1, Origin2) on every rung.
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {
      [STATIC_PATH_PATTERN]: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.staticBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
    };
    if (props.failoverOriginDomainName && failoverPathPatterns.length > 0) {
      // CloudFront fails over to the secondary origin only for GET, HEAD and OPTIONS
      // requests (Request and response behavior for origin groups, CloudFront Developer
      // Guide) and rejects a behaviour on an origin group that allows other methods; so
      // only these read-only paths use the group, the default behaviour never does.
      const failover = new origins.OriginGroup({
        primaryOrigin: dynamicOrigin,
        fallbackOrigin: new origins.HttpOrigin(props.failoverOriginDomainName, originOptions),
        fallbackStatusCodes: [500, 502, 503, 504],
      });
      for (const pattern of failoverPathPatterns) {
        additionalBehaviors[pattern] = { ...dynamicBehaviour, origin: failover, allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS };
      }
    }

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'scale-ladder edge',
      defaultBehavior: { ...dynamicBehaviour, origin: dynamicOrigin, allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL },
      additionalBehaviors,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // WebACLId is part of DistributionConfig too: associating the ACL updates the distribution in place.
      webAclId: webAclArn,
      domainNames: props.zone ? [props.zone.zoneName] : undefined,
      certificate: this.certificate,
      // Standard logging (legacy) to S3. Logging is part of DistributionConfig (Update requires:
      // No interruption, AWS::CloudFront::Distribution, CloudFormation Template Reference), so a
      // distribution deployed without it starts logging in place. Cookies stay out of the logs
      // (they carry session tokens), as WAF_REDACTED_HEADERS keeps them out of the ACL's.
      logBucket,
      logFilePrefix: DISTRIBUTION_LOG_PREFIX,
      logIncludesCookies: false,
    });
    Validations.of(this.distribution).acknowledge({ id: 'AwsSolutions-CFR1', reason: 'No geo restriction: the ladder serves a global audience; add one per app if needed.' });
    // Every dynamic origin (the load balancer or, at 1B, the latency-routed and failover names)
    // takes the same protocol policy: HTTPS only exactly when the load balancer has a certificate.
    if (!props.originHttps) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR5',
        reason: 'The load balancer has no certificate, so CloudFront reaches every dynamic origin over plain HTTP across the internet: requests, responses and the X-Origin-Verify header travel unencrypted between CloudFront and the load balancer. Give the app a zone and a certificate (in the stack\'s region) for the zone\'s name to switch the origins to HTTPS only (TLSv1.2): CloudFront then forwards the viewer\'s Host and checks the certificate against it.',
      });
    }
    // Only without a zone does the distribution keep CloudFront's default certificate (the finding);
    // with one it has its ACM certificate and cdk-nag finds nothing to acknowledge.
    if (!this.certificate) {
      Validations.of(this.distribution).acknowledge({ id: 'AwsSolutions-CFR4', reason: 'The default CloudFront certificate is used until a domain is given; viewers are still redirected to HTTPS.' });
    }
  }
}

/**
 * The CloudFront-scoped web ACL. The rate limit keys on the address the edge sees
 * (AggregateKeyType IP), never on a header the client controls such as X-Forwarded-For.
 */
function edgeWebAcl(scope: Construct, id: string, rateLimit: number): wafv2.CfnWebACL {
  return new wafv2.CfnWebACL(scope, id, {
    scope: 'CLOUDFRONT',
    defaultAction: { allow: {} },
    visibilityConfig: metric('ScaleLadderEdge'),
    rules: [
      {
        name: 'RateLimitPerIp',
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: 'IP' } },
        visibilityConfig: metric('RateLimitPerIp'),
      },
      managedRuleGroup('AWSManagedRulesCommonRuleSet', 1),
      managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 2),
    ],
  });
}

/**
 * Logs every request `webAcl` inspects, with the rule that allowed or blocked it, to a new
 * CloudWatch Logs group in the ACL's own stack (so its region). AWS WAF requires the group's
 * name to start with `aws-waf-logs-` and the group to be in the ACL's region, which for a
 * CloudFront-scoped ACL is us-east-1 ("Sending web ACL traffic logs to an Amazon CloudWatch Logs
 * log group", AWS WAF Developer Guide); the Authorization and Cookie headers are redacted.
 * The group is retained when its stack deletes it, like the library's other logs of record;
 * LogGroupName requires replacement (AWS::Logs::LogGroup, CloudFormation Template Reference),
 * so callers pass a name that stays the same on every rung. The logging configuration is a
 * resource of its own: adding it leaves the ACL untouched. Usable for any ACL the library
 * creates, CloudFront-scoped or regional.
 */
export function logWebAcl(scope: Construct, id: string, webAcl: wafv2.CfnWebACL, logGroupName: string, retention: logs.RetentionDays):
{ logGroup: logs.LogGroup; logging: wafv2.CfnLoggingConfiguration } {
  if (!logGroupName.startsWith(WAF_LOG_GROUP_PREFIX)) {
    throw new ScaleLadderError(`a web ACL's log group name must start with '${WAF_LOG_GROUP_PREFIX}' (AWS WAF logs to no other), got '${logGroupName}'`);
  }
  const aclStack = Stack.of(webAcl);
  if (Stack.of(scope) !== aclStack) {
    throw new ScaleLadderError(`a web ACL's log group must be in the ACL's stack (its region), got ${Stack.of(scope).stackName} for an ACL in ${aclStack.stackName}`);
  }
  const logGroup = new logs.LogGroup(scope, id, {
    logGroupName,
    retention,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const logging = new wafv2.CfnLoggingConfiguration(scope, `${id}Configuration`, {
    resourceArn: webAcl.attrArn,
    // The group's ARN without the ':*' suffix of its Arn attribute, as WAF names a destination.
    logDestinationConfigs: [aclStack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    redactedFields: WAF_REDACTED_HEADERS.map(name => ({ singleHeader: { Name: name } })),
  });
  logging.node.addDependency(logGroup);
  return { logGroup, logging };
}

/**
 * The bucket CloudFront's standard logging (legacy) writes to. That logging needs a bucket
 * with ACLs enabled: Object Ownership must not be "bucket owner enforced", since CloudFront
 * grants the awslogsdelivery account FULL_CONTROL through the bucket ACL ("Configure standard
 * logging (legacy)", CloudFront Developer Guide). "Bucket owner preferred" keeps ACLs on while
 * the account owns objects written with the bucket-owner-full-control ACL. Encrypted with
 * SSE-S3 (which that delivery supports), public access blocked (the log-delivery grant names
 * one canonical user, not the public), TLS only, retained with the stack, and log files expire
 * after the edge's log retention.
 */
function distributionLogsBucket(scope: Construct, id: string, retention: logs.RetentionDays): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ expiration: Duration.days(retention) }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket receives the distribution\'s standard logs; logging its own access would need a further log bucket, and logging to itself would loop.',
  });
  return bucket;
}

/** A certificate for the zone's apex, validated through a DNS record CloudFormation writes into the zone. */
function apexCertificate(scope: Construct, id: string, zone: GeoRoutingZone): acm.Certificate {
  return new acm.Certificate(scope, id, {
    domainName: zone.zoneName,
    validation: acm.CertificateValidation.fromDns(route53.HostedZone.fromHostedZoneAttributes(scope, `${id}Zone`, zone)),
  });
}

/** The SSM parameter (in us-east-1) under which the edge stack publishes one of its ARNs. */
export function edgeParameterName(stackName: string, what: string): string {
  return `/scale-ladder/${stackName}/edge/${what}`;
}

/**
 * Publishes `value` from the edge stack as an SSM parameter and reads it back in `scope`'s stack
 * when that stack deploys (GetParameter in us-east-1; the value is not secret).
 */
function readEdgeParameter(scope: Construct, id: string, edgeStack: Stack, parameterName: string, value: string): string {
  new ssm.StringParameter(edgeStack, id, { parameterName, stringValue: value, description: `scale-ladder: read by ${Stack.of(scope).stackName} (CloudFront)` });
  const call: cr.AwsSdkCall = {
    service: 'SSM',
    action: 'getParameter',
    parameters: { Name: parameterName },
    region: 'us-east-1',
    physicalResourceId: cr.PhysicalResourceId.of(parameterName),
    outputPaths: ['Parameter.Value'],
  };
  const reader = new cr.AwsCustomResource(scope, `Read${id}`, {
    onCreate: call,
    onUpdate: call,
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
      resources: [Stack.of(scope).formatArn({ service: 'ssm', region: 'us-east-1', resource: 'parameter', resourceName: parameterName.slice(1) })],
    }),
    installLatestAwsSdk: false,
  });
  return reader.getResponseField('Parameter.Value');
}

function metric(name: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name };
}

function managedRuleGroup(name: string, priority: number): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    visibilityConfig: metric(name),
  };
}
