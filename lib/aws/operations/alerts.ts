import { CfnOutput, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { requirePattern } from '../../core/errors';

/*
 * One alert topic per stack, on every rung: the composer (or another region's ladder)
 * creates it first, the layers find it with AlertTopic.of, and after the last layer
 * AlertTopic.notifyEveryAlarm wires every CloudWatch alarm of the stack to it. Internal:
 * not exported from the package (the composer exposes the topic as `alerts`).
 */

/**
 * An e-mail address as SNS e-mail subscriptions take it: a local part, '@', and a domain
 * of at least two dot-separated labels (no spaces, no display name).
 */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Checks `alertEmail` (on every rung) and returns it, or undefined when not given. */
export function validAlertEmail(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return requirePattern('alertEmail', value, EMAIL, 'an e-mail address such as oncall@example.com');
}

/**
 * Marks an alarm that only feeds something else (a Route 53 health check's input, whose
 * state flips with every canary deployment) and must not page anyone; the alarm that a
 * person needs for the same condition notifies instead. The reason is kept on the alarm.
 */
export function exemptFromAlerts(alarm: cloudwatch.AlarmBase, reason: string): void {
  EXEMPT.set(alarm, reason);
}

/** Why `alarm` does not notify the alert topic, or undefined when it does. */
export function alertExemption(alarm: IConstruct): string | undefined {
  return EXEMPT.get(alarm);
}

const EXEMPT = new WeakMap<IConstruct, string>();
const TOPICS = new WeakMap<Stack, AlertTopic>();

/** Props for {@link AlertTopic}. */
export interface AlertTopicProps {
  /** Subscribed by e-mail (SNS mails a confirmation link first). */
  readonly email?: string;
}

/**
 * The stack's alert topic, encrypted with a key of its own: CloudWatch alarms can publish to
 * an encrypted topic only when the key policy lets the CloudWatch service principal use the
 * key, which the AWS managed key (aws/sns) never does ("Enable compatibility between event
 * sources from AWS services and encrypted topics", Amazon SNS Developer Guide, Key
 * management). The topic's ARN is a stack output.
 */
export class AlertTopic extends Construct {
  /** The alert topic of the stack that holds `scope`, once one was created. */
  public static of(scope: IConstruct): sns.Topic | undefined {
    return TOPICS.get(Stack.of(scope))?.topic;
  }

  /** The topic. */
  public readonly topic: sns.Topic;
  /** The topic's key. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    if (TOPICS.has(stack)) throw new Error(`stack '${stack.stackName}' already has an alert topic`);
    const email = validAlertEmail(props.email);
    this.key = new kms.Key(this, 'Key', {
      description: 'scale-ladder: alert topic (CloudWatch alarms publish through it)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No source condition: who may publish is the topic policy's business (this account only);
    // a condition the key request does not carry would drop every notification silently.
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: topicDisplayName(stack.stackName),
      masterKey: this.key,
      enforceSSL: true,
    });
    if (email) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    new CfnOutput(this, 'Arn', { value: this.topic.topicArn, description: 'SNS topic every alarm of this stack notifies (subscribe more targets to it)' });
    TOPICS.set(stack, this);
  }

  /**
   * Adds the topic to the alarm and OK actions of every CloudWatch alarm under `root` (the
   * stack's alarms, whichever layer made them) that does not notify it yet, except the
   * exempt ones. Alarm actions render lazily, so this runs after the last layer is built.
   */
  public notifyEveryAlarm(root: IConstruct = Stack.of(this)): void {
    const action = new actions.SnsAction(this.topic);
    const arn = this.topic.topicArn;
    for (const node of root.node.findAll()) {
      if (!(node instanceof cloudwatch.Alarm || node instanceof cloudwatch.CompositeAlarm)) continue;
      if (Stack.of(node) !== Stack.of(this) || alertExemption(node) !== undefined) continue;
      const existing = (node as unknown as { alarmActionArns?: string[] }).alarmActionArns ?? [];
      if (!existing.includes(arn)) node.addAlarmAction(action);
      const ok = (node as unknown as { okActionArns?: string[] }).okActionArns ?? [];
      if (!ok.includes(arn)) node.addOkAction(action);
    }
  }
}

/** SNS allows a display name of at most 100 characters (CreateTopic, `DisplayName` attribute). */
const MAX_DISPLAY_NAME = 100;

/** `scale-ladder alerts (<stack>)`, the stack name cut short with '...' when it would not fit. */
function topicDisplayName(stackName: string): string {
  const full = `scale-ladder alerts (${stackName})`;
  if (full.length <= MAX_DISPLAY_NAME || Token.isUnresolved(stackName)) return full;
  return `scale-ladder alerts (${stackName.slice(0, MAX_DISPLAY_NAME - 'scale-ladder alerts (...)'.length)}...)`;
}
