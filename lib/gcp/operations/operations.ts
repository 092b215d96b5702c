import { LoggingProjectBucketConfig } from '@cdktf/provider-google/lib/logging-project-bucket-config';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringCustomService } from '@cdktf/provider-google/lib/monitoring-custom-service';
import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { MonitoringSlo } from '@cdktf/provider-google/lib/monitoring-slo';
import { Construct } from 'constructs';
import { requireIntInRange, requireNumberInRange, requirePattern } from '../../core/errors';
import { baseSettings, GcpBaseProps } from '../internal/common';

/** Props of `Operations`. */
export interface OperationsProps extends GcpBaseProps {
  /**
   * Days the project's `_Default` log bucket keeps logs (1-3650).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * The load balancer's backend service name; dashboards, alerts and SLOs watch it.
   * @default - no load balancer: logs only
   */
  readonly backendServiceName?: string;
  /**
   * A dashboard and alert policies (load balancer 5xx ratio, Cloud SQL CPU).
   * @default false
   */
  readonly dashboards?: boolean;
  /**
   * An availability SLO on the load balancer with a fast-burn alert.
   * @default false
   */
  readonly slo?: boolean;
  /**
   * Availability goal of the SLO (0.9-0.9999).
   * @default 0.999
   */
  readonly sloGoal?: number;
  /**
   * E-mail address alerts go to.
   * @default - alerts show in Cloud Monitoring only
   */
  readonly alertEmail?: string;
}

/**
 * Cross-cutting operations: log retention on every rung; from 100K a dashboard and alert
 * policies; from 10M an availability SLO (request-based, on the load balancer) with a burn-rate
 * alert. Cloud Run and the load balancer send traces to Cloud Trace on their own.
 */
export class Operations extends Construct {
  /** Retention of the project's `_Default` log bucket. */
  public readonly logBucket: LoggingProjectBucketConfig;
  /** The dashboard, from 100K. */
  public readonly dashboard?: MonitoringDashboard;
  /** Alert policies. */
  public readonly alertPolicies: MonitoringAlertPolicy[] = [];
  /** The e-mail channel, when given. */
  public readonly notificationChannel?: MonitoringNotificationChannel;
  /** The monitored service the SLO belongs to. */
  public readonly service?: MonitoringCustomService;
  /** The availability SLO. */
  public readonly availabilitySlo?: MonitoringSlo;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { project, name } = baseSettings(props);
    const retention = requireIntInRange('logRetentionDays', props.logRetentionDays ?? 30, 1, 3650);
    this.logBucket = new LoggingProjectBucketConfig(this, 'LogBucket', {
      project,
      location: 'global',
      bucketId: '_Default',
      retentionDays: retention,
    });
    if (props.alertEmail !== undefined) {
      requirePattern('alertEmail', props.alertEmail, /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i, 'an e-mail address');
      this.notificationChannel = new MonitoringNotificationChannel(this, 'EmailChannel', {
        project, displayName: `${name} alerts`, type: 'email', labels: { email_address: props.alertEmail },
      });
    }
    const channels = this.notificationChannel ? [this.notificationChannel.id] : undefined;
    const backend = props.backendServiceName;
    if (!backend) return;

