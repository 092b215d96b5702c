import { TerraformResourceLifecycle } from 'cdktf';
import { requirePattern, ScaleLadderError } from '../../core/errors';
import { requirePrivateCidr } from '../../core/validation';
import { GcpBaseProps } from '../base-props';
import { requireRegion } from '../network/regions';

export type { GcpBaseProps };

/** The checked base props with defaults filled in. Internal. */
export interface BaseSettings {
  readonly project: string;
  readonly region: string;
  readonly name: string;
}

/** Checks and fills in the base props. Internal. */
export function baseSettings(props: GcpBaseProps): BaseSettings {
  requirePattern('project', props.project, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
    'a Google Cloud project id (6-30 lowercase letters, digits or dashes, starting with a letter)');
  requireRegion('region', props.region);
  const name = props.name ?? 'app';
  requirePattern('name', name, /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/,
    '3-20 lowercase letters, digits or dashes, starting with a letter and not ending with a dash');
  return { project: props.project, region: props.region, name };
}

/** `lifecycle` for every resource that holds data. Internal. */
export const PROTECT: TerraformResourceLifecycle = { preventDestroy: true };

/** Labels every labelled resource carries. Internal. */
export function labels(name: string, layer: string): Record<string, string> {
  return { 'scale-ladder-app': name, 'scale-ladder-layer': layer.toLowerCase() };
}

/** Google's IAP TCP forwarding range: the only source allowed to reach SSH. Internal. */
export const IAP_RANGE = '35.235.240.0/20';

/** Throws unless `domain` is a DNS name. Internal. */
export function requireDomain(domain: string): string {
  return requirePattern('domainName', domain, /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "a lowercase DNS name such as 'shop.example.com'");
}

/** The DNS name of the private zone the geo-routed reader records live in. Internal. */
export function readerZoneDnsName(appName: string): string {
  return `db.${appName}.internal.`;
}

/** The geo-routed reader name of shard `shard` (with the trailing dot). Internal. */
export function readerDnsName(appName: string, shard: number): string {
  return shard === 0 ? `reader.${readerZoneDnsName(appName)}` : `shard-${shard}-reader.${readerZoneDnsName(appName)}`;
}

/** Parses and checks a private /16. Internal. */
export function parseNetworkCidr(cidr: string): number[] {
  requirePrivateCidr('cidr', cidr, 16, 16);
  const m = /^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/.exec(String(cidr));
  const a = m ? Number(m[1]) : -1;
  const b = m ? Number(m[2]) : -1;
  const isPrivate = a === 10 && b <= 255 || a === 172 && b >= 16 && b <= 31 || a === 192 && b === 168;
  if (!m || !isPrivate) {
    throw new ScaleLadderError(`cidr must be a private /16 (10.x.0.0/16, 172.16-31.0.0/16 or 192.168.0.0/16), got '${cidr}'`);
  }
  return [a, b];
}

/**
 * `text` written so that Terraform reads it back unchanged: Terraform treats `${` and `%{` in
 * any string of a configuration as the start of an interpolation or directive, and `$${` /
 * `%%{` as the literal characters (developer.hashicorp.com/terraform/language/expressions/strings,
 * "Escape Sequences"). cdktf passes literal text through as it is. Internal.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Reverses `terraformLiteral` (what Terraform hands the resource). Internal. */
export function fromTerraformLiteral(text: string): string {
  return text.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}
