import { Testing } from 'cdktf';
import { all } from './support';
import { gcp, Sizing } from '../../lib';

function build(preset: typeof gcp.Tier1K, sizing?: Sizing): any {
  return JSON.parse(Testing.synthScope(scope => {
    new preset(scope, 'App', { project: 'test-project-1', region: 'us-central1', image: 'gcr.io/google-samples/hello-app:2.0', sizing });
  }));
}

describe('sizing on Google Cloud', () => {
  test('1M with sizes of its own: instance size, floor, machine tier, cache memory', () => {
    const config = build(gcp.Tier1M, { fleetVcpu: 2, fleetMemoryGib: 4, fleetMinInstances: 3, databaseMachineTier: 'db-custom-8-30720', cacheMemoryGib: 50 });
    const service = all(config, 'google_cloud_run_v2_service').find((s: any) => s.template?.scaling?.min_instance_count === 3);
    expect(service?.template.containers[0].resources.limits).toEqual({ cpu: '2', memory: '4Gi' });
    expect(all(config, 'google_sql_database_instance').filter((i: any) => i.settings.tier === 'db-custom-8-30720').length).toBeGreaterThan(0);
    expect(all(config, 'google_redis_instance').map((r: any) => r.memory_size_gb)).toEqual([50]);
  });

  test.each([
    [{ fleetVcpu: 3 }, 'sizing.fleetVcpu must be one of 1, 2, 4, 6, 8, got 3'],
    [{ databaseMachineTier: 'db.r7g.large' }, "sizing.databaseMachineTier must be a Cloud SQL machine tier such as db-custom-4-15360 (vCPUs and MiB) or db-perf-optimized-N-8, got 'db.r7g.large'"],
    [{ cacheNodeType: 'cache.r7g.large' }, 'sizing.cacheNodeType is an AWS setting; on Google Cloud use sizing.cacheMemoryGib'],
    [{ databaseMinCapacityAcu: 2 }, 'sizing.databaseMinCapacityAcu is an AWS setting'],
  ])('%j fails on every preset, even where its layer does not exist yet', (sizing, message) => {
    for (const preset of [gcp.Tier1K, gcp.Tier10K, gcp.Tier1M]) expect(() => build(preset, sizing as Sizing)).toThrow(message);
  });
});
