import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct, IDependable } from 'constructs';
import { GeoRoutingZone } from './geo-routed-regions';
import { ScaleLadderError } from '../../core/errors';
import { requireValidZone } from '../network/zone-validation';

/** Where the app's name points on a rung: exactly one of these. */
export interface AppRecordTarget {
  /** The single server's public address (rungs 1K-10K). */
  readonly ipAddress?: string;
  /** The load balancer (one region). */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /** Another name in the same zone (the latency-routed origin of several regions). */
  readonly recordInZone?: string;
}

/** Props for {@link AppRecord}. */
export interface AppRecordProps {
  /** The hosted zone; the record is its apex. */
  readonly zone: GeoRoutingZone;
  /** The rung's entry point. */
  readonly target: AppRecordTarget;
  /**
   * What must answer before the record points at it (e.g. the fleet's service).
   * @default - nothing
   */
  readonly after?: IDependable;
}

/**
 * The app's own A record at the zone apex, owned by the stack from rung 1K, so moving from
 * the server to the load balancer is an update of one record, not a new name. The record
 * keeps its construct path on every rung; Route 53 applies the change as one transactional
 * change batch, and CloudFormation updates ResourceRecords, TTL and AliasTarget without
 * interruption ("AWS::Route53::RecordSet", CloudFormation Template Reference).
 */
export class AppRecord extends Construct {
  /** The record. */
  public readonly record: route53.CfnRecordSet;

  constructor(scope: Construct, id: string, props: AppRecordProps) {
    super(scope, id);
    requireValidZone(props.zone);
    const { ipAddress, loadBalancer, recordInZone } = props.target ?? {};
    const given = [ipAddress, loadBalancer, recordInZone].filter(t => t !== undefined).length;
    if (given !== 1) {
      throw new ScaleLadderError(`target must name exactly one of ipAddress, loadBalancer or recordInZone, got ${given === 0 ? 'none' : given}`);
    }
    const name = `${props.zone.zoneName}.`;
    const alias = loadBalancer
      ? { dnsName: loadBalancer.loadBalancerDnsName, hostedZoneId: loadBalancer.loadBalancerCanonicalHostedZoneId, evaluateTargetHealth: true }
      : recordInZone ? { dnsName: `${recordInZone}.`, hostedZoneId: props.zone.hostedZoneId, evaluateTargetHealth: true } : undefined;
    this.record = new route53.CfnRecordSet(this, 'Record', {
      hostedZoneId: props.zone.hostedZoneId,
      name,
      type: 'A',
      ...(alias ? { aliasTarget: alias } : { resourceRecords: [ipAddress!], ttl: '60' }),
    });
    if (props.after) this.record.node.addDependency(props.after);
  }
}
