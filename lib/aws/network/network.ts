import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkZones, ZONES_ARE_EXPLICIT, zonesOf } from './availability-zones';
import { ScaleLadderError } from '../../core/errors';
import { requirePrivateCidr } from '../../core/validation';
import { logRetention } from '../operations/log-retention';

/** Props for {@link LadderNetwork}. */
export interface LadderNetworkProps {
  /**
   * The VPC's IPv4 range. Chosen once: every rung keeps it.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Exactly three availability zones. Given explicitly so synth never looks them up.
   * @default - the library's table for the stack's region
   */
  readonly availabilityZones?: string[];
  /**
   * Whether the private (NAT-egress) subnets are built. Their address space is reserved
   * either way, so switching them on later re-plans nothing.
   * @default false
   */
  readonly privateSubnets?: boolean;
  /**
   * Days VPC flow logs are kept.
   * @default 30
   */
  readonly flowLogRetentionDays?: number;
}

/**
 * The VPC of every rung: public, private and isolated subnets over three zones with a
 * fixed address plan. Rung 1K reserves the private subnets' space without building
 * them (no NAT cost); the fleet rungs build them in that reserved space.
 */
export class LadderNetwork extends Construct {
  /** Subnet group names, stable across rungs. */
  public static readonly PUBLIC = 'Public';
  /** Private subnets with NAT egress (fleet and workers). */
  public static readonly PRIVATE = 'Private';
  /** Isolated subnets without internet routes (databases, caches). */
  public static readonly ISOLATED = 'Isolated';

  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The three zones in use. */
  public readonly availabilityZones: string[];
  /** VPC flow logs. */
  public readonly flowLog: ec2.FlowLog;

  constructor(scope: Construct, id: string, props: LadderNetworkProps = {}) {
    super(scope, id);
    const region = Stack.of(this).region;
    const knownRegion = Token.isUnresolved(region) ? undefined : region;
    if (props.availabilityZones) {
      this.availabilityZones = checkZones(props.availabilityZones, knownRegion);
    } else if (knownRegion) {
      this.availabilityZones = zonesOf(knownRegion, 'stack region');
    } else {
      throw new ScaleLadderError('availabilityZones must be given when the stack has no concrete region (env.region), got none');
    }
    const cidr = requirePrivateCidr('cidr', props.cidr ?? '10.0.0.0/16', 16, 20);
    const privateSubnets = props.privateSubnets ?? false;

    this.vpc = withoutZoneLookup(Stack.of(this), this.availabilityZones, () => new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones: this.availabilityZones,
      natGateways: privateSubnets ? this.availabilityZones.length : 0,
      // The order and masks fix every subnet's range: never reorder, only un-reserve.
      subnetConfiguration: [
        { name: LadderNetwork.PUBLIC, subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: LadderNetwork.PRIVATE, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20, reserved: !privateSubnets },
        { name: LadderNetwork.ISOLATED, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    }));
    Validations.of(this).acknowledge(ZONES_ARE_EXPLICIT);
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: logRetention('flowLogRetentionDays', props.flowLogRetentionDays ?? 30),
    });
    this.flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
    });
  }
}

/**
 * Runs `build` while the stack reports `zones` as its availability zones. ec2.Vpc reads
 * `stack.availabilityZones` to cross-check given zones, which for an env-specific stack
 * records a context lookup (credentials at synth). The zones are already explicit, so
 * the lookup is answered with them instead of being deferred to the CLI.
 */
function withoutZoneLookup<T>(stack: Stack, zones: string[], build: () => T): T {
  Object.defineProperty(stack, 'availabilityZones', { value: zones, configurable: true });
  try {
    return build();
  } finally {
    delete (stack as { availabilityZones?: string[] }).availabilityZones;
  }
}
