import { defaultPeers, knownRegions, zonesOf } from './regions';

/** The Google Cloud regions the library ships zone data for (synth never looks them up). */
export class GcpRegions {
  /** Every region name the library accepts, sorted. */
  public static names(): string[] {
    return knownRegions();
  }

  /** The three zones the library uses in `region`. */
  public static zones(region: string): string[] {
    return [...zonesOf(region)];
  }

  /** The further regions used by default with `region` as primary (near one first). */
  public static defaultPeers(region: string): string[] {
    return defaultPeers(region);
  }

  private constructor() {}
}
