import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AppImage, ScaleLadder, Tier } from '../../lib';
import { DEFAULT_ZONE, STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { ScaleLadderError } from '../../lib/core/errors';
import { PINNED_FLAGS } from '../support/feature-flags';
import { AWS_RUNGS, awsTemplatesJson } from '../support/rungs';

/*
 * Alerts reach a person: one alert topic per stack, every alarm the library creates notifies
 * it (alarm and OK), an optional e-mail subscription, the topic's ARN as a stack output.
 */

const ofType = (template: any, type: string): Array<[string, any]> =>
  Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);

/** Route 53 health-check inputs: their state flips with canary deployments; a composite pages instead. */
const HEALTH_CHECK_INPUT = /^Route 53 health-check input: /;

function ladder(tier: Tier, props: Record<string, unknown> = {}, region = 'us-east-1') {
  const app = new App({ context: PINNED_FLAGS });
  const stack = new Stack(app, STACK_ID, { env: { account: '123456789012', region } });
  const built = new ScaleLadder(stack, 'App', {
    tier,
    image: AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
    zone: DEFAULT_ZONE,
    ...props,
  });
  return { app, stack, ladder: built };
}

describe.each(AWS_RUNGS)('rung %s', (rung) => {
  const templates = awsTemplatesJson(rung);

  test('each stack has one alert topic, encrypted with a key CloudWatch may use, and outputs its ARN', () => {
    for (const template of Object.values<any>(templates)) {
      const topics = ofType(template, 'AWS::SNS::Topic');
      expect(topics).toHaveLength(1);
      const [[topicId, topic]] = topics;
      const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
      const key = template.Resources[keyId];
      expect(key).toMatchObject({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain' });
      expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow',
      })]));
      const outputs = Object.values<any>(template.Outputs ?? {}).filter(o => o.Value?.Ref === topicId);
      expect(outputs).toHaveLength(1);
    }
  });

  test('every alarm notifies the stack\'s topic on ALARM and OK; only Route 53 health-check inputs do not, and a composite over them does', () => {
    for (const template of Object.values<any>(templates)) {
      const [[topicId]] = ofType(template, 'AWS::SNS::Topic');
      const alarms = [...ofType(template, 'AWS::CloudWatch::Alarm'), ...ofType(template, 'AWS::CloudWatch::CompositeAlarm')];
      const inputs = alarms.filter(([, a]) => HEALTH_CHECK_INPUT.test(a.Properties.AlarmDescription ?? ''));
      for (const [, alarm] of alarms.filter(a => !inputs.includes(a))) {
        expect(alarm.Properties.AlarmActions).toEqual(expect.arrayContaining([{ Ref: topicId }]));
        expect(alarm.Properties.OKActions).toEqual(expect.arrayContaining([{ Ref: topicId }]));
      }
      for (const [inputId, input] of inputs) {
        expect(input.Properties.AlarmActions).toBeUndefined();
        const covering = ofType(template, 'AWS::CloudWatch::CompositeAlarm')
          .filter(([, c]) => JSON.stringify(c.Properties.AlarmRule).includes(inputId));
        expect(covering).toHaveLength(1);
        expect(covering[0][1].Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      }
      if (Tier.fromName(rung).spec.operations.dashboards) expect(alarms.length).toBeGreaterThan(3);
    }
  });

  test('no subscription without alertEmail', () => {
    for (const template of Object.values<any>(templates)) expect(ofType(template, 'AWS::SNS::Subscription')).toEqual([]);
  });

  test.each([
    ['not-an-email'],
    ['oncall@'],
    ['@example.com'],
    ['on call@example.com'],
    ['oncall@example'],
    ['Ops <oncall@example.com>'],
    [''],
  ])('alertEmail %j is rejected, naming the prop and the value', (value) => {
    expect(() => ladder(Tier.fromName(rung), { alertEmail: value })).toThrow(ScaleLadderError);
    expect(() => ladder(Tier.fromName(rung), { alertEmail: value }))
      .toThrow(`alertEmail must be an e-mail address such as oncall@example.com, got '${value}'`);
  });
});

describe('alertEmail', () => {
  test('subscribes the address to the topic (1K: the server rung has the topic too)', () => {
    const { stack, ladder: built } = ladder(Tier.USERS_1K, { alertEmail: 'oncall@example.com' });
    const template = Template.fromStack(stack);
    const [[topicId]] = ofType(template.toJSON(), 'AWS::SNS::Topic');
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: topicId } });
    expect(stack.resolve(built.alerts.topicArn)).toEqual({ Ref: topicId });
  });

  test('every region\'s stack subscribes it on 1B', () => {
    const { app } = ladder(Tier.USERS_1B, { alertEmail: 'ops+alerts@example.co.uk' });
    const stacks = app.node.children.filter(Stack.isStack);
    expect(stacks).toHaveLength(3);
    for (const stack of stacks) {
      Template.fromStack(stack).resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops+alerts@example.co.uk' }, 1);
    }
  });

  test('other targets subscribe to ladder.alerts', () => {
    const { stack, ladder: built } = ladder(Tier.USERS_1K);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const subscriptions = require('aws-cdk-lib/aws-sns-subscriptions');
    built.alerts.addSubscription(new subscriptions.UrlSubscription('https://hooks.example.com/alerts'));
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://hooks.example.com/alerts' });
  });
});
