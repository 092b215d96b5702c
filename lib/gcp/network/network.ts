import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import { ServiceNetworkingConnection } from '@cdktf/provider-google/lib/service-networking-connection';
import { Construct } from 'constructs';
import { requireRegion } from './regions';
import { describeValue, requireUnique, ScaleLadderError } from '../../core/errors';
import { baseSettings, GcpBaseProps, parseNetworkCidr } from '../internal/common';

/** Props of `Network`. */
export interface NetworkProps extends GcpBaseProps {
  /**
   * A private /16 the whole layout is carved from, fixed on the first rung: region i (the primary
   * region is 0, then `regions` in order) gets the i-th /20 of the lower half; the upper /17 is the
   * private services access range Cloud SQL and Memorystore take their addresses from.
   * @default '10.20.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Further regions that need a subnet, in the order of the composer's `regions` (their position
   * fixes their CIDR, so a later rung only adds subnets).
   * @default - none
   */
  readonly extraRegions?: string[];
}

/**
 * The network every rung shares, laid out in full on the first rung: a custom-mode VPC with
 * global routing, one subnet per region in use (private Google access, flow logs) and the
 * private services access range + peering that give Cloud SQL and Memorystore private IPs only.
 */
export class Network extends Construct {
  /** Largest number of regions the layout has room for. */
  public static readonly MAX_REGIONS = 8;

  /** The VPC. */
  public readonly vpc: ComputeNetwork;
  /** The subnet of the primary region. */
  public readonly subnet: ComputeSubnetwork;
  /** Subnets of further regions, in `extraRegions` order. */
  public readonly extraSubnets: ComputeSubnetwork[];
  /** The private services access range. */
  public readonly privateServicesRange: ComputeGlobalAddress;
  /** The peering to Google's service producer network. */
  public readonly privateServicesConnection: ServiceNetworkingConnection;
  /** The /20 of each region, by region name. */
  public readonly subnetCidrs: Record<string, string>;

  private readonly subnetsByRegion: Record<string, ComputeSubnetwork> = {};

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const [a, b] = parseNetworkCidr(props.cidr ?? '10.20.0.0/16');
    const extra = props.extraRegions ?? [];
    if (!Array.isArray(extra)) {
      throw new ScaleLadderError(`extraRegions must be a list of Google Cloud region names such as ['us-east1'], got ${describeValue(extra)}`);
    }
    extra.forEach((r, i) => requireRegion(`extraRegions[${i}]`, r));
    if (extra.includes(region)) {
      throw new ScaleLadderError(`extraRegions must not contain the primary region '${region}', got ${JSON.stringify(extra)}`);
    }
    requireUnique('extraRegions', extra);
    if (extra.length + 1 > Network.MAX_REGIONS) {
      throw new ScaleLadderError(`regions must hold at most ${Network.MAX_REGIONS - 1} regions besides the primary, got ${extra.length}`);
    }

    this.vpc = new ComputeNetwork(this, 'Vpc', {
      project,
      name: `${name}-vpc`,
      autoCreateSubnetworks: false,
      routingMode: 'GLOBAL',
    });

    this.subnetCidrs = {};
    const subnetFor = (r: string, index: number, constructId: string) => {
      const cidr = `${a}.${b}.${index * 16}.0/20`;
      this.subnetCidrs[r] = cidr;
      const subnet = new ComputeSubnetwork(this, constructId, {
        project,
        name: `${name}-${r}`,
        region: r,
        network: this.vpc.id,
        ipCidrRange: cidr,
        privateIpGoogleAccess: true,
        logConfig: { aggregationInterval: 'INTERVAL_5_MIN', flowSampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' },
      });
      this.subnetsByRegion[r] = subnet;
      return subnet;
    };
    this.subnet = subnetFor(region, 0, 'Subnet');
    this.extraSubnets = extra.map((r, i) => subnetFor(r, i + 1, `Subnet-${r}`));

    this.privateServicesRange = new ComputeGlobalAddress(this, 'PrivateServicesRange', {
      project,
      name: `${name}-private-services`,
      purpose: 'VPC_PEERING',
      addressType: 'INTERNAL',
      address: `${a}.${b}.128.0`,
      prefixLength: 17,
      network: this.vpc.id,
    });
    this.privateServicesConnection = new ServiceNetworkingConnection(this, 'PrivateServicesConnection', {
      network: this.vpc.id,
      service: 'servicenetworking.googleapis.com',
      reservedPeeringRanges: [this.privateServicesRange.name],
      // Removing the peering fails while Cloud SQL still uses it; leave it to the project.
      deletionPolicy: 'ABANDON',
    });
  }

  /** The subnet of `region` (the primary or one of `extraRegions`). */
  public subnetIn(region: string): ComputeSubnetwork {
    const found = this.subnetsByRegion[region];
    if (!found) {
      throw new ScaleLadderError(`region must be one of the network's regions ${JSON.stringify(Object.keys(this.subnetsByRegion))}, got '${region}'`);
    }
    return found;
  }
}
