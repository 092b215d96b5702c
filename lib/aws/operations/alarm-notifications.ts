import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';

/** Notifies `topic` when each alarm fires and when it recovers; nothing without a topic. */
export function notifyOnChange(alarms: cloudwatch.AlarmBase[], topic?: sns.ITopic): void {
  if (!topic) return;
  const action = new actions.SnsAction(topic);
  for (const alarm of alarms) {
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}
