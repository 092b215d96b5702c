import { ScaleLadderError } from '../../core/errors';
import { parseRungStamp, RUNG_STAMP_KEY, RungStamp } from '../../core/rung-stamp';
import { Tier } from '../../core/tier';
import { readGcpOutput } from '../upgrade/plan-output';

/*
 * The Google Cloud counterpart of the AWS FIS templates (lib/aws/operations/chaos-experiments.ts), from rung
 * 100M: a bash runbook with the exact gcloud commands, generated from a synthesized cdk.tf.json
 * (the names come from the output, as the planner reads them; no cdktf is loaded). Google Cloud
 * has no managed experiment templates here, so the runbook is the shipped artefact: the operator
 * runs it, and it stops itself when the SLO burn-rate alert the Operations layer creates opens.
 *
 * What each experiment does, and why, from Google's documentation:
 *
 * - Zone loss for the service. "Cloud Run is a regional offering. Data and traffic are
 *   automatically load balanced across zones within a region. In the event of a zonal failure,
 *   API operations are not affected and traffic will automatically route to other zones"
 *   (Understand zonal redundancy, https://cloud.google.com/run/docs/zonal-redundancy): a zone of
 *   a Cloud Run service cannot be taken down by its user. What can be exercised is the loss of a
 *   whole region's service: on rung 1B the global load balancer's backend service has one
 *   serverless NEG per active region, and the runbook removes one region's NEG
 *   (`gcloud compute backend-services remove-backend … --network-endpoint-group-region`,
 *   https://cloud.google.com/sdk/gcloud/reference/compute/backend-services/remove-backend) and
 *   adds it back with the same flags (`add-backend`,
 *   https://cloud.google.com/sdk/gcloud/reference/compute/backend-services/add-backend). A
 *   capacity scaler of 0 (`update-backend --capacity-scaler 0`) is not the way: the Backend
 *   reference says capacityScaler is "not available with backends that don't support using a
 *   balancingMode. This includes backends such as global internet NEGs, regional serverless NEGs"
 *   and that 0 cannot be set when the backend service has one backend
 *   (https://cloud.google.com/python/docs/reference/compute/1.8.0/google.cloud.compute_v1.types.Backend),
 *   and `update-backend` takes a NEG's zone but not its region
 *   (https://cloud.google.com/sdk/gcloud/reference/compute/backend-services/update-backend). On
 *   100M the backend service has a single backend (the standby region is outside the load
 *   balancer), so no region is drained there.
 * - Database failover per shard. `gcloud sql instances failover INSTANCE` "causes a
 *   high-availability Cloud SQL instance to failover"
 *   (https://cloud.google.com/sdk/gcloud/reference/sql/instances/failover): the standby in the
 *   other zone becomes the primary, as on a zone outage; the instance must be in a normal
 *   operating state (Overview of the high availability configuration,
 *   https://cloud.google.com/sql/docs/postgres/high-availability). Each shard's primary is checked
 *   first with `gcloud sql instances describe --format='value(settings.availabilityType,state)'`
 *   (REGIONAL and RUNNABLE; https://cloud.google.com/sdk/gcloud/reference/sql/instances/describe).
 * - Stop condition. The alerting policy whose condition is `select_slo_burn_rate(…)` is found by
 *   its display name (`gcloud monitoring policies list --filter`,
 *   https://cloud.google.com/sdk/gcloud/reference/monitoring/policies/list), and an open alert of
 *   it stops the experiment (`gcloud monitoring alerts list --filter="state=OPEN AND
 *   policy.display_name=…"`, https://cloud.google.com/sdk/gcloud/reference/monitoring/alerts/list;
 *   alert states OPEN and CLOSED, https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alerts):
 *   the drained region is added back at once and no further shard fails over.
 */