    const lbFilter = `resource.type="https_lb_rule" AND resource.label."backend_name"="${backend}"`;
    const requests = `metric.type="loadbalancing.googleapis.com/https/request_count" AND ${lbFilter}`;
    if (props.dashboards) {
      this.dashboard = new MonitoringDashboard(this, 'Dashboard', {
        project,
        dashboardJson: JSON.stringify({
          displayName: `${name} (scale-ladder)`,
          gridLayout: {
            columns: '2',
            widgets: [
              chart('Requests by response class', requests, 'ALIGN_RATE', 'REDUCE_SUM', ['metric.label."response_code_class"']),
              chart('Latency p95 (ms)', `metric.type="loadbalancing.googleapis.com/https/total_latencies" AND ${lbFilter}`, 'ALIGN_PERCENTILE_95', 'REDUCE_MEAN', []),
              chart('Cloud Run instances', `metric.type="run.googleapis.com/container/instance_count" AND resource.type="cloud_run_revision" AND resource.label."service_name"=starts_with("${name}-")`, 'ALIGN_MEAN', 'REDUCE_SUM', ['resource.label."service_name"']),
              chart('Cloud SQL CPU', `metric.type="cloudsql.googleapis.com/database/cpu/utilization" AND resource.type="cloudsql_database" AND resource.label."database_id"=starts_with("${project}:${name}-db")`, 'ALIGN_MEAN', 'REDUCE_MAX', ['resource.label."database_id"']),
            ],
          },
        }),
      });
      this.alertPolicies.push(new MonitoringAlertPolicy(this, 'ErrorRateAlert', {
        project,
        displayName: `${name}: 5xx ratio above 5%`,
        combiner: 'OR',
        severity: 'ERROR',
        notificationChannels: channels,
        conditions: [{
          displayName: '5xx / all requests > 5% for 5 minutes',
          conditionThreshold: {
            filter: `${requests} AND metric.label."response_code_class"="500"`,
            denominatorFilter: requests,
            aggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_RATE', crossSeriesReducer: 'REDUCE_SUM' }],
            denominatorAggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_RATE', crossSeriesReducer: 'REDUCE_SUM' }],
            comparison: 'COMPARISON_GT',
            thresholdValue: 0.05,
            duration: '300s',
          },
        }],
        documentation: { content: 'The app answers more than 5% of requests with 5xx. Check the latest Cloud Run revision and roll back with `gcloud run services update-traffic`.', mimeType: 'text/markdown' },
      }));
      this.alertPolicies.push(new MonitoringAlertPolicy(this, 'DatabaseCpuAlert', {
        project,
        displayName: `${name}: Cloud SQL CPU above 80%`,
        combiner: 'OR',
        severity: 'WARNING',
        notificationChannels: channels,
        conditions: [{
          displayName: 'CPU > 80% for 15 minutes',
          conditionThreshold: {
            filter: `metric.type="cloudsql.googleapis.com/database/cpu/utilization" AND resource.type="cloudsql_database" AND resource.label."database_id"=starts_with("${project}:${name}-db")`,
            aggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_MEAN' }],
            comparison: 'COMPARISON_GT',
            thresholdValue: 0.8,
            duration: '900s',
          },
        }],
        documentation: { content: 'A database is CPU-bound: the next rung adds replicas, shards or a larger tier.', mimeType: 'text/markdown' },
      }));
    }
    if (props.slo) {
      const goal = requireNumberInRange('sloGoal', props.sloGoal ?? 0.999, 0.9, 0.9999);
      this.service = new MonitoringCustomService(this, 'Service', {
        project, serviceId: `${name}-frontend`, displayName: `${name} (load balancer)`,
      });
      this.availabilitySlo = new MonitoringSlo(this, 'AvailabilitySlo', {
        project,
        service: this.service.serviceId,
        sloId: `${name}-availability`,
        displayName: `${goal * 100}% of requests succeed (28 days)`,
        goal,
        rollingPeriodDays: 28,
        requestBasedSli: {
          goodTotalRatio: {
            totalServiceFilter: requests,
            badServiceFilter: `${requests} AND metric.label."response_code_class"="500"`,
          },
        },
      });
      this.alertPolicies.push(new MonitoringAlertPolicy(this, 'SloBurnAlert', {
        project,
        displayName: `${name}: availability SLO burning fast`,
        combiner: 'OR',
        severity: 'CRITICAL',
        notificationChannels: channels,
        conditions: [{
          displayName: 'Burn rate > 10 over 1 hour',
          conditionThreshold: {
            filter: `select_slo_burn_rate("${this.availabilitySlo.name}", "3600s")`,
            comparison: 'COMPARISON_GT',
            thresholdValue: 10,
            duration: '0s',
          },
        }],
      }));
    }
  }
}

function chart(title: string, filter: string, aligner: string, reducer: string, groupBy: string[]) {
  return {
    title,
    xyChart: {
      dataSets: [{
        plotType: 'LINE',
        timeSeriesQuery: {
          timeSeriesFilter: {
            filter,
            aggregation: { alignmentPeriod: '60s', perSeriesAligner: aligner, crossSeriesReducer: reducer, groupByFields: groupBy },
          },
        },
      }],
    },
  };
}
