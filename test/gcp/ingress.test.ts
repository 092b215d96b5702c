import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { Testing } from 'cdktf';
import { all, find, rung, RUNGS } from './support';
import { LOAD_BALANCER_INGRESS } from '../../lib/gcp/compute/cloud-run';
import { diffConfigs } from '../../lib/gcp/upgrade/planner';

/*
 * Cloud Run services behind the load balancer accept internal and load-balancer traffic only
 * (ingress INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER) from the rung with the load balancer; a
 * change of ingress updates the service in place.
 */

const withBalancer = RUNGS.filter(name => all(rung(name), 'google_compute_backend_service').length > 0);

/** The Cloud Run services a serverless NEG puts behind the load balancer. */
function servicesBehindBalancer(config: any): any[] {
  const negs = all(config, 'google_compute_region_network_endpoint_group').filter(n => n.network_endpoint_type === 'SERVERLESS');
  const names = new Set(negs.map(n => n.cloud_run.service));
  return Object.entries<any>(config.resource.google_cloud_run_v2_service ?? {})
    .filter(([address]) => names.has(`\${google_cloud_run_v2_service.${address}.name}`))
    .map(([, body]) => body);
}

test('the load balancer arrives on 100K and stays on every rung above', () => {
  expect(withBalancer).toEqual(['100K', '1M', '10M', '100M', '1B']);
});

describe.each(withBalancer)('rung %s', (name) => {
  const config = rung(name);

  test('every Cloud Run service behind the load balancer takes internal and load-balancer traffic only', () => {
    const services = servicesBehindBalancer(config);
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) expect(service.ingress).toBe(LOAD_BALANCER_INGRESS);
    expect(LOAD_BALANCER_INGRESS).toBe('INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER');
  });

  test('no Cloud Run service of the rung is open to all traffic', () => {
    for (const service of all(config, 'google_cloud_run_v2_service')) {
      expect(['INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER', 'INGRESS_TRAFFIC_INTERNAL_ONLY']).toContain(service.ingress);
    }
  });

  test('cdktf Testing: the synthesized stack has the web service with that ingress', () => {
    const text = JSON.stringify(config);
    expect(Testing.toHaveResourceWithProperties(text, CloudRunV2Service.tfResourceType, { ingress: LOAD_BALANCER_INGRESS })).toBe(true);
    expect(Testing.toHaveResourceWithProperties(text, CloudRunV2Service.tfResourceType, { ingress: 'INGRESS_TRAFFIC_ALL' })).toBe(false);
  });
});

test('changing ingress updates the web service in place (no ForceNew on ingress in the provider)', () => {
  const after = rung('100K');
  const before = JSON.parse(JSON.stringify(after));
  const web = find(before, 'google_cloud_run_v2_service', 'StatelessFleet/Service');
  web.ingress = 'INGRESS_TRAFFIC_ALL';
  const changes = diffConfigs(before, after).filter(c => c.type === 'google_cloud_run_v2_service');
  expect(changes.map(c => c.action)).toEqual(['UPDATE']);
});
