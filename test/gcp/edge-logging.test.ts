import { all, resources, rung, RUNGS } from './support';
import { Tier } from '../../lib';
import { forcesReplacement } from '../../lib/gcp/upgrade/update-behaviour';

/*
 * The Google Cloud edge logs what Cloud Armor decides: Cloud Armor's per-request decisions are
 * recorded only in the load balancer's request logs, which a backend service writes only with
 * log_config enabled, and at the backend service's sample rate ("Use request logging", Cloud
 * Armor documentation). Every backend service logs every request (sample rate 1), so no blocked
 * or throttled request goes unrecorded.
 */

const WITH_BALANCER = RUNGS.filter(name => all(rung(name), 'google_compute_backend_service').length > 0);
const WITH_EDGE = RUNGS.filter(name => Tier.fromName(name).spec.cdn);

describe.each(WITH_BALANCER)('rung %s on Google Cloud', (name) => {
  const config = rung(name);

  test('every backend service logs every request', () => {
    const services = all(config, 'google_compute_backend_service');
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) expect(service.log_config).toEqual({ enable: true, sample_rate: 1 });
  });
});

describe.each(WITH_EDGE)('rung %s on Google Cloud (edge)', (name) => {
  const config = rung(name);

  test('the Cloud Armor policy guards a backend service that logs its decisions', () => {
    const policies = resources(config).filter(([type]) => type === 'google_compute_security_policy');
    expect(policies).toHaveLength(1);
    const [[, policyName]] = policies;
    const guarded = all(config, 'google_compute_backend_service')
      .filter(s => s.security_policy === `\${google_compute_security_policy.${policyName}.self_link}`);
    expect(guarded.length).toBeGreaterThanOrEqual(1);
    for (const service of guarded) expect(service.log_config).toEqual({ enable: true, sample_rate: 1 });
  });
});

test('turning request logging on or changing its sample rate updates the backend service in place (no ForceNew)', () => {
  for (const path of ['log_config', 'log_config.0.enable', 'log_config.0.sample_rate']) {
    expect(forcesReplacement('google_compute_backend_service', path)).toBe(false);
  }
  // The table does flag what the provider does force new, so the check above can fail.
  expect(forcesReplacement('google_compute_backend_service', 'name')).toBe(true);
});
