import { requirePattern, ScaleLadderError } from '../../core/errors';
import type { GeoRoutingZone } from '../edge/geo-routed-regions';

/**
 * Throws unless the zone's id and name are well-formed: a DNS name has labels of 1-63 characters
 * and at most 253 characters in all (RFC 1035, section 2.3.4), which Route 53 enforces for zone
 * and record names. Internal.
 */
export function requireValidZone(zone: GeoRoutingZone): void {
  if (zone === null || typeof zone !== 'object' || Array.isArray(zone)) {
    throw new ScaleLadderError(`zone must be { hostedZoneId, zoneName } such as { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }, got ${JSON.stringify(zone)}`);
  }
  requirePattern('zone.hostedZoneId', zone.hostedZoneId, /^Z[A-Z0-9]{1,31}$/, 'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ');
  requirePattern('zone.zoneName', zone.zoneName, /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a lower-case domain such as example.com (labels of 1-63 letters, digits or dashes, at most 253 characters)');
}
