import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { rung, RUNGS } from './support';
import { chaosTargets, gcpChaosRunbook, gcpChaosRunbookFromOutput } from '../../lib/gcp/operations/chaos-runbook';

/*
 * The Google Cloud chaos runbook (lib/gcp/operations/chaos-runbook.ts) on the 100M and 1B rungs of the run's
 * cache: the commands name what the output declares, bash parses the script, only the gcloud
 * commands and flags the module cites are used, and the script runs against a stand-in gcloud that
 * records its calls and opens the SLO alert when told to.
 */

/** The Cloud SQL primaries, the load balancer's backend service with its NEGs, and the SLO burn-rate policy, read here independently. */
function declared(config: any) {
  const res = config.resource;
  const primaries = Object.values<any>(res.google_sql_database_instance).filter(b => !b.master_instance_name);
  const service = Object.values<any>(res.google_compute_backend_service)[0];
  const negs = service.backend.map((b: any) => {
    const [, name] = b.group.match(/^\$\{google_compute_region_network_endpoint_group\.([^.]+)\.id\}$/);
    return res.google_compute_region_network_endpoint_group[name];
  });
  const policy = Object.values<any>(res.google_monitoring_alert_policy)
    .find(p => p.conditions[0].condition_threshold.filter.startsWith('select_slo_burn_rate('));
  return { primaries, service, negs, policy, project: primaries[0].project };
}

/** Every gcloud command line of a script, as [subcommand words, flag names]. */
function gcloudCalls(script: string): Array<{ command: string; flags: string[] }> {
  return script.split('\n').map(l => l.replace(/#.*$/, ''))
    .join('\n').replace(/\\\n\s*/g, ' ')
    .split('\n')
    .flatMap(l => [...l.matchAll(/gcloud ((?:[a-z-]+ )+)(.*?)(?:\)|$)/g)])
    .map(m => ({ command: m[1].trim().split(' ').filter(w => !w.startsWith('"') && !w.startsWith('$')).join(' '), flags: [...m[2].matchAll(/(--[a-z-]+)/g)].map(f => f[1]).sort() }));
}

/** The gcloud commands and flags the module's comments cite (cloud.google.com/sdk/gcloud/reference/…). */
const CITED: Record<string, string[]> = {
  'monitoring alerts list': ['--filter', '--format', '--project'],
  'monitoring policies list': ['--filter', '--format', '--project'],
  'sql instances describe': ['--format', '--project'],
  'sql instances failover': ['--project', '--quiet'],
  'compute backend-services remove-backend': ['--global', '--network-endpoint-group', '--network-endpoint-group-region', '--project'],
  'compute backend-services add-backend': ['--global', '--network-endpoint-group', '--network-endpoint-group-region', '--project'],
};

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string; readonly calls: string[] }

/**
 * Runs a runbook with a stand-in gcloud on PATH that logs each call; the SLO alert reads as open
 * from the `openAfter`-th alerts query on (never by default); `failAlerts` makes that query fail.
 */
