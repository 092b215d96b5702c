import { Duration, Stack } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { requireValidZone } from './zone-validation';

/** Where the regional entry points are published. */
export interface GeoRoutingZone {
  /** The Route 53 hosted zone id (the zone is given, never looked up). */
  readonly hostedZoneId: string;
  /** The zone's domain, e.g. `example.com`. */
  readonly zoneName: string;
  /**
   * Label of the latency-routed origin name under the zone.
   * @default 'origin'
   */
  readonly originLabel?: string;
}

/** Props for {@link GeoRoutedRegions}. */
export interface GeoRoutedRegionsProps {
  /** The hosted zone. */
  readonly zone: GeoRoutingZone;
  /** This region's load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * Path the Route 53 health check requests.
   * @default '/'
   */
  readonly healthCheckPath?: string;
}

/**
 * Rung 1B, one per region (each region's stack carries its own, so no stack needs
 * another's values): a Route 53 health check of this region's load balancer, a
 * latency-based record `origin.<zone>` that sends clients to the nearest healthy region,
 * and a plain record `<region>.origin.<zone>` the CDN fails over to.
 */
export class GeoRoutedRegions extends Construct {
  /** The latency-routed name every region answers for. */
  public static originName(zone: GeoRoutingZone): string {
    return `${zone.originLabel ?? 'origin'}.${zone.zoneName}`;
  }

  /** The name that always points at `region`. */
  public static regionalOriginName(zone: GeoRoutingZone, region: string): string {
    return `${region}.${GeoRoutedRegions.originName(zone)}`;
  }

  /** The health check of this region's load balancer. */
  public readonly healthCheck: route53.HealthCheck;
  /** The latency record for this region. */
  public readonly latencyRecord: route53.ARecord;
  /** The record that names this region alone. */
  public readonly regionalRecord: route53.ARecord;

  constructor(scope: Construct, id: string, props: GeoRoutedRegionsProps) {
    super(scope, id);
    requireValidZone(props.zone);
    const region = Stack.of(this).region;
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', props.zone);
    const target = route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(props.loadBalancer));

    this.healthCheck = new route53.HealthCheck(this, 'HealthCheck', {
      type: route53.HealthCheckType.HTTP,
      fqdn: props.loadBalancer.loadBalancerDnsName,
      port: 80,
      resourcePath: props.healthCheckPath ?? '/',
      failureThreshold: 3,
      requestInterval: Duration.seconds(10),
    });
    this.latencyRecord = new route53.ARecord(this, 'Latency', {
      zone,
      recordName: GeoRoutedRegions.originName(props.zone),
      target,
      region,
      setIdentifier: region,
      healthCheck: this.healthCheck,
    });
    this.regionalRecord = new route53.ARecord(this, 'Regional', {
      zone,
      recordName: GeoRoutedRegions.regionalOriginName(props.zone, region),
      target,
    });
  }
}
