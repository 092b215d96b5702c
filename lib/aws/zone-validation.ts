import type { GeoRoutingZone } from './geo-routed-regions';
import { requirePattern } from '../core/errors';

/** Throws unless the zone's id and name are well-formed. Internal. */
export function requireValidZone(zone: GeoRoutingZone): void {
  requirePattern('zone.hostedZoneId', zone?.hostedZoneId, /^Z[A-Z0-9]{1,31}$/, 'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ');
  requirePattern('zone.zoneName', zone?.zoneName, /^([a-z0-9-]+\.)+[a-z]{2,}$/, 'a lower-case domain such as example.com');
}