/** Options of {@link gcpChaosRunbook}. */
export interface GcpChaosRunbookOptions {
  /**
   * The region whose serverless NEG the region drain removes (1B); one of the backend service's.
   * @default - the first backend's region (the primary)
   */
  readonly drainRegion?: string;
}

/** A Cloud SQL primary the runbook fails over. */
export interface ChaosShard {
  readonly shard: number;
  readonly instance: string;
  readonly region: string;
}

/** A serverless NEG behind the load balancer. */
export interface ChaosBackend {
  readonly neg: string;
  readonly region: string;
}

/** What the runbook acts on, read from the output. */
export interface ChaosTargets {
  readonly rung: string;
  readonly project: string;
  readonly backendService: string;
  readonly backends: ChaosBackend[];
  /** The backend the region drain removes; undefined when the backend service has only one. */
  readonly drain?: ChaosBackend;
  readonly shards: ChaosShard[];
  readonly alertPolicy: string;
}

const FIRST_RUNG = '100M';

/** `${type.name.attr}` → the body of `type.name` in `config`. */
function referenced(config: any, expression: unknown): { type: string; body: any } | undefined {
  const m = String(expression).match(/^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/);
  const body = m ? config.resource?.[m[1]]?.[m[2]] : undefined;
  return body ? { type: m![1], body } : undefined;
}

function bodies(config: any, type: string): any[] {
  return Object.values<any>(config.resource?.[type] ?? {});
}

/** Values go into the script single-quoted, and the alert policy's name inside a double-quoted filter. */
function requirePlain(what: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9 _:.,()%/-]+$/.test(value)) {
    throw new ScaleLadderError(`chaos runbook: ${what} must be a plain name (letters, digits, spaces, _ : . , ( ) % / -), got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * What the runbook acts on in a synthesized Google Cloud rung (`cdk.tf.json`, parsed): the HA
 * Cloud SQL primaries (shard 0 and every shard), the load balancer's backend service and its
 * serverless NEGs, and the SLO burn-rate alerting policy. Throws a ScaleLadderError below rung
 * 100M or when the output lacks one of them.
 */
export function chaosTargets(config: any, options: GcpChaosRunbookOptions = {}): ChaosTargets {
  const stamp: RungStamp | undefined = parseRungStamp(config?.['//']?.[RUNG_STAMP_KEY]);
  if (!stamp) {
    throw new ScaleLadderError('chaos runbook: the output has no rung stamp (the "//" block of cdk.tf.json that a scale-ladder stack writes); expected the cdk.tf.json of a Google Cloud scale-ladder rung from 100M');
  }
  const rank = Tier.fromName(stamp.rung).rank;
  if (rank < Tier.fromName(FIRST_RUNG).rank) {
    throw new ScaleLadderError(`chaos runbook: Google Cloud chaos experiments start at rung ${FIRST_RUNG} (HA Cloud SQL shards, a second region, the SLO burn-rate alert as stop condition); this output is rung ${stamp.rung}${stamp.tier !== stamp.rung ? ` (tier '${stamp.tier}')` : ''}`);
  }

  const primaries = bodies(config, 'google_sql_database_instance').filter(b => !b.master_instance_name);
  const shards = primaries.map(b => {
    // Shard 0 is the SeparatedDatabase's instance, shard i the ShardedCluster's `Shard<i>`.
    const m = String(b['//']?.metadata?.path ?? '').match(/\/Shard(\d+)\/Instance$/) ?? String(b.name).match(/-shard-(\d+)$/);
    return { shard: m ? Number(m[1]) : 0, instance: requirePlain('a Cloud SQL instance name', b.name), region: requirePlain('a region', b.region), ha: b.settings?.availability_type };
  }).sort((a, b) => a.shard - b.shard);
  const zonal = shards.filter(s => s.ha !== 'REGIONAL');
  if (shards.length === 0 || zonal.length > 0) {
    throw new ScaleLadderError(`chaos runbook: every shard's Cloud SQL primary must be highly available (settings.availability_type REGIONAL) to fail over, got ${shards.length === 0 ? 'no primary' : zonal.map(s => `${s.instance} (${s.ha ?? 'ZONAL'})`).join(', ')}`);
  }

  const services = bodies(config, 'google_compute_backend_service').filter(b => b.load_balancing_scheme === 'EXTERNAL_MANAGED');
  if (services.length !== 1) {
    throw new ScaleLadderError(`chaos runbook: expected the load balancer's one backend service (google_compute_backend_service, EXTERNAL_MANAGED), got ${services.length}`);
  }
  const backends = (services[0].backend ?? []).map((b: any) => {
    const neg = referenced(config, b.group);
    if (neg?.type !== 'google_compute_region_network_endpoint_group') {
      throw new ScaleLadderError(`chaos runbook: backend ${JSON.stringify(b.group)} of ${services[0].name} is not a serverless NEG of this output`);
    }
    return { neg: requirePlain('a NEG name', neg.body.name), region: requirePlain('a region', neg.body.region) };
  });
  let drain: ChaosBackend | undefined;
  if (options.drainRegion !== undefined) {
    drain = backends.find((b: ChaosBackend) => b.region === options.drainRegion);
    if (!drain || backends.length < 2) {
      throw new ScaleLadderError(`chaos runbook: drainRegion must be one of the regions behind a load balancer with more than one (${backends.map((b: ChaosBackend) => `'${b.region}'`).join(', ')}), got '${options.drainRegion}'`);
    }
  } else if (backends.length > 1) {
    drain = backends[0];
  }

  const burn = bodies(config, 'google_monitoring_alert_policy')
    .filter(p => (p.conditions ?? []).some((c: any) => String(c.condition_threshold?.filter ?? '').startsWith('select_slo_burn_rate(')));
  if (burn.length !== 1) {
    throw new ScaleLadderError(`chaos runbook: expected one alerting policy on the SLO burn rate (a condition filter select_slo_burn_rate(…), the Operations layer's), got ${burn.length}`);
  }

  return {
    rung: stamp.rung,
    project: requirePlain('the project', primaries[0].project ?? config.provider?.google?.[0]?.project),
    backendService: requirePlain('the backend service name', services[0].name),
    backends,
    drain,
    shards: shards.map(({ shard, instance, region }) => ({ shard, instance, region })),
    alertPolicy: requirePlain('the alert policy display name', burn[0].display_name),
  };
}

