/** What every Google Cloud construct of the library needs to know. */
export interface GcpBaseProps {
  /** The Google Cloud project id, e.g. `my-shop-prod`. */
  readonly project: string;
  /** The primary region, e.g. `us-central1` (one of the regions the library ships a zone table for). */
  readonly region: string;
  /**
   * Short name every Google Cloud resource name starts with (3-20 lowercase letters, digits or dashes).
   * Part of the resources' identity: never change it once deployed.
   * @default 'app'
   */
  readonly name?: string;
}
