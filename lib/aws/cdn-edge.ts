import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { requireIntInRange, requirePattern, requireUnique, ScaleLadderError } from '../core/errors';

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
}

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
 * private S3 bucket for `/static/*` (origin access control, long caching), plus a WAF
 * web ACL with a per-IP rate limit and AWS managed rule groups.
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
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: CdnEdgeProps) {
    super(scope, id);
    const rateLimit = requireIntInRange('rateLimitPerFiveMinutes', props.rateLimitPerFiveMinutes ?? 2000, 100, 2_000_000_000);
    const failoverPathPatterns = CdnEdge.validFailoverPathPatterns(props.failoverPathPatterns);
    // A CloudFront-scoped ACL must live in us-east-1; elsewhere the ACL guards the load
    // balancer and keys the rate limit on the viewer address CloudFront forwards.
    const atEdge = Stack.of(this).region === 'us-east-1';

    this.staticBucket = new s3.Bucket(this, 'StaticAssets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: props.accessLogsBucket ? 'static/' : undefined,
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: atEdge ? 'CLOUDFRONT' : 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: metric('ScaleLadderEdge'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: atEdge
              ? { limit: rateLimit, aggregateKeyType: 'IP' }
              : { limit: rateLimit, aggregateKeyType: 'FORWARDED_IP', forwardedIpConfig: { headerName: 'X-Forwarded-For', fallbackBehavior: 'MATCH' } },
          },
          visibilityConfig: metric('RateLimitPerIp'),
        },
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 1),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 2),
      ],
    });
    if (!atEdge) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: props.loadBalancer.loadBalancerArn,
        webAclArn: this.webAcl.attrArn,
      });
    }

    const originOptions = {
      protocolPolicy: props.originHttps ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      readTimeout: Duration.seconds(30),
    };
    const dynamicOrigin = props.originDomainName
      ? new origins.HttpOrigin(props.originDomainName, originOptions)
      : new origins.LoadBalancerV2Origin(props.loadBalancer, originOptions);
    const dynamicBehaviour = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
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
      webAclId: atEdge ? this.webAcl.attrArn : undefined,
    });
    Validations.of(this.distribution).acknowledge({ id: 'AwsSolutions-CFR1', reason: 'No geo restriction: the ladder serves a global audience; add one per app if needed.' },
      { id: 'AwsSolutions-CFR3', reason: 'Standard logs need an ACL-enabled bucket; request metrics and WAF logs cover the edge.' },
      { id: 'AwsSolutions-CFR4', reason: 'The default CloudFront certificate is used until a domain is given; viewers are still redirected to HTTPS.' },
      { id: 'AwsSolutions-CFR5', reason: 'Without a certificate on the load balancer CloudFront reaches it over HTTP inside AWS; give the fleet a certificate to switch the origin to TLS.' },
      { id: 'AwsSolutions-CFR2', reason: 'The WAF web ACL guards the load balancer (regional) outside us-east-1.' },
    );
  }
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
