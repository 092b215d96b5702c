import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/*
 * cdk-nag findings the library accepts, each with its reason, acknowledged through CDK's
 * Validations so cdk-nag (v3) and CDK's own validation report both honour them. IAM
 * findings are granular: the acknowledgement names the exact policy or resource.
 */

/** An AWS managed policy on a role under `scope` is the documented least privilege for a service. */
export function acknowledgeManagedPolicy(scope: IConstruct, policy: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`, reason });
}

/** Object-level access (`<bucket>/*`) to one bucket the construct owns. */
export function acknowledgeBucketObjects(scope: IConstruct, bucket: IConstruct, reason: string): void {
  const logicalId = Stack.of(bucket).resolve((bucket.node.defaultChild as CfnResource).logicalId);
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`, reason });
}

/** CDK's stack-wide log-retention function (created by `cloudwatchLogsRetention`). */
export function acknowledgeLogRetentionFunction(scope: IConstruct): void {
  const stack = Stack.of(scope);
  const fn = stack.node.children.find(c => c.node.id.startsWith('LogRetention'));
  if (!fn) return;
  acknowledgeManagedPolicy(fn, 'service-role/AWSLambdaBasicExecutionRole', 'CDK\'s log-retention function logs through the AWS managed basic execution policy.');
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'CDK\'s log-retention function sets retention on log groups that RDS creates on first write, whose ARNs are not known at deploy time.',
  });
}

/** An ARN as cdk-nag prints it in a finding: literal parts as they are, references as `<LogicalId>` or `<LogicalId.Attr>`. */
export function nagArn(stack: Stack, arn: string): string {
  const resolved = stack.resolve(arn);
  if (typeof resolved === 'string') return resolved;
  const parts: any[] = resolved['Fn::Join'][1];
  return parts.map(p => {
    if (typeof p === 'string') return p;
    if (p.Ref) return `<${p.Ref}>`;
    return `<${p['Fn::GetAtt'].join('.')}>`;
  }).join('');
}