const q = (value: string) => `'${value}'`;

/**
 * The chaos runbook of a synthesized Google Cloud rung from 100M, as a bash script. Run it with
 * gcloud authenticated for the project (`PROJECT=… bash chaos.sh [all|region-drain|database-failover]`);
 * `DRY_RUN=1` prints the commands that change something instead of running them (reads still run).
 * POLL_SECONDS (30), HOLD_SECONDS (600: how long a region stays drained) and SETTLE_SECONDS (300:
 * the wait after each failover) tune it.
 */
export function gcpChaosRunbook(config: any, options: GcpChaosRunbookOptions = {}): string {
  const t = chaosTargets(config, options);
  const lines: string[] = [];
  const add = (...xs: string[]) => lines.push(...xs);

  add(
    '#!/usr/bin/env bash',
    `# scale-ladder chaos runbook, Google Cloud rung ${t.rung}: generated by lib/gcp/operations/chaos-runbook.ts from the rung's cdk.tf.json.`,
    '#   bash chaos.sh [all|region-drain|database-failover]     (DRY_RUN=1 prints the changing commands instead)',
    '# Stop condition: an open alert of the SLO burn-rate policy below stops the run and restores the load balancer.',
    '#   gcloud monitoring policies list: https://cloud.google.com/sdk/gcloud/reference/monitoring/policies/list',
    '#   gcloud monitoring alerts list:   https://cloud.google.com/sdk/gcloud/reference/monitoring/alerts/list',
    'set -euo pipefail',
    '',
    `PROJECT=\${PROJECT:-${q(t.project)}}`,
    `ALERT_POLICY=${q(t.alertPolicy)}`,
    `BACKEND_SERVICE=${q(t.backendService)}`,
    'POLL_SECONDS=${POLL_SECONDS:-30}',
    'HOLD_SECONDS=${HOLD_SECONDS:-600}',
    'SETTLE_SECONDS=${SETTLE_SECONDS:-300}',
    'EXPERIMENT=${1:-all}',
    '',
    'say() { printf \'chaos: %s\\n\' "$*"; }',
    'fail() { printf \'chaos: %s\\n\' "$*" >&2; exit 1; }',
    '# Commands that change something; DRY_RUN=1 prints them instead.',
    'run() { if [ "${DRY_RUN:-0}" = 1 ]; then printf \'+\'; printf \' %q\' "$@"; printf \'\\n\'; else "$@"; fi; }',
    '',
    '# Whether the SLO burn-rate policy has an open alert. A stop condition that cannot be read stops the run.',
    'alert_open() {',
    '  local open',
    '  open=$(gcloud monitoring alerts list --project="$PROJECT" --filter="state=OPEN AND policy.display_name=\\"$ALERT_POLICY\\"" --format=\'value(name)\') \\',
    '    || fail "cannot read the alerts of $PROJECT (the stop condition): stopping"',
    '  [ -n "$open" ]',
    '}',
    '',
    '# Polls the stop condition for SECONDS; returns 1 as soon as the alert is open.',
    'watch_alert() {',
    '  local checks=$(( $1 / (POLL_SECONDS > 0 ? POLL_SECONDS : 1) ))',
    '  [ "$checks" -ge 1 ] || checks=1',
    '  for _ in $(seq "$checks"); do',
    '    if alert_open; then return 1; fi',
    '    sleep "$POLL_SECONDS"',
    '  done',
    '}',
    '',
    'preflight() {',
    '  local policy',
    '  policy=$(gcloud monitoring policies list --project="$PROJECT" --filter="display_name=\\"$ALERT_POLICY\\"" --format=\'value(name)\') \\',
    '    || fail "cannot list the alerting policies of $PROJECT"',
    '  [ -n "$policy" ] || fail "the alerting policy \'$ALERT_POLICY\' is missing in $PROJECT: deploy the rung (its Operations layer) before any experiment"',
    '  if alert_open; then fail "the SLO burn-rate alert is already open: no experiment while the service is unhealthy"; fi',
    '}',
    '',
  );

  // --- region drain ---
  add('# Zone loss for the service. Cloud Run keeps a service up through a zone outage by itself');
  add('# (https://cloud.google.com/run/docs/zonal-redundancy); what is exercised is the loss of a region\'s service.');
  if (t.drain) {
    const d = t.drain;
    const others = t.backends.filter(b => b !== d).map(b => b.region).join(', ');
    add(
      `# ${d.region} leaves the load balancer (its serverless NEG is removed from ${t.backendService}); ${others} must serve.`,
      '# A capacity scaler of 0 is not available for serverless NEG backends, so the backend is removed and added back',
      '# (https://cloud.google.com/sdk/gcloud/reference/compute/backend-services/remove-backend, …/add-backend).',
      '# Terraform owns the backend list: if this script dies before restore, `terraform apply` adds it back too.',
      `DRAIN_NEG=${q(d.neg)}`,
      `DRAIN_REGION=${q(d.region)}`,
      'DRAINED=0',
      'restore_region() {',
      '  if [ "$DRAINED" = 1 ]; then',
      '    say "restoring $DRAIN_REGION: adding $DRAIN_NEG back to $BACKEND_SERVICE"',
      '    run gcloud compute backend-services add-backend "$BACKEND_SERVICE" --global --project="$PROJECT" \\',
      '      --network-endpoint-group="$DRAIN_NEG" --network-endpoint-group-region="$DRAIN_REGION"',
      '    DRAINED=0',
      '  fi',
      '}',
      'region_drain() {',
      '  trap restore_region EXIT',
      '  trap \'restore_region; exit 130\' INT TERM',
      '  say "draining $DRAIN_REGION: removing $DRAIN_NEG from $BACKEND_SERVICE for $HOLD_SECONDS s"',
      '  run gcloud compute backend-services remove-backend "$BACKEND_SERVICE" --global --project="$PROJECT" \\',
      '    --network-endpoint-group="$DRAIN_NEG" --network-endpoint-group-region="$DRAIN_REGION"',
      '  DRAINED=1',
      '  if ! watch_alert "$HOLD_SECONDS"; then',
      '    say "STOP: the SLO burn-rate alert opened while $DRAIN_REGION was drained"',
      '    restore_region',
      '    return 1',
      '  fi',
      '  restore_region',
      `  say "region drain passed: ${others} served without burning the error budget"`,
      '}',
    );
  } else {
    add(
      `# Rung ${t.rung}: ${t.backendService} has one backend (the standby region is outside the load balancer), so no region is drained.`,
      'region_drain() {',
      `  say "region drain: not on rung ${t.rung} (one backend behind ${t.backendService}); Cloud Run rides out a zone loss by itself"`,
      '}',
    );
  }
  add('');

  // --- database failover ---
  add(
    '# Database failover per shard: the HA standby in the other zone becomes the primary, as on a zone outage',
    '# (https://cloud.google.com/sdk/gcloud/reference/sql/instances/failover, https://cloud.google.com/sql/docs/postgres/high-availability).',
    '# A failover is not undone: the instance keeps serving from the other zone (fail over again to move back).',
    'failover_shard() {',
    '  local shard=$1 instance=$2',
    '  local state',
    '  state=$(gcloud sql instances describe "$instance" --project="$PROJECT" --format=\'value(settings.availabilityType,state)\')',
    '  [ "$state" = "$(printf \'REGIONAL\\tRUNNABLE\')" ] || fail "shard $shard ($instance) is not a runnable HA instance (got \'$state\'): stopping"',
    '  if alert_open; then say "STOP: the SLO burn-rate alert is open before shard $shard"; return 1; fi',
    '  say "shard $shard: failing over $instance"',
    '  run gcloud sql instances failover "$instance" --project="$PROJECT" --quiet',
    '  if ! watch_alert "$SETTLE_SECONDS"; then say "STOP: the SLO burn-rate alert opened after the failover of shard $shard ($instance)"; return 1; fi',
    '}',
    'database_failover() {',
    ...t.shards.map(s => `  failover_shard ${s.shard} ${q(s.instance)}   # ${s.region}`),
    `  say "database failover passed: ${t.shards.length} shard primaries failed over one by one without burning the error budget"`,
    '}',
    '',
    'preflight',
    'case "$EXPERIMENT" in',
    '  all) region_drain; database_failover ;;',
    '  region-drain) region_drain ;;',
    '  database-failover) database_failover ;;',
    '  *) fail "usage: chaos.sh [all|region-drain|database-failover], got \'$EXPERIMENT\'" ;;',
    'esac',
    '',
  );
  return lines.join('\n');
}

/**
 * The runbook of a cdktf output on disk (a cdktf.out directory, a stack directory or one
 * cdk.tf.json, as `scale-ladder plan` reads them) holding one stack.
 */
export function gcpChaosRunbookFromOutput(target: string, options: GcpChaosRunbookOptions = {}): string {
  const stacks = readGcpOutput(target);
  const names = Object.keys(stacks);
  if (names.length !== 1) {
    throw new ScaleLadderError(`chaos runbook: ${target} holds ${names.length} stacks (${names.join(', ')}); give the directory or cdk.tf.json of one`);
  }
  return gcpChaosRunbook(stacks[names[0]], options);
}
