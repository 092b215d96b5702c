import { IAspect, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import type { OriginProtectionOptions } from '../compute/stateless-fleet';

/*
 * Origin protection from the rung with a CDN (1M): the load balancer admits only CloudFront's
 * origin-facing servers, and forwards only requests that carry the secret header CloudFront
 * adds; everything else gets a fixed 403. AWS documents both halves ("Restrict access to
 * Application Load Balancers", CloudFront Developer Guide: add a custom header in CloudFront,
 * forward only requests that carry it; "Use the CloudFront managed prefix list", Locations and
 * IP address ranges of CloudFront edge servers). Internal: not exported from the package.
 */

/** The header CloudFront adds to every request to a dynamic origin. */
export const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';

/** The AWS-managed prefix list of CloudFront's origin-facing servers (IPv4). */
export const CLOUDFRONT_ORIGIN_FACING = 'com.amazonaws.global.cloudfront.origin-facing';

/** Route 53's hosted zone id for every alias record that targets a CloudFront distribution. */
export const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';

/** The singleton function of aws-cdk-lib's AwsCustomResource (one per stack). */
const AWS_CUSTOM_RESOURCE_FUNCTION = 'AWS679f53fac002430cb0da5b7982bd2287';

const PROTECTED = new WeakMap<IConstruct, OriginProtectionOptions>();

/** The origin protection a composer set up for the fleet it builds under `scope`, if any. */
export function originProtectionFor(scope: IConstruct): OriginProtectionOptions | undefined {
  return PROTECTED.get(scope);
}

/** Props for {@link OriginProtection}. */
export interface OriginProtectionProps {
  /**
   * Where the header value comes from. In the primary stack the secret is created here (and
   * replicated to `replicaRegions`); another region's stack passes the primary stack's name and
   * reads the replica by its deterministic name.
   */
  readonly primaryStackName?: string;
  /** Regions the secret is replicated to (primary stack only). */
  readonly replicaRegions?: string[];
}

/**
 * Sets up, under a composer (ScaleLadder or RegionalLadder), what its fleet needs to admit
 * CloudFront only: the prefix list id, looked up when the stack deploys, and the header value as
 * a CloudFormation dynamic reference (never the value itself in the template). Create it before
 * the fleet: the fleet built under the same composer picks it up.
 */
export class OriginProtection extends Construct {
  /** The secret's name in every region: deterministic, so other regions' stacks read their replica by name. */
  public static secretNameFor(primaryStackName: string): string {
    return `scale-ladder/${primaryStackName}/origin-verify`;
  }

  /**
   * A dynamic reference to the header value for CloudFormation to resolve at deploy time. The
   * secretsmanager dynamic reference "can be used in all resource properties" (Get a secret or
   * secret value from Secrets Manager, CloudFormation User Guide), so CloudFront's origin custom
   * header and the listener rule's header condition receive the value without the template holding it.
   */
  public static dynamicReference(secretId: string): string {
    return `{{resolve:secretsmanager:${secretId}:SecretString:::}}`;
  }

  /** The secret (primary stack only). */
  public readonly secret?: secretsmanager.Secret;
  /** What the fleet applies. */
  public readonly options: OriginProtectionOptions;

  constructor(scope: Construct, id: string, props: OriginProtectionProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    let headerValue: string;
    if (props.primaryStackName === undefined) {
      this.secret = new secretsmanager.Secret(this, 'HeaderSecret', {
        secretName: OriginProtection.secretNameFor(stack.stackName),
        description: `scale-ladder: value of the ${ORIGIN_VERIFY_HEADER} header CloudFront adds to origin requests; the load balancers forward only requests that carry it`,
        // Letters and digits only: ALB header conditions treat '*' and '?' as wildcards.
        generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
        replicaRegions: (props.replicaRegions ?? []).map(region => ({ region })),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(this.secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'CloudFormation copies the value into CloudFront and the listener rules when it deploys; rotate by putting a new value and redeploying (a rotation Lambda would leave the two out of step).',
      });
      // By ARN (a Ref): CloudFormation resolves the reference only after the secret exists.
      headerValue = OriginProtection.dynamicReference(this.secret.secretArn);
    } else {
      // The region stacks deploy after the primary, whose secret Secrets Manager replicates here.
      headerValue = OriginProtection.dynamicReference(OriginProtection.secretNameFor(props.primaryStackName));
    }
    this.options = { prefixListId: cloudFrontPrefixListId(this, 'CloudFrontPrefixList'), headerValue };
    PROTECTED.set(scope, this.options);
  }
}

/**
 * The id of CloudFront's origin-facing prefix list in the stack's region (ids differ per
 * region), read by a custom resource when the stack deploys: synthesis stays offline, with no
 * context lookup. DescribeManagedPrefixLists takes no resource-level permissions.
 */
export function cloudFrontPrefixListId(scope: Construct, id: string): string {
  const call: cr.AwsSdkCall = {
    service: 'EC2',
    action: 'describeManagedPrefixLists',
    parameters: { Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_ORIGIN_FACING] }] },
    physicalResourceId: cr.PhysicalResourceId.of(CLOUDFRONT_ORIGIN_FACING),
    outputPaths: ['PrefixLists.0.PrefixListId'],
  };
  const lookup = new cr.AwsCustomResource(scope, id, {
    onCreate: call,
    onUpdate: call,
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
  });
  acknowledgeCustomResourceFunction(scope, 'ec2:DescribeManagedPrefixLists has no resource-level permissions (Actions, resources, and condition keys for Amazon EC2, Service Authorization Reference).');
  return lookup.getResponseField('PrefixLists.0.PrefixListId');
}

/** aws-cdk-lib's AwsCustomResource function, as cdk-nag reports it. */
export function acknowledgeCustomResourceFunction(scope: IConstruct, wildcardReason?: string): void {
  const fn = Stack.of(scope).node.tryFindChild(AWS_CUSTOM_RESOURCE_FUNCTION);
  if (!fn) return;
  Validations.of(fn).acknowledge(
    { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'aws-cdk-lib\'s custom-resource function logs through the AWS managed basic execution policy.' },
  );
  if (wildcardReason) Validations.of(scope).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: wildcardReason });
}

/**
 * Adds the header condition to every rule of `listener`, whichever construct made it (the
 * fleet's own route, path-routed services, canary rules), when the stack synthesizes: a rule
 * without it would forward requests that did not come through CloudFront. A rule's conditions
 * render lazily, so a condition added here lands in the template.
 */
export class RequireOriginHeader implements IAspect {
  private readonly done = new Set<IConstruct>();

  constructor(private readonly listener: elbv2.IApplicationListener, private readonly headerValue: string) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof elbv2.ApplicationListenerRule) || this.done.has(node)) return;
    const rule = node.node.defaultChild as elbv2.CfnListenerRule;
    if (rule.listenerArn !== this.listener.listenerArn) return;
    node.addCondition(elbv2.ListenerCondition.httpHeader(ORIGIN_VERIFY_HEADER, [this.headerValue]));
    this.done.add(node);
  }
}

/**
 * Points the app's apex record at the distribution (alias to CloudFront's hosted zone; target
 * health cannot be evaluated for a CloudFront alias). AliasTarget updates without interruption
 * (AWS::Route53::RecordSet, CloudFormation Template Reference), so the climb to the rung with a
 * CDN moves the name in place.
 */
export function pointAtDistribution(record: route53.CfnRecordSet, distributionDomainName: string): void {
  record.aliasTarget = { dnsName: distributionDomainName, hostedZoneId: CLOUDFRONT_HOSTED_ZONE_ID, evaluateTargetHealth: false };
}
