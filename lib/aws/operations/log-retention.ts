import * as logs from 'aws-cdk-lib/aws-logs';
import { requireOneOf } from '../../core/errors';

const ALLOWED = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0);

/** `days` as a CloudWatch retention, or a clear error naming the values CloudWatch accepts. */
export function logRetention(prop: string, days: number): logs.RetentionDays {
  return requireOneOf(prop, days, ALLOWED) as logs.RetentionDays;
}