function runScript(script: string, args: string[], opts: { openAfter?: number; failAlerts?: boolean; env?: Record<string, string> } = {}): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-chaos-'));
  try {
    const log = path.join(dir, 'calls.log');
    const counter = path.join(dir, 'alerts.count');
    fs.writeFileSync(path.join(dir, 'gcloud'), `#!/usr/bin/env bash
printf '%s\\n' "$*" >> ${JSON.stringify(log)}
case "$*" in
  "monitoring policies list"*) echo projects/p/alertPolicies/123 ;;
  "monitoring alerts list"*)
    ${opts.failAlerts ? 'echo "ERROR: (gcloud) permission denied" >&2; exit 1' : ''}
    n=$(( $(cat ${JSON.stringify(counter)} 2>/dev/null || echo 0) + 1 )); echo $n > ${JSON.stringify(counter)}
    if [ "$n" -ge ${opts.openAfter ?? 1_000_000} ]; then echo projects/p/alerts/1; fi ;;
  "sql instances describe"*) printf 'REGIONAL\\tRUNNABLE\\n' ;;
esac
`, { mode: 0o755 });
    const file = path.join(dir, 'chaos.sh');
    fs.writeFileSync(file, script);
    const result = spawnSync('bash', [file, ...args], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH}`, POLL_SECONDS: '0', HOLD_SECONDS: '3', SETTLE_SECONDS: '2', ...opts.env },
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const changes = (run: Run) => run.calls.filter(c => /remove-backend|add-backend|instances failover/.test(c));

describe.each(['100M', '1B'])('rung %s', (name) => {
  const config = rung(name);
  const script = gcpChaosRunbook(config);
  const d = declared(config);

  test('names the project, the SLO burn-rate policy and every shard primary, with their regions', () => {
    expect(d.primaries.length).toBe(8);
    expect(script).toContain(`PROJECT=\${PROJECT:-'${d.project}'}`);
    expect(script).toContain(`ALERT_POLICY='${d.policy.display_name}'`);
    expect(d.policy.display_name).toBe('app: availability SLO burning fast');
    for (const p of d.primaries) {
      expect(p.settings.availability_type).toBe('REGIONAL');
      expect(script).toMatch(new RegExp(`failover_shard \\d+ '${p.name}'   # ${p.region}\\n`));
    }
    expect(script).toContain(`BACKEND_SERVICE='${d.service.name}'`);
  });

  test('bash accepts the script (bash -n)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-chaos-'));
    try {
      fs.writeFileSync(path.join(dir, 'chaos.sh'), script);
      const result = spawnSync('bash', ['-n', path.join(dir, 'chaos.sh')], { encoding: 'utf8' });
      expect({ code: result.status, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('uses only the gcloud commands and flags the module cites', () => {
    const calls = gcloudCalls(script);
    expect(calls.length).toBeGreaterThanOrEqual(name === '1B' ? 6 : 4);
    for (const call of calls) expect({ command: call.command, flags: call.flags }).toEqual({ command: call.command, flags: CITED[call.command] });
  });

  test('database failover: every shard primary, in shard order, each after a readiness check', () => {
    const run = runScript(script, ['database-failover']);
    expect(run.code).toBe(0);
    const expected = [...d.primaries].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
      .map(p => `sql instances failover ${p.name} --project=${d.project} --quiet`);
    expect(changes(run)).toEqual(expected);
    expect(run.calls.filter(c => c.startsWith('sql instances describe'))).toHaveLength(8);
    expect(run.stdout).toContain('database failover passed');
  });

  test('the SLO alert opening after a failover stops the run before the next shard', () => {
    // Alerts queries: 1 preflight; per shard 1 before the failover and 2 while it settles (SETTLE_SECONDS 2, POLL_SECONDS 0).
    const run = runScript(script, ['database-failover'], { openAfter: 4 });
    expect(run.code).toBe(1);
    expect(changes(run)).toEqual([`sql instances failover app-db --project=${d.project} --quiet`]);
    expect(run.stdout).toContain('STOP: the SLO burn-rate alert opened after the failover of shard 0 (app-db)');
  });

  test('refuses to start while the alert is open, and stops when the alerts cannot be read', () => {
    const open = runScript(script, ['all'], { openAfter: 1 });
    expect(open.code).toBe(1);
    expect(changes(open)).toEqual([]);
    expect(open.stderr).toContain('already open');
    const unreadable = runScript(script, ['all'], { failAlerts: true });
    expect(unreadable.code).toBe(1);
    expect(changes(unreadable)).toEqual([]);
    expect(unreadable.stderr).toContain('cannot read the alerts');
  });

  test('DRY_RUN=1 prints the changing commands and runs none', () => {
    const run = runScript(script, ['all'], { env: { DRY_RUN: '1' } });
    expect(run.code).toBe(0);
    expect(changes(run)).toEqual([]);
    expect(run.stdout).toContain(`+ gcloud sql instances failover app-db-shard-7 --project=${d.project} --quiet`);
  });
});

describe('region drain', () => {
  test('1B: removes the primary region\'s serverless NEG from the backend service and adds it back', () => {
    const d = declared(rung('1B'));
    expect(d.negs.map((n: any) => n.region)).toEqual(['us-central1', 'us-east1', 'europe-west1']);
    const run = runScript(gcpChaosRunbook(rung('1B')), ['region-drain']);
    expect(run.code).toBe(0);
    const flags = `--global --project=${d.project} --network-endpoint-group=${d.negs[0].name} --network-endpoint-group-region=us-central1`;
    expect(changes(run)).toEqual([`compute backend-services remove-backend ${d.service.name} ${flags}`, `compute backend-services add-backend ${d.service.name} ${flags}`]);
  });

  test('1B: the SLO alert opening while drained restores the region at once and fails the run', () => {
    const run = runScript(gcpChaosRunbook(rung('1B')), ['all'], { openAfter: 3 });
    expect(run.code).toBe(1);
    expect(changes(run).map(c => c.split(' ').slice(0, 3).join(' '))).toEqual(['compute backend-services remove-backend', 'compute backend-services add-backend']);
    expect(run.stdout).toContain('STOP: the SLO burn-rate alert opened while us-central1 was drained');
  });

  test('1B: an unreadable stop condition while drained still restores the region', () => {
    // Without the preflight, the first alerts query is the one made while the region is drained.
    const script = gcpChaosRunbook(rung('1B')).replace('preflight\ncase', 'case');
    const run = runScript(script, ['region-drain'], { failAlerts: true });
    expect(run.code).toBe(1);
    expect(changes(run).map(c => c.split(' ')[2])).toEqual(['remove-backend', 'add-backend']);
  });

  test('1B: drainRegion picks another region; a region outside the load balancer is refused', () => {
    const d = declared(rung('1B'));
    const europe = chaosTargets(rung('1B'), { drainRegion: 'europe-west1' });
    expect(europe.drain).toEqual({ neg: d.negs[2].name, region: 'europe-west1' });
    expect(gcpChaosRunbook(rung('1B'), { drainRegion: 'europe-west1' })).toContain(`DRAIN_NEG='${d.negs[2].name}'`);
    expect(() => chaosTargets(rung('1B'), { drainRegion: 'asia-east1' }))
      .toThrow("chaos runbook: drainRegion must be one of the regions behind a load balancer with more than one ('us-central1', 'us-east1', 'europe-west1'), got 'asia-east1'");
  });

  test('100M: one backend behind the load balancer, so nothing is drained, and drainRegion is refused', () => {
    expect(declared(rung('100M')).negs).toHaveLength(1);
    const run = runScript(gcpChaosRunbook(rung('100M')), ['all']);
    expect(run.code).toBe(0);
    expect(run.calls.some(c => c.includes('backend-services'))).toBe(false);
    expect(run.stdout).toContain('region drain: not on rung 100M');
    expect(changes(run)).toHaveLength(8);
    expect(() => chaosTargets(rung('100M'), { drainRegion: 'us-central1' })).toThrow(/drainRegion must be one of the regions behind a load balancer with more than one \('us-central1'\)/);
  });
});

describe('refusals', () => {
  test.each(RUNGS.slice(0, RUNGS.indexOf('100M')))('rung %s is below 100M', (name) => {
    expect(() => gcpChaosRunbook(rung(name))).toThrow(`chaos runbook: Google Cloud chaos experiments start at rung 100M (HA Cloud SQL shards, a second region, the SLO burn-rate alert as stop condition); this output is rung ${name}`);
  });

  test('an output without a rung stamp, or without the SLO burn-rate policy', () => {
    const unstamped = JSON.parse(JSON.stringify(rung('1B')));
    delete unstamped['//'];
    expect(() => gcpChaosRunbook(unstamped)).toThrow(/has no rung stamp/);
    const noAlert = JSON.parse(JSON.stringify(rung('1B')));
    for (const [k, p] of Object.entries<any>(noAlert.resource.google_monitoring_alert_policy)) {
      if (p.conditions[0].condition_threshold.filter.startsWith('select_slo_burn_rate(')) delete noAlert.resource.google_monitoring_alert_policy[k];
    }
    expect(() => gcpChaosRunbook(noAlert)).toThrow('chaos runbook: expected one alerting policy on the SLO burn rate (a condition filter select_slo_burn_rate(…), the Operations layer\'s), got 0');
  });

  test('a shard primary without high availability', () => {
    const zonal = JSON.parse(JSON.stringify(rung('100M')));
    const shard3 = Object.values<any>(zonal.resource.google_sql_database_instance).find(b => b.name === 'app-db-shard-3');
    shard3.settings.availability_type = 'ZONAL';
    expect(() => gcpChaosRunbook(zonal)).toThrow('chaos runbook: every shard\'s Cloud SQL primary must be highly available (settings.availability_type REGIONAL) to fail over, got app-db-shard-3 (ZONAL)');
  });
});

test('reads a cdktf output on disk the way `scale-ladder plan` does', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-chaos-'));
  try {
    fs.mkdirSync(path.join(dir, 'stacks', 'scale-ladder'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'stacks', 'scale-ladder', 'cdk.tf.json'), JSON.stringify(rung('1B')));
    expect(gcpChaosRunbookFromOutput(dir)).toBe(gcpChaosRunbook(rung('1B')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
