import { databaseVersionChange, DeletionGuard, deletionGuards, forcesReplacement, inPlaceUpdate, InterruptionBehaviour } from './update-behaviour';
import { parseRungStamp, RUNG_STAMP_KEY, RungStamp, rungStampOf } from '../../core/rung-stamp';
import { expectedAssignments, movesArgument, rebalanceBatches } from '../../core/shard-rebalance';
import { ShardRouter } from '../../core/shard-router';
import { Tier } from '../../core/tier';
import {
  ChangeAction, intermediateRung, Interruption, losesData, MigrationStep, requiredMigrations, ResourceChange, shardCountOf, STEP_SOURCE,
  UpgradePlan, verdictOf,
} from '../../core/upgrade-plan';
import { COPY_UNIT, copyCommand, DISK_UNMOUNTED_LOG, MIGRATED_MARKER, SERVER_METADATA, SERVER_POSTGRES_IMAGE } from '../compute/startup-script';
import { GCP_APP_ID, GCP_STACK_NAME, layerOf } from '../ladder/demo-app';
import type { GcpRungOptions } from '../ladder/synth-rung';

export { COMMON_FORCE_NEW, databaseVersionChange, DELETION_PROTECTION, deletionGuards, FORCE_NEW, FORCE_NEW_SOURCE, forceNewAttributes, forcesReplacement, IN_PLACE, inPlaceUpdate } from './update-behaviour';

/*
 * The Google Cloud upgrade planner: compares two Terraform JSON outputs (two rungs of the demo
 * app, or a user's own, read by plan-output.ts) address by address, and plans the data moves from
 * their rung stamps. Internal (the `scale-ladder plan --cloud gcp` command and the tests use it). What an
 * attribute change does comes from the cited tables in update-behaviour.ts: a ForceNew
 * attribute replaces; on a resource that holds data, so does any attribute the table does not
 * know to update in place.
 */

/** Resource types that hold data (or, for the server's static address, an identity DNS points at). */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'google_sql_database_instance',
  'google_sql_database',
  'google_compute_disk',
  'google_compute_address',
  'google_storage_bucket',
  'google_redis_instance',
  'google_pubsub_topic',
  'google_pubsub_subscription',
  'google_secret_manager_secret',
  'google_secret_manager_secret_version',
  'random_password',
  'google_identity_platform_config',
]);

/**
 * What marks a resource of a type outside STATEFUL_TYPES as holding data in the output:
 * `lifecycle.prevent_destroy` or a `deletion_protection` attribute that is true. Undefined when
 * nothing does.
 */
export function dataMark(body: any): string | undefined {
  const yes = (v: unknown) => v === true || v === 'true';
  if (yes(body?.lifecycle?.prevent_destroy)) return 'lifecycle.prevent_destroy';
  if (yes(body?.deletion_protection)) return 'deletion_protection';
  return undefined;
}

/** Whether a resource of `type` with these bodies (either side) holds data: a stateful type, or one the output marks. */
export function holdsData(type: string, ...bodies: any[]): boolean {
  return STATEFUL_TYPES.has(type) || bodies.some(b => b !== undefined && dataMark(b) !== undefined);
}

/**
 * Whether `body` is a Cloud SQL read replica (`master_instance_name` set): it holds a copy of its
 * primary's data, so deleting or replacing it loses nothing (its primary keeps the data, and a new
 * replica is built from the primary: cloud.google.com/sql/docs/postgres/replication).
 */
export function isReadReplica(type: string, body: any): boolean {
  return type === 'google_sql_database_instance' && typeof body?.master_instance_name === 'string' && body.master_instance_name !== '';
}

/*
 * Where the steps' Terraform commands run. cdktf synthesizes each stack to
 * `cdktf.out/stacks/<stack name>/cdk.tf.json` (the name its output records in
 * "//".metadata.stackName), and `cdktf deploy` runs Terraform there; the steps say so with
 * Terraform's global -chdir option (developer.hashicorp.com/terraform/cli/commands, "Switching
 * working directory with -chdir"), run from the cdktf project's root, so that no step depends on
 * the directory an earlier one left the shell in.
 */

/** The stack name an output records ("//".metadata.stackName, written by cdktf), else `fallback`. */
export function stackNameOf(config: any, fallback: string): string {
  const name = config?.['//']?.metadata?.stackName;
  return typeof name === 'string' && name !== '' ? name : fallback;
}

/** The directory of a stack's synthesized output, relative to the cdktf project's root. */
export function stackDirectory(stack: string): string {
  return `cdktf.out/stacks/${stack}`;
}

/** `terraform apply` with `args`, run in the stack directory `dir`. */
function applyIn(dir: string, args = ''): string {
  return `terraform -chdir=${dir} apply${args ? ` ${args}` : ''}`;
}

/** Whether a body sets lifecycle.prevent_destroy. */
function preventsDestroy(body: any): boolean {
  const v = body?.lifecycle?.prevent_destroy;
  return v === true || v === 'true';
}

const FORCED = 'ForceNew: replaces';
const NOT_CITED = 'no cited in-place update: counted as a replacement';

/**
 * Why changing `path` replaces a resource of `type`; undefined when it updates in place.
 * `dataBearing` defaults to the type being in STATEFUL_TYPES; `values` (the JSON text before and
 * after) lets a conditional ForceNew follow the provider's rule.
 */
export function replacementCause(
  type: string, path: string, dataBearing = STATEFUL_TYPES.has(type), values?: { before?: string; after?: string },
): string | undefined {
  if (forcesReplacement(type, path, values)) return FORCED;
  if (dataBearing && !inPlaceUpdate(type, path)) return NOT_CITED;
  return undefined;
}

/** Attributes that are Terraform meta-arguments or cdktf metadata, not resource properties. */
const META = new Set(['//', 'lifecycle', 'depends_on', 'provider', 'count', 'for_each', 'provisioner', 'connection']);

/** Flattens a body to `path → JSON value` (objects joined with `.`, array items with `[i]`). */
export function flatten(body: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(body)) {
    if (body.length === 0) out[prefix] = '[]';
    body.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
  } else if (body !== null && typeof body === 'object') {
    const fields = Object.entries(body as Record<string, unknown>).filter(([k]) => prefix !== '' || !META.has(k));
    if (fields.length === 0 && prefix !== '') out[prefix] = '{}';
    for (const [k, v] of fields) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = JSON.stringify(body);
  }
  return out;
}

function normalise(path: string): string {
  return path.replace(/\[\d+\]/g, '');
}

interface Entry {
  readonly type: string;
  readonly name: string;
  readonly body: any;
}

function entries(config: any): Map<string, Entry> {
  const map = new Map<string, Entry>();
  for (const [type, instances] of Object.entries<any>(config?.resource ?? {})) {
    for (const [name, body] of Object.entries<any>(instances ?? {})) map.set(`${type}.${name}`, { type, name, body });
  }
  return map;
}

/** The attribute paths (no list positions) that differ between two bodies, sorted. */
export function changedAttributes(before: any, after: any): string[] {
  const fb = flatten(before);
  const fa = flatten(after);
  return [...new Set([...new Set([...Object.keys(fb), ...Object.keys(fa)])].filter(k => fb[k] !== fa[k]).map(normalise))].sort();
}

/** The one JSON value at normalised `path` of a flattened body, if exactly one key flattens to it. */
function valueAt(flat: Record<string, string>, path: string): string | undefined {
  const keys = Object.keys(flat).filter(k => normalise(k) === path);
  return keys.length === 1 ? flat[keys[0]] : undefined;
}

/** The resource addresses (`type.name`, not data sources) a string refers to in its `${…}` expressions. */
export function referencedAddresses(text: string): string[] {
  const out = new Set<string>();
  for (const [, expr] of text.matchAll(/\$\{([^}]*)\}/g)) {
    for (const m of expr.matchAll(/(?<![A-Za-z0-9_.])([a-z][a-z0-9]*_[a-z0-9_]*)\.([A-Za-z0-9_-]+)/g)) out.add(`${m[1]}.${m[2]}`);
  }
  return [...out];
}

/** What the planner needs to know about the outputs besides their resources. */
export interface DiffOptions {
  /** The composer's construct path in the before / after output (from its rung stamp); layers are read below it. */
  readonly fromComposer?: string;
  readonly toComposer?: string;
}

/** The layer of a body: the construct under the composer (or cdktf's `<stack>/<composer>/<layer>` without one). */
function layerIn(body: any, composer: string | undefined): string {
  const p = body?.['//']?.metadata?.path;
  if (composer === undefined || typeof p !== 'string') return layerOf(body);
  return p.startsWith(`${composer}/`) ? p.slice(composer.length + 1).split('/')[0] : '(stack)';
}

/** The name a resource is known by (resolved against its config where it refers to a literal). */
function displayName(config: any, body: any, fallback: string): string {
  const raw = body?.name ?? body?.secret_id ?? body?.account_id ?? body?.table_id ?? body?.dataset_id;
  return typeof raw === 'string' ? resolved(config, raw) : fallback;
}

/**
 * What deleting or replacing a data-bearing resource loses, in words. Sources: deleting a Cloud SQL
 * instance loses all its data, backups included unless they are retained past the deletion
 * (cloud.google.com/sql/docs/postgres/delete-instance);
 * deleting a subscription drops the messages retained in it
 * (cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions/delete); a topic's own
 * retained messages go with it; a bucket is deleted with its objects (Terraform's force_destroy, or
 * the apply fails on a non-empty bucket, cloud.google.com/storage/docs/deleting-buckets).
 */
export function lostBy(type: string, body: any, config: any, address: string): string {
  const name = displayName(config, body, address);
  switch (type) {
    case 'google_sql_database_instance': return `the Cloud SQL instance '${name}' and its databases (and its backups, unless they are set to be kept after deletion)`;
    case 'google_sql_database': return `the database '${name}' and every table in it`;
    case 'google_compute_disk': return `the disk '${name}' and the data on it`;
    case 'google_compute_address': return `the static IP address '${name}' (a new reservation gets another address; DNS pointing at the old one breaks)`;
    case 'google_storage_bucket': return `the objects in the bucket '${name}'`;
    case 'google_redis_instance': return `the data in Memorystore instance '${name}'`;
    case 'google_pubsub_topic': return `the topic '${name}' and the messages it retains; publishing to it fails`;
    case 'google_pubsub_subscription': return `the messages not yet delivered on subscription '${name}'`;
    case 'google_secret_manager_secret': return `the secret '${name}' and all its versions`;
    case 'google_secret_manager_secret_version': return 'the secret version\'s data';
    case 'random_password': return 'the generated password (a new one replaces it; whatever still uses the old one stops working)';
    default: return `what ${type} '${name}' holds (the output marks it as holding data: ${dataMark(body) ?? 'data-bearing'})`;
  }
}

/*
 * Kept out of Terraform by a `removed` block, a queue still loses its messages: Pub/Sub discards
 * a message once the message retention duration has passed (7 days by default), and
 * deletes a subscription left without subscriber activity for its expiration period (31 days by
 * default) (cloud.google.com/pubsub/docs/create-subscription, "Subscription properties").
 */
const EXPIRING: ReadonlySet<string> = new Set(['google_pubsub_topic', 'google_pubsub_subscription']);

/** `to`'s `moved` blocks (cdktf's moveTo / moveFromId), new address → old address. */
function movedBlocks(to: any): Map<string, string> {
  const moves = new Map<string, string>();
  for (const m of Array.isArray(to?.moved) ? to.moved : []) {
    if (typeof m?.from === 'string' && typeof m?.to === 'string') moves.set(m.to, m.from);
  }
  return moves;
}

/** `body` with its references to moved resources rewritten to their new addresses (a moved block makes them the same object). */
function movedReferences(body: any, moves: Map<string, string>): any {
  if (moves.size === 0) return body;
  let text = JSON.stringify(body);
  for (const [to, from] of moves) {
    text = text.replace(new RegExp(`(?<![A-Za-z0-9_.])${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`, 'g'), to);
  }
  return JSON.parse(text);
}

interface Paired {
  readonly id: string;
  readonly type: string;
  readonly before: Entry;
  readonly after: Entry;
  readonly dataBearing: boolean;
  /** Changed attribute → why it replaces (undefined: in place). */
  readonly causes: Map<string, string | undefined>;
  /** Changed attribute → the replaced resource it refers to. */
  readonly via: Map<string, string>;
}

function replaces(p: Paired): boolean {
  return [...p.causes.values()].some(c => c !== undefined);
}

/** The title of the step that turns deletion protection off (protections). */
const PROTECTION_STEP = 'Turn off deletion protection on the resources this apply deletes';

/** Words for a delete the guards stop. */
function guardedDelete(guards: readonly DeletionGuard[]): string {
  return `${guards.map(g => g.attribute).join(' and ')} ${guards.length > 1 ? 'are' : 'is'} set on it: the provider refuses the delete, so the apply fails at it until an earlier apply turns that off (step '${PROTECTION_STEP}')`;
}

/**
 * What replacing a data-bearing resource loses, and whether it happens. Terraform refuses to plan
 * the destroy of a resource whose configuration sets lifecycle.prevent_destroy, a replacement
 * included (developer.hashicorp.com/terraform/language/meta-arguments/lifecycle, prevent_destroy);
 * a ForceNew attribute replaces; an attribute without a cited in-place update may.
 */
function replacementLoss(p: Paired, from: any): string {
  const what = lostBy(p.type, p.before.body, from, `${p.before.type}.${p.before.name}`);
  if (preventsDestroy(p.after.body)) {
    return `${what}: Terraform refuses to plan a replacement of it (lifecycle.prevent_destroy is set), so the plan fails and nothing is applied; lifting prevent_destroy to let the replacement through would lose it`;
  }
  const causes = [...p.causes.entries()];
  const how = causes.some(([, c]) => c === FORCED)
    ? 'a new, empty one replaces it'
    : `it may be replaced: no in-place update is cited for ${causes.filter(([, c]) => c !== undefined).map(([k]) => k).join(', ')}, so the planner counts a replacement, which would lose it`;
  const guards = deletionGuards(p.type, p.before.body);
  return guards.length > 0 ? `${what}: ${how}; ${guardedDelete(guards)}` : `${what}: ${how}`;
}

/**
 * Compares two Terraform JSON configurations address by address. A REPLACE names, next to each
 * attribute that causes it, why (`ForceNew: replaces`, or `no cited in-place update: counted as
 * a replacement` for a resource that holds data). A resource that refers to a replaced one
 * (`${type.name.attr}`) counts that attribute as changed: the new object's computed attributes
 * are known only after apply (Terraform's plan shows them as "(known after apply)"), so a ForceNew
 * attribute holding such a reference replaces the referring resource too, and so on through
 * chains. Every reference to a replaced resource counts, also to an attribute the configuration
 * sets and Terraform could know: that errs towards a replacement, never away from one. A `moved`
 * block (developer.hashicorp.com/terraform/language/modules/develop/refactoring) pairs a new
 * address with its old one.
 */
export function diffConfigs(from: any, to: any, options: DiffOptions = {}): ResourceChange[] {
  const before = entries(from);
  const after = entries(to);
  const moves = movedBlocks(to);
  const removedBlocks = new Set<string>(
    (Array.isArray(to?.removed) ? to.removed : []).filter((r: any) => r?.lifecycle?.destroy === false).map((r: any) => String(r.from)));
  const changes: ResourceChange[] = [];
  const paired: Paired[] = [];
  const matched = new Set<string>();
  for (const [id, a] of after) {
    const priorId = before.has(id) ? id : moves.get(id);
    const b = priorId !== undefined ? before.get(priorId) : undefined;
    if (!b || b.type !== a.type) {
      changes.push({ id, type: a.type, layer: layerIn(a.body, options.toComposer), action: 'ADD', stateful: holdsData(a.type, a.body) });
      continue;
    }
    matched.add(priorId!);
    const dataBearing = holdsData(a.type, b.body, a.body);
    const prior = movedReferences(b.body, moves);
    const [fb, fa] = [flatten(prior), flatten(a.body)];
    const causes = new Map<string, string | undefined>();
    for (const path of changedAttributes(prior, a.body)) {
      causes.set(path, replacementCause(a.type, path, dataBearing, { before: valueAt(fb, path), after: valueAt(fa, path) }));
    }
    paired.push({ id, type: a.type, before: b, after: a, dataBearing, causes, via: new Map() });
  }
  // Replacements make the attributes of the new object known only after apply.
  const replaced = new Set(paired.filter(replaces).map(p => p.id));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of paired) {
      if (replaced.has(p.id)) continue;
      for (const [path, value] of Object.entries(flatten(p.after.body))) {
        const target = referencedAddresses(value).find(r => r !== p.id && replaced.has(r));
        const key = normalise(path);
        if (!target || p.via.has(key)) continue;
        p.via.set(key, target);
        p.causes.set(key, replacementCause(p.type, key, p.dataBearing));
      }
      if (replaces(p)) {
        replaced.add(p.id);
        grew = true;
      }
    }
  }
  for (const p of paired) {
    if (p.causes.size === 0) continue;
    const action: ChangeAction = replaces(p) ? 'REPLACE' : 'UPDATE';
    const properties = [...p.causes.keys()].sort().map(path => {
      const why = [p.via.has(path) ? `refers to ${p.via.get(path)}, which is replaced: known after apply` : undefined, p.causes.get(path)].filter(w => w !== undefined);
      return why.length ? `${path} (${why.join('; ')})` : path;
    });
    const stateful = p.dataBearing && !(action === 'REPLACE' && isReadReplica(p.type, p.before.body));
    const lost = stateful && action === 'REPLACE' ? replacementLoss(p, from) : undefined;
    const layer = layerIn(p.after.body, options.toComposer);
    changes.push({ id: p.id, type: p.type, layer, action, stateful, properties, ...(lost ? { lost } : {}) });
  }
  const added = changes.filter(c => c.action === 'ADD');
  for (const [id, b] of before) {
    if (after.has(id) || matched.has(id)) continue;
    // Terraform destroys a resource whose block is removed even under prevent_destroy; only a
    // `removed { lifecycle { destroy = false } }` block keeps it.
    const retained = removedBlocks.has(id);
    const stateful = holdsData(b.type, b.body) && !isReadReplica(b.type, b.body);
    const expires = stateful && retained && EXPIRING.has(b.type);
    let lost: string | undefined;
    if (expires) {
      const holder = `${b.type === 'google_pubsub_topic' ? 'topic' : 'subscription'} '${displayName(from, b.body, id)}'`;
      lost = `the messages on ${holder}: retained, Pub/Sub still discards them once their retention period has passed, and nothing processes them any more`;
    } else if (stateful && !retained) {
      lost = lostBy(b.type, b.body, from, id);
      const name = displayName(from, b.body, '');
      const twin = added.find(c => c.type === b.type && name !== '' && displayName(to, after.get(c.id)!.body, '') === name);
      if (twin) lost += `. ${twin.id} is added with the same name: if it is this resource at a new address (a renamed construct), a moved block (from = ${id}, to = ${twin.id}) keeps it`;
      const guards = deletionGuards(b.type, b.body);
      if (guards.length > 0) lost += `. ${guardedDelete(guards)}; once that is off, the delete loses it`;
    }
    changes.push({
      id, type: b.type, layer: layerIn(b.body, options.fromComposer), action: 'REMOVE', stateful, retained, ...(expires ? { retainedDataExpires: true } : {}), ...(lost ? { lost } : {}),
    });
  }
  const order: Record<ChangeAction, number> = { REPLACE: 0, REMOVE: 1, ADD: 2, UPDATE: 3 };
  return changes.sort((x, y) => x.layer.localeCompare(y.layer) || order[x.action] - order[y.action] || x.id.localeCompare(y.id));
}

const KIND: Record<string, string> = {
  google_sql_database_instance: 'Cloud SQL instance',
  google_redis_instance: 'Memorystore instance',
};

/** `text` with `${type.name.attribute}` references to literal attributes of `config` filled in. */
function resolved(config: any, text: string): string {
  return text.replace(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (whole, type: string, name: string, attr: string) => {
    const value = config.resource?.[type]?.[name]?.[attr];
    return typeof value === 'string' && !value.includes('${') ? value : whole;
  });
}

function shown(value: string | undefined): string {
  if (value === undefined) return '(unset)';
  try {
    const parsed = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

/** A JSON value as flattened, parsed (undefined when absent; the text itself when it is not JSON). */
function jsonValue(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The title of the step for Cloud SQL major version upgrades (databaseVersions). */
const MAJOR_UPGRADE_STEP = 'Upgrade the Cloud SQL major version one instance at a time';

/**
 * The in-place updates of `changes` that interrupt a data-bearing resource, one entry per
 * resource (the provider applies a resource's changed settings in one call, so a Cloud SQL
 * instance whose tier and availability both change restarts once). `dir` is the stack directory
 * the targeted applies they name run in (default: the one the after output records).
 */
export function gcpInterruptions(
  fromConfig: any, toConfig: any, changes: readonly ResourceChange[], dir = stackDirectory(stackNameOf(toConfig, GCP_STACK_NAME)),
): Interruption[] {
  const out: Interruption[] = [];
  const sqlRestarts: string[] = [];
  const majorUpgrades = new Set<string>();
  for (const change of changes) {
    if (change.action !== 'UPDATE' || !change.stateful) continue;
    const [type, name] = [change.type, change.id.slice(change.type.length + 1)];
    const priorName = (movedBlocks(toConfig).get(change.id) ?? change.id).slice(type.length + 1);
    const before = fromConfig.resource?.[type]?.[priorName];
    const after = toConfig.resource?.[type]?.[name];
    if (before === undefined || after === undefined) continue;
    const fb = flatten(before);
    const fa = flatten(after);
    const hits: Array<{ path: string; behaviour: InterruptionBehaviour }> = [];
    for (const path of changedAttributes(before, after)) {
      const entry = inPlaceUpdate(type, path);
      const behaviour = entry?.interruptionFor
        ? entry.interruptionFor(jsonValue(valueAt(fb, path)), jsonValue(valueAt(fa, path)))
        : entry?.interruption;
      if (behaviour) hits.push({ path, behaviour });
    }
    if (hits.length === 0) continue;
    const detail = hits.map(h => `${h.path} ${shown(fb[h.path])} → ${shown(fa[h.path])}`).join(', ');
    const whats = [...new Set(hits.map(h => h.behaviour.what))].join(' and ');
    const once = hits.length > 1 ? ' once (the provider sends the changed settings in one call)' : '';
    if (type === 'google_sql_database_instance') {
      if (hits.some(h => h.path === 'database_version' && databaseVersionChange(jsonValue(fb[h.path]), jsonValue(fa[h.path])) === 'major-upgrade')) majorUpgrades.add(change.id);
      else sqlRestarts.push(change.id);
    }
    out.push({
      id: change.id,
      what: `${KIND[type] ?? type} '${resolved(toConfig, String(after.name ?? name))}' ${whats}${once} to apply ${detail}`,
      downtime: [...new Set(hits.map(h => h.behaviour.downtime))].join('; '),
      source: [...new Set(hits.map(h => h.behaviour.source))].join('; '),
    });
  }
  const withNotes = out.map(i => (majorUpgrades.has(i.id)
    ? { ...i, what: `${i.what}; one instance at a time, on its own targeted apply (${applyIn(dir, `-target=${i.id}`)}), as the step '${MAJOR_UPGRADE_STEP}' says` }
    : i));
  if (sqlRestarts.length === 0) return withNotes;
  const order = sqlRestartOrder(toConfig, sqlRestarts);
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : -1);
  return withNotes
    .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id))
    .map(i => (order.includes(i.id) ? { ...i, what: `${i.what}${sqlRestartNote(toConfig, i.id, order, dir)}` } : i));
}

/*
 * Cloud SQL restarts, one at a time. Terraform walks its dependency graph in parallel, up to 10
 * operations at once by default (developer.hashicorp.com/terraform/cli/commands/apply, -parallelism),
 * so one plain apply restarts every changed instance together, and with shards all writes stop
 * at once. A targeted apply (`terraform apply -target=ADDRESS`) plans only the target and what it
 * depends on (developer.hashicorp.com/terraform/cli/commands/plan, "Resource Targeting"), so
 * applying each restarting instance on its own restarts exactly one. A replica refers to its
 * primary (master_instance_name), so targeting it also applies its primary: the primary goes
 * first, then its replicas one by one, then the next shard.
 */

/** The shard a Cloud SQL primary serves, from its name (`…-db` is shard 0, `…-db-shard-N` shard N). */
function shardOfName(name: string): number {
  const m = /-shard-(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

/** The primary address a replica body refers to, if it is a replica. */
function primaryOf(body: any): string | undefined {
  const m = /^\$\{(google_sql_database_instance\.[A-Za-z0-9_-]+)\.name\}$/.exec(String(body?.master_instance_name ?? ''));
  return m?.[1];
}

/** `ids` (Cloud SQL addresses) in the order to restart them: shard by shard, each primary before its replicas. */
export function sqlRestartOrder(config: any, ids: readonly string[]): string[] {
  const bodyOf = (id: string) => config.resource?.google_sql_database_instance?.[id.split('.')[1]];
  const primaryAddress = (id: string) => primaryOf(bodyOf(id)) ?? id;
  const key = (id: string): [number, number, string] => {
    const primary = primaryAddress(id);
    const name = String(bodyOf(primary)?.name ?? primary);
    return [shardOfName(name), primary === id ? 0 : 1, String(bodyOf(id)?.name ?? id)];
  };
  return [...ids].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2].localeCompare(kb[2]);
  });
}

function sqlRestartNote(config: any, id: string, order: readonly string[], dir: string): string {
  const body = config.resource.google_sql_database_instance[id.split('.')[1]];
  const primary = primaryOf(body);
  const k = order.indexOf(id) + 1;
  const sharded = Object.values<any>(config.resource.google_sql_database_instance).some(b => /-shard-\d+$/.test(String(b.name)));
  const shard = shardOfName(String(config.resource.google_sql_database_instance[(primary ?? id).split('.')[1]]?.name ?? ''));
  const keys = sharded ? `shard ${shard}'s keys` : 'the app\'s data';
  const down = primary
    ? `while it restarts, reads sent to this replica fail (its primary keeps serving reads and writes of ${keys})`
    : `while it restarts, every read and write of ${keys} fails${sharded ? ' (other shards keep serving)' : ''}`;
  const alone = order.length > 1
    ? `; restart ${k} of ${order.length}, on its own at a quiet time: ${applyIn(dir, `-target=${id}`)}${primary ? ' (after its primary\'s)' : ''}, before the full apply (a plain apply restarts them in parallel, up to 10 at a time by default)`
    : `; ${applyIn(dir, `-target=${id}`)} first, at a quiet time, to choose when`;
  return `${alone}; ${down}`;
}

interface Found {
  readonly address: string;
  readonly body: any;
}

/**
 * One side of a pair, for the migration steps: its output, its rung stamp and which side it is.
 * Every value a step prints is read from the output; where the output lacks one, the step says
 * what is missing instead of printing a default.
 */
class Side {
  /** The stack directory the side's Terraform commands run in. */
  readonly dir: string;

  constructor(readonly config: any, readonly stamp: RungStamp, readonly which: 'before' | 'after', stack = stackNameOf(config, GCP_STACK_NAME)) {
    this.dir = stackDirectory(stack);
  }

  /** The resources of `type` under the composer whose construct path ends with `suffix`, by address. */
  all(type: string, suffix: string): Found[] {
    const under = `${this.stamp.composer}/`;
    return Object.entries<any>(this.config?.resource?.[type] ?? {})
      .filter(([, body]) => {
        const p = String(body?.['//']?.metadata?.path ?? '');
        return p.startsWith(under) && p.endsWith(suffix);
      })
      .map(([name, body]) => ({ address: `${type}.${name}`, body }))
      .sort((a, b) => a.address.localeCompare(b.address));
  }

  one(type: string, suffix: string): Found | undefined {
    return this.all(type, suffix)[0];
  }

  /** Words for a resource the output lacks. */
  missing(type: string, suffix: string): string {
    return `(no ${type} under ${this.stamp.composer}/…${suffix.startsWith('/') ? '' : '/'}${suffix} in the ${this.which} output)`;
  }

  /**
   * `attr` (a `.`-path) of the resource at `suffix`, resolved where it refers to a literal; the
   * provider block's value for `project` / `region` when the body leaves them to it; else words
   * naming what is missing.
   */
  value(type: string, suffix: string, attr: string): string {
    const found = this.one(type, suffix);
    if (!found) return this.missing(type, suffix);
    const raw = attr.split('.').reduce((v: any, k) => (Array.isArray(v) ? v[0] : v)?.[k], found.body);
    if (typeof raw === 'string' || typeof raw === 'number') return resolved(this.config, String(raw));
    if (attr === 'project' || attr === 'region') {
      const provider = [this.config?.provider?.google].flat()[0]?.[attr];
      if (typeof provider === 'string') return provider;
    }
    return `(${found.address} has no ${attr} in the ${this.which} output)`;
  }
}

function stampOf(rung: Tier | RungStamp, config: any): RungStamp {
  if (!(rung instanceof Tier)) return rung;
  const written = parseRungStamp(config?.['//']?.[RUNG_STAMP_KEY]);
  return rungStampOf(rung, written?.composer ?? `${GCP_STACK_NAME}/${GCP_APP_ID}`);
}

const VM = 'SingleServer/Instance';
const DISK = 'SingleServer/DataDisk';

/*
 * The copy into Cloud SQL runs only when the operator starts it, on the running server, over
 * `gcloud compute ssh --tunnel-through-iap --command` (cloud.google.com/sdk/gcloud/reference/compute/ssh;
 * cloud.google.com/compute/docs/connect/ssh-using-iap; the server admits SSH only from IAP's
 * range). Nothing restarts the VM: the 10K apply changes only metadata values, which the provider
 * sets in place with Instances.SetMetadata and no stop (startup-script.ts cites the source). The
 * copy runs in a transient systemd unit, so a dropped SSH session does not end it.
 */
function copySteps(from: Side, to: Side): MigrationStep {
  const vmName = from.value('google_compute_instance', VM, 'name');
  const where = `--zone ${from.value('google_compute_instance', VM, 'zone')} --project ${from.value('google_compute_instance', VM, 'project')}`;
  const disk = from.value('google_compute_disk', DISK, 'name');
  const sql = to.value('google_sql_database_instance', 'SeparatedDatabase/Instance', 'name');
  const direct = to.stamp.serverRunning;
  const via = direct ? to.stamp.tier : intermediateRung(from.stamp, to.stamp, Tier.all())?.name
    ?? `(no rung between ${from.stamp.rung} and ${to.stamp.rung} keeps the server and separates the database)`;
  const ssh = (command: string) => `gcloud compute ssh ${vmName} ${where} --tunnel-through-iap --command '${command}'`;
  const start = ssh(copyCommand());
  const steps = [
    `1. Synthesize the ${via} rung (cdktf synth) and apply it: ${applyIn(to.dir)}. Cloud SQL instance '${direct ? sql : `of the ${via} rung`}' comes up on a private IP. On the server only the metadata values ${SERVER_METADATA.database} and ${SERVER_METADATA.environment} change, in place and without a restart; the startup script is the same text as before. The server keeps serving from its own PostgreSQL, also across any reboot, until you start the copy.`,
    direct
      ? `2. At a quiet time, start the copy on the running server (no reboot): ${start}. The app is down from this moment until the copy ends (Caddy answers 502); the server's PostgreSQL keeps running and nothing writes to it. The copy runs the shipped copy script in ${SERVER_POSTGRES_IMAGE} against the server's PostgreSQL: pg_dump, pg_restore into Cloud SQL over TLS in one transaction, then the exact row count (count(*)) and a checksum of every table, and every sequence, on both sides. Only a verified copy runs ON_VERIFIED, which writes ${MIGRATED_MARKER} on disk '${disk}'; then PostgreSQL stops, the disk is unmounted and the app starts against Cloud SQL. On failure the app restarts unchanged on the server's database, no marker is written, and the log says 'copy FAILED' (copy-database exit 3 means Cloud SQL already holds tables); fix and run the same command again.`
      : `2. ${to.stamp.tier} retires the server, so the copy cannot run on it: swap to ${via} first (steps above: apply, then start the copy with ${start}), verify, then swap to ${to.stamp.tier}. Nothing is lost if you do not: disk '${disk}' stays with prevent_destroy, and attaching it to a temporary VM and running the same copy script copies it later.`,
    `3. Follow it: ${ssh(`sudo journalctl -u ${COPY_UNIT} -f`)} (or gcloud compute instances get-serial-port-output ${vmName} ${where} | grep -E 'scale-ladder|copy-database|verified|mismatch'). Verify: the log shows 'verified: <n> tables, <m> rows, <k> sequences' (no 'mismatch:' line), '${DISK_UNMOUNTED_LOG}' and 'scale-ladder: the app serves from Cloud SQL'.`,
    `4. Disk '${disk}' (and its daily snapshots) stays declared and protected on every rung; keep it until you have verified the copy and a Cloud SQL backup exists.`,
  ];
  return { title: 'Copy the server-local PostgreSQL into Cloud SQL', instructions: steps.join('\n') };
}

/*
 * The server retirement keeps traffic by bringing the load balancer up before the VM goes:
 * `terraform apply -target=…` applies the targets and what they depend on
 * (developer.hashicorp.com/terraform/cli/commands/plan, "Resource Targeting"). With a stack-owned
 * record, the move is an in-place update of google_dns_record_set (rrdatas is not ForceNew in
 * google/services/dns/resource_dns_record_set.go). A Google-managed certificate provisions only
 * once the domain resolves to the load balancer (cloud.google.com/load-balancing/docs/ssl-certificates/google-managed-certs).
 */
function retirementSteps(from: Side, to: Side): MigrationStep {
  const restarts = gcpInterruptions(from.config, to.config, diffConfigs(from.config, to.config), to.dir)
    .filter(i => i.id.startsWith('google_sql_database_instance.'));
  const vmName = from.value('google_compute_instance', VM, 'name');
  const project = from.value('google_compute_instance', VM, 'project');
  const where = `--zone ${from.value('google_compute_instance', VM, 'zone')} --project ${project}`;
  const disk = from.value('google_compute_disk', DISK, 'name');
  const serverIp = to.one('google_compute_address', 'SingleServer/Address');
  const serverIpName = to.value('google_compute_address', 'SingleServer/Address', 'name');
  const region = to.value('google_compute_address', 'SingleServer/Address', 'region');
  const lbIp = to.one('google_compute_global_address', 'StatelessFleet/Address');
  const lbName = to.value('google_compute_global_address', 'StatelessFleet/Address', 'name');
  const rules = to.all('google_compute_global_forwarding_rule', 'ForwardingRule').filter(r => r.body?.['//']?.metadata?.path?.startsWith(`${to.stamp.composer}/StatelessFleet/`));
  const record = to.one('google_dns_record_set', '/AppRecord');
  const cert = to.one('google_compute_managed_ssl_certificate', 'StatelessFleet/Certificate');
  const healthPath = to.value('google_cloud_run_v2_service', 'StatelessFleet/Service', 'template.containers.startup_probe.http_get.path');
  const targets = rules.length > 0 || record
    ? [...rules, ...(record ? [record] : [])].map(r => `-target=${r.address}`).join(' ')
    : `-target=${to.missing('google_compute_global_forwarding_rule', 'StatelessFleet/…ForwardingRule')}`;
  const lbLookup = `gcloud compute addresses describe ${lbName} --global --project ${project} --format='value(address)'`;
  const dns = record
    ? `4. DNS: that apply has already updated ${record.address} (${record.body.name} in zone '${record.body.managed_zone}') in place from the server's address '${serverIpName}' to the load balancer's '${lbName}' (rrdatas is not ForceNew; one Cloud DNS change swaps the old data for the new).`
    : `4. DNS: point your domain's A record at the load balancer's address '${lbName}' (${lbIp?.address ?? to.missing('google_compute_global_address', 'StatelessFleet/Address')}: ${lbLookup}), replacing the server's static address '${serverIpName}' (region ${region}).`;
  const certName = cert ? resolved(to.config, String(cert.body.name)) : undefined;
  const steps = [
    `1. Check the server is ready to retire (after the verified copy): gcloud compute instances get-serial-port-output ${vmName} ${where} | grep '${DISK_UNMOUNTED_LOG}' must show the line, and gcloud compute ssh ${vmName} ${where} --tunnel-through-iap --command 'sudo docker ps --format "{{.Names}}" | grep -qE "^(postgres|pg-old)$" && echo "PostgreSQL RUNNING" || echo "PostgreSQL stopped"; mountpoint -q /mnt/disks/pgdata && echo "disk MOUNTED" || echo "disk unmounted"' must print "PostgreSQL stopped" and "disk unmounted". Then detach the data disk cleanly: gcloud compute instances detach-disk ${vmName} --disk ${disk} ${where}. Do not go on while PostgreSQL runs or the disk is mounted.`,
    ...restarts.map((r, i) => `${i === 0 ? '   Before step 2, at a quiet time' : '   Then'}: ${applyIn(to.dir, `-target=${r.id}`)}. ${r.what.split(';')[0]}; the server still serves from it, so for ${r.downtime.split(' (')[0]} every request that needs the database fails. Doing it now chooses that moment: the targeted apply of step 2 includes the database (the fleet's environment refers to it) and would restart it there.`),
    `2. Bring up the new entry point while the server still serves: ${applyIn(to.dir, targets)} (Terraform also applies everything those depend on: the Cloud Run fleet, the load balancer, the database settings${restarts.length ? ', which no longer restart anything' : ''}).`,
    `3. Check the load balancer answers: curl -fsS "http://$(${lbLookup})${healthPath}" (a new load balancer can take a few minutes to answer).`,
    dns,
    certName ? `   The managed certificate '${certName}' provisions only once the name resolves to the load balancer (up to about an hour); HTTPS on the load balancer fails until gcloud compute ssl-certificates describe ${certName} --global --project ${project} --format='value(managed.status)' says ACTIVE, so wait for it before the next step.` : '',
    `5. Wait longer than the old record's TTL${record ? ` (${record.body.ttl} s)` : ' (your DNS provider\'s)'} so that clients resolve the load balancer, then apply the whole rung: ${applyIn(to.dir)}. It removes the VM ${vmName}, its firewall rules and service account; disk '${disk}', its snapshot schedule and the static address '${serverIpName}' stay (prevent_destroy).`,
    `6. '${serverIpName}' stays reserved and declared on every rung, so no climb frees an address a DNS cache may still hold. It may be released once the name has pointed at '${lbName}' for longer than the old TTL and nothing is served on it: terraform -chdir=${to.dir} state rm ${serverIp?.address ?? to.missing('google_compute_address', 'SingleServer/Address')}, then gcloud compute addresses delete ${serverIpName} --region ${region} --project ${project} (a later apply reserves a new, unused address under that name).`,
  ].filter(l => l !== '');
  return { title: 'Retire the single server and move its traffic to the load balancer', instructions: steps.join('\n') };
}

/*
 * A downgrade that brings the single server back (e.g. 100K → 10K) removes the load balancer and
 * its global address in the same apply that creates the VM, so it is run in the retirement's order
 * reversed: the VM first (`terraform apply -target=…` applies the target and what it depends on,
 * developer.hashicorp.com/terraform/cli/commands/plan, "Resource Targeting"), then DNS, then the
 * rest once the old record's TTL has passed. The returning VM attaches the retained data disk;
 * its boot serves from Cloud SQL when the disk carries the copy's marker (startup-script.ts).
 */
function serverReturnSteps(from: Side, to: Side): MigrationStep {
  const vm = to.one('google_compute_instance', VM);
  const vmName = to.value('google_compute_instance', VM, 'name');
  const project = to.value('google_compute_instance', VM, 'project');
  const where = `--zone ${to.value('google_compute_instance', VM, 'zone')} --project ${project}`;
  const serverIpName = to.value('google_compute_address', 'SingleServer/Address', 'name');
  const region = to.value('google_compute_address', 'SingleServer/Address', 'region');
  const lbName = from.value('google_compute_global_address', 'StatelessFleet/Address', 'name');
  const record = to.one('google_dns_record_set', '/AppRecord');
  const lookup = `gcloud compute addresses describe ${serverIpName} --region ${region} --project ${project} --format='value(address)'`;
  const restarts = gcpInterruptions(from.config, to.config, diffConfigs(from.config, to.config), to.dir)
    .filter(i => i.id.startsWith('google_sql_database_instance.'));
  const steps = [
    ...restarts.map((r, i) => `${i === 0 ? '   Before step 1, at a quiet time' : '   Then'}: ${applyIn(to.dir, `-target=${r.id}`)}. ${r.what.split(';')[0]}; the fleet still serves from it, so for ${r.downtime.split(' (')[0]} every request that needs the database fails. Doing it now chooses that moment: the targeted apply of step 1 includes the database (the server's environment refers to it) and would restart it there.`),
    `1. Bring the server up while the load balancer still serves: ${applyIn(to.dir, `-target=${vm?.address ?? to.missing('google_compute_instance', VM)}`)} (Terraform also applies what it depends on: its firewall rules, service account and the retained disk '${to.value('google_compute_disk', DISK, 'name')}', which it attaches).`,
    `2. Check it started: gcloud compute instances get-serial-port-output ${vmName} ${where} | grep 'scale-ladder: started' must show the line.`,
    record
      ? `3. DNS: ${applyIn(to.dir, `-target=${record.address}`)} moves ${record.body.name} (zone '${record.body.managed_zone}') in place from the load balancer's address '${lbName}' to the server's '${serverIpName}'.`
      : `3. DNS: point your domain's A record at the server's static address '${serverIpName}' (${lookup}), replacing the load balancer's '${lbName}'.`,
    `4. Wait longer than the old record's TTL${record ? ` (${record.body.ttl} s)` : ' (your DNS provider\'s)'}, then apply the whole rung: ${applyIn(to.dir)}. It removes the Cloud Run fleet and the load balancer, and releases its address '${lbName}' (clients still resolving it fail from then on).`,
  ];
  return { title: 'Bring the single server back and move traffic to it from the load balancer', instructions: steps.join('\n') };
}

/*
 * The rebalance runs as executions of the Cloud Run job with per-execution overrides
 * (`gcloud run jobs execute --update-env-vars …`, cloud.google.com/sdk/gcloud/reference/run/jobs/execute;
 * `^@^` switches gcloud's list delimiter so MOVES may hold commas, `gcloud topic escaping`).
 * The execution is started with `--async` and polled with `gcloud run jobs executions describe`
 * (cloud.google.com/sdk/gcloud/reference/run/jobs/executions/describe) until it has a completion
 * time, for as long as it takes: the job's own task timeout (86400 s) is the only limit, and no
 * client-side waiter can give up on a move that is still copying. The execution counts as a
 * success only with one succeeded task (the job runs one task).
 *
 * The postgres image has no gcloud, so the operator publishes the assignment. The plan computes
 * each batch's assignment itself (applyMoves over the balanced starting layout), the value the
 * job must print; the publish command reads the job's last log line (polling, bounded, since
 * Cloud Logging can take seconds to show it), compares it byte for byte with the computed value,
 * and adds the computed value as the secret's next version only when they are equal. Anything
 * else (no line yet, a partial or different line) publishes nothing and fails loudly. New
 * instances read the secret's latest version when they start (cloud.google.com/run/docs/configuring/secrets).
 */

/** The prefix of the last line the rebalance script prints after a verified move: the new assignment. */
const ASSIGNMENT_PREFIX = 'new SHARD_BUCKETS: ';
/** How long the publish step waits for the job's assignment line to reach Cloud Logging. */
const LOG_WAIT_TRIES = 60;
const LOG_WAIT_SECONDS = 10;

function rebalanceSteps(from: Side, to: Side): MigrationStep {
  const fromShards = shardCountOf(from.stamp);
  const toShards = shardCountOf(to.stamp);
  const JOB = 'ShardedCluster/Rebalance/Job';
  const jobName = to.value('google_cloud_run_v2_job', JOB, 'name');
  const secretId = to.value('google_secret_manager_secret', 'SeparatedDatabase/ShardBuckets', 'secret_id');
  const project = to.value('google_cloud_run_v2_job', JOB, 'project');
  const region = to.value('google_cloud_run_v2_job', JOB, 'location');
  const at = `--region ${region} --project ${project}`;
  const services = to.all('google_cloud_run_v2_service', '/Service')
    .map(s => s.body)
    .filter(b => (b.template?.containers?.[0]?.env ?? []).some((e: any) => e.name === 'SHARD_MAP'))
    .map(b => ({ name: b.name as string, location: b.location as string }))
    .sort((a, b) => a.location.localeCompare(b.location) || a.name.localeCompare(b.name));
  const regions = [...new Set(services.map(s => s.location))];
  const start = fromShards === 1 ? 'all 256 buckets on shard 0' : `bucket b on shard b mod ${fromShards}`;
  const startJson = JSON.stringify(ShardRouter.balancedAssignment(fromShards));
  const runJob = [
    'run_job() { local e; EXECUTION=',
    `e=$(gcloud run jobs execute ${jobName} ${at} --async --format='value(metadata.name)' --update-env-vars "$1") && [ -n "$e" ] || { echo "the execution did not start: nothing changed" >&2; return 1; }`,
    'echo "execution $e started; polling until it completes (a move takes as long as its rows take to copy)" >&2',
    `until [ -n "$(gcloud run jobs executions describe "$e" ${at} --format='value(status.completionTime)' 2>/dev/null)" ]; do sleep 30; done`,
    `[ "$(gcloud run jobs executions describe "$e" ${at} --format='value(status.succeededCount)')" = 1 ] || { echo "execution $e FAILED: read its log; publish nothing" >&2; return 1; }`,
    'EXECUTION=$e; }',
  ].join('; ');
  const logFilter = `'resource.type="cloud_run_job" AND resource.labels.job_name="${jobName}" AND labels."run.googleapis.com/execution_name"="'"$EXECUTION"'" AND textPayload:"${ASSIGNMENT_PREFIX}"'`;
  const publish = [
    'publish_if_logged() { local got= i',
    `for i in $(seq ${LOG_WAIT_TRIES}); do got=$(gcloud logging read ${logFilter} --project ${project} --limit 1 --format='value(textPayload)'); [ -n "$got" ] && break; sleep ${LOG_WAIT_SECONDS}; done`,
    `if [ -n "$EXECUTION" ] && [ "$got" = "${ASSIGNMENT_PREFIX}$1" ]; then printf '%s' "$1" | gcloud secrets versions add ${secretId} --project ${project} --data-file=- || { echo "NOT PUBLISHED: gcloud secrets versions add failed; run publish_if_logged again" >&2; return 1; }`,
    `else echo "NOT PUBLISHED: execution $EXECUTION logged '$got', the plan expects '${ASSIGNMENT_PREFIX}$1'. Nothing was published; the old assignment stays in force (the moved buckets stay fenced: run ACTION=abort with the same MOVES to unfence them, or re-run publish_if_logged once the line arrives)" >&2; return 1; fi; }`,
  ].join('; ');
  const batches = rebalanceBatches(fromShards, toShards);
  const expected = expectedAssignments(fromShards, toShards);
  const rollCommands = (batch: number) => services
    .map(s => `gcloud run services update ${s.name} --region ${s.location} --project ${project} --update-labels scale-ladder-buckets=${batch}`)
    .join(' && ');
  const checkCommands = services
    .map(s => `gcloud run services describe ${s.name} --region ${s.location} --project ${project} --format='value(status.latestReadyRevisionName,status.traffic[0].revisionName,status.traffic[0].percent)'`)
    .join('; ');
  const lines = [
    `The swap itself moves no key: the apply (${applyIn(to.dir)}) adds shards ${fromShards}-${toShards - 1} empty, and the bucket assignment (secret '${secretId}', whose data Terraform ignores) keeps every bucket where it is. Then move the buckets in ${batches.length} verified batch(es), one per new shard. Each batch fences its buckets on the source shard, copies their rows, verifies row counts and checksums, and only then prints the new assignment; the plan has computed that assignment already, and you publish it only when the job's log line equals it.`,
    `What the app sees during a batch: from the fence until every instance in every region (${regions.join(', ')}) runs the new assignment, writes to the moving buckets are refused (reads go on). An instance not yet rolled keeps the old assignment and reads the moved buckets from their old shard, a frozen copy (the fence stopped its writes), until it is replaced; keys in other buckets are unaffected.`,
    `1. Check the starting assignment: [ "$(gcloud secrets versions access latest --secret ${secretId} --project ${project})" = '${startJson}' ] && echo OK must print OK (${start}); the job refuses MOVES that do not match the assignment in force. Run one rebalance at a time. Define two shell helpers in the shell you run the batches from:`,
    `   ${runJob}`,
    `   ${publish}`,
  ];
  batches.forEach((batch, i) => {
    const moves = movesArgument(batch);
    const n = i + 2;
    const count = batch.reduce((sum, m) => sum + m.buckets.length, 0);
    lines.push(
      `${n}. Batch ${i + 1} of ${batches.length}: ${count} buckets onto shard ${batch[0].to}. Stop at the first command that fails.`,
      `   a. Move, and wait for the execution to complete: run_job '^@^ACTION=move@MOVES=${moves}'`,
      `   b. Publish the pre-computed assignment only if the job logged exactly it: publish_if_logged '${JSON.stringify(expected[i])}'`,
      `   c. Roll every service that routes keys, in every region, onto new instances (they read the secret's latest version when they start; each command returns once its new revision serves): ${rollCommands(i + 1)}`,
      `   d. Check each service serves only its new revision (latest ready revision = the one at 100%): ${checkCommands}`,
      '   e. Only after c and d succeeded for every service above: run_job ACTION=cleanup (each shard deletes the rows of buckets it no longer holds; the fences stay).',
    );
  });
  lines.push(`${batches.length + 2}. A failed move undoes itself: nothing is published, its buckets are unfenced and the copies removed, and the app keeps routing as before. If a move succeeded but its assignment was not published (publish_if_logged failed), run run_job '^@^ACTION=abort@MOVES=<the same MOVES>' and then run_job ACTION=cleanup.`);
  return { title: `Rebalance key buckets onto the new shards (${fromShards} → ${toShards} shards)`, instructions: lines.join('\n') };
}

/**
 * The steps for the data moves and cut-overs a swap needs, in the order they are run (a Tier uses
 * the demo's composer path, or the one its output records). `stack` names the stack whose
 * directory the Terraform commands run in (default: the name the output records).
 */
export function gcpMigrationSteps(
  from: Tier | RungStamp, to: Tier | RungStamp, fromConfig: any, toConfig: any,
  stack = stackNameOf(toConfig, stackNameOf(fromConfig, GCP_STACK_NAME)),
): MigrationStep[] {
  const before = new Side(fromConfig, stampOf(from, fromConfig), 'before', stack);
  const after = new Side(toConfig, stampOf(to, toConfig), 'after', stack);
  const steps = requiredMigrations(before.stamp, after.stamp).map(kind => {
    switch (kind) {
      case 'SERVER_DATABASE_TO_MANAGED': return copySteps(before, after);
      case 'SERVER_RETIREMENT': return retirementSteps(before, after);
      case 'SHARD_REBALANCE': return rebalanceSteps(before, after);
      case 'SERVER_RETURN': return serverReturnSteps(before, after);
    }
  });
  return steps;
}

/** One stack's plan, before the stacks are put together. */
export interface StackPlan {
  readonly changes: ResourceChange[];
  readonly migrations: MigrationStep[];
  readonly interruptions: Interruption[];
  readonly notes: string[];
  /** Set when data is lost without a resource going (rows stranded on shards that go). */
  readonly unsafe: boolean;
}

/*
 * A Memorystore instance keeps its data when it scales, but Google refuses to shrink a Standard
 * Tier instance below the data it holds: the apply fails (cloud.google.com/memorystore/docs/redis/scaling-behavior,
 * "When reducing a Standard Tier instance's capacity, you must choose a size greater than the
 * amount of data being stored or scaling fails").
 */
function shrinkingCaches(stack: string, fromConfig: any, toConfig: any, changes: readonly ResourceChange[]): string[] {
  const out: string[] = [];
  for (const c of changes) {
    if (c.type !== 'google_redis_instance' || c.action !== 'UPDATE' || !c.properties?.includes('memory_size_gb')) continue;
    const name = c.id.slice(c.type.length + 1);
    const [before, after] = [fromConfig.resource?.[c.type]?.[name], toConfig.resource?.[c.type]?.[name]];
    if (!(Number(after?.memory_size_gb) < Number(before?.memory_size_gb))) continue;
    out.push(`stack '${stack}': Memorystore instance '${displayName(toConfig, after, c.id)}' shrinks from ${before.memory_size_gb} to ${after.memory_size_gb} GB; it keeps its data, but Google refuses to shrink a Standard Tier instance (the apply fails) while it holds more data than the new size.`);
  }
  return out;
}

/** The body of a change's resource on the before side (through a moved block) and on the after side. */
function bodiesOf(fromConfig: any, toConfig: any, change: ResourceChange): { before?: any; after?: any } {
  const name = change.id.slice(change.type.length + 1);
  const prior = (movedBlocks(toConfig).get(change.id) ?? change.id).slice(change.type.length + 1);
  return { before: fromConfig.resource?.[change.type]?.[change.action === 'REMOVE' ? name : prior], after: toConfig.resource?.[change.type]?.[name] };
}

/** A resource in words: its kind, name and construct path. */
function described(config: any, type: string, body: any, address: string): string {
  const path = body?.['//']?.metadata?.path;
  return `${address} (${KIND[type] ?? type} '${displayName(config, body, address)}'${typeof path === 'string' ? `, construct ${path}` : ''})`;
}

/*
 * What stops the apply before it loses anything. The provider refuses to delete a resource whose
 * deletion_protection is true in the state (DELETION_PROTECTION in update-behaviour.ts; for Cloud
 * SQL "Error, failed to delete instance because deletion_protection is set to true",
 * terraform-provider-google v6.50.0 google/services/sql/resource_sql_database_instance.go:2331),
 * and Cloud SQL refuses while settings.deletion_protection_enabled is true: a REMOVE, or the
 * destroy half of a REPLACE, of such a resource fails, and the protection must be turned off by an
 * apply of the deployed configuration first (the provider's documentation: set
 * `deletion_protection=false` "and run `terraform apply` to write the field to state",
 * website/docs/r/sql_database_instance.html.markdown:31-33). Terraform itself refuses to plan the
 * destroy of a resource whose configuration sets lifecycle.prevent_destroy, a replacement
 * included (developer.hashicorp.com/terraform/language/meta-arguments/lifecycle, prevent_destroy);
 * a removed block takes prevent_destroy with it, so a REMOVE is not stopped by it.
 */
function protections(
  stack: string, dir: string, fromConfig: any, toConfig: any, changes: readonly ResourceChange[], labels: { from: string; to: string },
): { step?: MigrationStep; notes: string[] } {
  const guarded: Array<{ change: ResourceChange; text: string; guards: DeletionGuard[] }> = [];
  const prevented: Array<{ change: ResourceChange; text: string }> = [];
  for (const change of changes) {
    if (change.action !== 'REPLACE' && !(change.action === 'REMOVE' && !change.retained)) continue;
    const { before, after } = bodiesOf(fromConfig, toConfig, change);
    if (change.action === 'REPLACE' && preventsDestroy(after)) prevented.push({ change, text: described(toConfig, change.type, after, change.id) });
    const guards = before === undefined ? [] : deletionGuards(change.type, before);
    if (guards.length > 0) guarded.push({ change, text: described(fromConfig, change.type, before, change.id), guards });
  }
  const notes: string[] = [];
  if (prevented.length > 0) {
    notes.push(`stack '${stack}': terraform plan fails: it would replace ${prevented.map(p => p.text).join(', ')}, whose configuration sets lifecycle.prevent_destroy, and Terraform refuses to plan the destroy of such a resource (developer.hashicorp.com/terraform/language/meta-arguments/lifecycle); nothing is applied while it is set.`);
  }
  if (guarded.length > 0) {
    notes.push(`stack '${stack}': the apply fails at ${guarded.map(g => g.change.id).join(', ')}: ${guarded.length > 1 ? 'they are' : 'it is'} deleted${guarded.some(g => g.change.action === 'REPLACE') ? ' (or replaced)' : ''} while ${guarded.length > 1 ? 'their' : 'its'} deletion protection is on, and the provider refuses the delete; the step '${PROTECTION_STEP}' turns it off first.`);
  }
  // prevent_destroy is lifted only where the replacement loses nothing; a data-losing one stays UNSAFE.
  const liftable = prevented.filter(p => !losesData(p.change));
  if (guarded.length === 0 && liftable.length === 0) return { notes };
  const lines: string[] = [];
  let n = 0;
  if (guarded.length > 0) {
    lines.push(
      `This apply deletes ${guarded.length} resource(s) whose deletion protection is on. The provider refuses to delete such a resource (Cloud SQL: "failed to delete instance because deletion_protection is set to true", terraform-provider-google v6.50.0 google/services/sql/resource_sql_database_instance.go:2331), so the apply would fail at each of them:`,
      ...guarded.map(g => `   - ${g.text}: ${g.guards.map(x => x.attribute).join(' and ')}. ${losesData(g.change) ? 'Deleting it loses data (its change says what): this plan is UNSAFE; turn the protection off only once what it holds is kept elsewhere.' : isReadReplica(g.change.type, bodiesOf(fromConfig, toConfig, g.change).before) ? 'A read replica: its primary keeps the data, and nothing is lost.' : 'It holds no data the plan knows of.'}`),
      `   (Where each is read: ${[...new Set(guarded.flatMap(g => g.guards.map(x => `${x.attribute} of ${g.change.type}: ${x.source}`)))].join('; ')}.)`,
      `${++n}. In the app as deployed now (${labels.from}), turn the protection off on each of them with cdktf's escape hatch on the resource's construct: ${[...new Set(guarded.flatMap(g => g.guards.map(x => `addOverride('${x.attribute}', false)`)))].join(' and ')} (where listed above); TerraformStack's addOverride('resource.<type>.<name>.<attribute>', false) does the same by address, e.g. addOverride('resource.${guarded[0].change.type}.${guarded[0].change.id.slice(guarded[0].change.type.length + 1)}.${guarded[0].guards[0].attribute}', false).`,
      `${++n}. Synthesize it (cdktf synth) and apply it from the cdktf project's root: ${applyIn(dir)} (run terraform -chdir=${dir} init first if Terraform asks for it). Its plan must show only in-place updates of these resources, nothing to add or destroy: deletion_protection is Terraform's own flag${guarded.some(g => g.guards.some(x => x.attribute !== 'deletion_protection')) ? ', and settings.deletion_protection_enabled a Cloud SQL setting the provider updates in place' : ''}. Stop if it shows anything else.`,
    );
  }
  if (liftable.length > 0) {
    lines.push(`${++n}. This apply replaces ${liftable.map(p => p.text).join(', ')}, which hold no data of their own, but whose configuration sets lifecycle.prevent_destroy: Terraform refuses to plan the replacement. In the app of ${labels.to}, add addOverride('lifecycle.prevent_destroy', false) on each of them for this apply, and remove it after.`);
  }
  lines.push(`${++n}. Then synthesize ${labels.to} and apply it as this plan describes (with its other steps): ${applyIn(dir)}.`);
  const title = guarded.length > 0 ? PROTECTION_STEP : 'Lift prevent_destroy on the resources this apply replaces';
  return { step: { title, instructions: lines.join('\n') }, notes };
}

/*
 * database_version changes of Cloud SQL instances (databaseVersionChange in update-behaviour.ts):
 * a major upgrade is in place but leaves the instance unavailable for the whole upgrade
 * (cloud.google.com/sql/docs/postgres/upgrade-major-db-version-inplace), so it gets a step that
 * takes a backup and upgrades one instance at a time, its read replicas with it (a replica cannot
 * follow a primary on a newer major version; the page's read-replica
 * instructions give the order, and v6.50.0 has no option to include the replicas in the primary's
 * upgrade: it sends only databaseVersion, resource_sql_database_instance.go:2025-2032). A
 * downgrade, another engine or a version the planner cannot read has no in-place path: UNSAFE.
 */
function databaseVersions(
  stack: string, dir: string, fromConfig: any, toConfig: any, changes: readonly ResourceChange[],
): { step?: MigrationStep; notes: string[]; unsafe: boolean } {
  const upgrades: Array<{ id: string; body: any; from: unknown; to: unknown }> = [];
  const notes: string[] = [];
  for (const change of changes) {
    if (change.type !== 'google_sql_database_instance' || change.action !== 'UPDATE' || !(change.properties ?? []).includes('database_version')) continue;
    const { before, after } = bodiesOf(fromConfig, toConfig, change);
    const [from, to] = [before?.database_version, after?.database_version];
    const kind = databaseVersionChange(from, to);
    const name = displayName(toConfig, after, change.id);
    if (kind === 'major-upgrade') upgrades.push({ id: change.id, body: after, from, to });
    if (kind === 'downgrade' || kind === 'unsupported') {
      notes.push(`stack '${stack}': Cloud SQL instance '${name}' changes database_version ${String(from)} → ${String(to)}: ${kind === 'downgrade' ? 'a downgrade, which Cloud SQL does not support' : 'not an upgrade the planner can read (another engine or edition, or an unknown version)'}. The provider sends it as an in-place patch (terraform-provider-google v6.50.0 google/services/sql/resource_sql_database_instance.go:2025-2032) and the apply fails at it; going back takes a new instance restored from an export, which no step does. UNSAFE.`);
    }
  }
  const unsafe = notes.length > 0;
  if (upgrades.length === 0) return { notes, unsafe };
  const order = sqlRestartOrder(toConfig, upgrades.map(u => u.id));
  const byId = new Map(upgrades.map(u => [u.id, u]));
  const project = (body: any) => String(body?.project ?? [toConfig?.provider?.google].flat()[0]?.project ?? '(no project in the after output)');
  const nameOf = (id: string) => displayName(toConfig, byId.get(id)!.body, id);
  const primaries = order.filter(id => !primaryOf(byId.get(id)!.body) || !byId.has(primaryOf(byId.get(id)!.body)!));
  const versions = [...new Set(upgrades.map(u => `${String(u.from)} → ${String(u.to)}`))].join(', ');
  const engine = String(upgrades[0].to);
  const docs = `cloud.google.com/sql/docs/${engine.startsWith('MYSQL') ? 'mysql' : engine.startsWith('SQLSERVER') ? 'sqlserver' : 'postgres'}/upgrade-major-db-version-inplace`;
  const first = primaries[0];
  const [firstName, firstProject, target] = [nameOf(first), project(byId.get(first)!.body), String(byId.get(first)!.to)];
  const lines = [
    `The provider patches database_version in place (terraform-provider-google v6.50.0 google/services/sql/resource_sql_database_instance.go:2025-2032), and Cloud SQL upgrades a major version in place, the instance unavailable until the upgrade ends (${docs}, "Upgrade the database major version in-place": plan it for a period of low activity). One plain apply would upgrade all ${upgrades.length} instance(s) at once (up to 10 in parallel), every shard down together; upgrade them one primary and its replicas at a time instead, each group after the previous one is verified:`,
    `1. Before anything, test the upgrade on a clone, as the page advises: gcloud sql instances clone ${firstName} ${firstName}-upgrade-test --project ${firstProject}, then gcloud sql instances patch ${firstName}-upgrade-test --database-version=${target} --project ${firstProject}; check the app against the clone, then delete it (gcloud sql instances delete ${firstName}-upgrade-test --project ${firstProject}).`,
  ];
  primaries.forEach((primary, i) => {
    const replicas = order.filter(id => primaryOf(byId.get(id)!.body) === primary);
    const p = project(byId.get(primary)!.body);
    const all = [primary, ...replicas];
    const to = String(byId.get(primary)!.to);
    lines.push(
      `${i + 2}. '${nameOf(primary)}'${replicas.length ? ` and its read replicas ${replicas.map(r => `'${nameOf(r)}'`).join(', ')}` : ''}:`,
      `   a. Check ${to} is offered: gcloud sql instances describe ${nameOf(primary)} --project ${p} --format='value(upgradableDatabaseVersions)' must list it.`,
      `   b. Take a backup and wait for it to finish: gcloud sql backups create --instance ${nameOf(primary)} --project ${p}.`,
      ...(replicas.length ? [`   c. Read replicas: a replica cannot follow a primary on a newer major version, so these replicas are upgraded with '${nameOf(primary)}'; read the page's read-replica instructions first. The v6.50.0 provider patches each instance's database_version on its own (no option to include the replicas in the primary's upgrade), and a targeted apply of a replica also applies its primary (it depends on it), so through Terraform the primary goes first; where the page requires the replicas first, upgrade them as it says (gcloud sql instances patch <replica> --database-version=${to} --project ${p}), and the applies below find them done.`] : []),
      `   ${replicas.length ? 'd' : 'c'}. Upgrade, one targeted apply per instance, in this order: ${all.map(id => applyIn(dir, `-target=${id}`)).join(', then ')}. While '${nameOf(primary)}' upgrades, every read and write it serves fails.`,
      `   ${replicas.length ? 'e' : 'd'}. Check before the next group: ${all.map(id => `gcloud sql instances describe ${nameOf(id)} --project ${p} --format='value(databaseVersion,state)'`).join('; ')}: each must print ${to} and RUNNABLE.`,
    );
  });
  lines.push(`${primaries.length + 2}. Then apply the rest: ${applyIn(dir)}.`);
  return { step: { title: `${MAJOR_UPGRADE_STEP} (${versions})`, instructions: lines.join('\n') }, notes, unsafe };
}

/** The primary Cloud SQL instance of shard `i` (shard 0 is the SeparatedDatabase's). */
function shardPrimary(side: Side, i: number): Found | undefined {
  return i === 0 ? side.one('google_sql_database_instance', 'SeparatedDatabase/Instance') : side.one('google_sql_database_instance', `ShardedCluster/Shard${i}/Instance`);
}

/**
 * Plans one stack: the resource changes, and, with both rung stamps, the migration steps and what
 * a downgrade strands. `stack` names the stack in the notes. A side without a stamp gets the
 * resource changes only, and a note saying so.
 */
export function planStack(
  stack: string, fromConfig: any, toConfig: any, fromStamp?: RungStamp, toStamp?: RungStamp, options: { wholeStack?: boolean } = {},
): StackPlan {
  const [fromComposer, toComposer] = [fromStamp?.composer ?? toStamp?.composer, toStamp?.composer ?? fromStamp?.composer];
  let changes = diffConfigs(fromConfig, toConfig, { fromComposer, toComposer });
  const name = stackNameOf(toConfig, stackNameOf(fromConfig, stack));
  const dir = stackDirectory(name);
  const interruptions = gcpInterruptions(fromConfig, toConfig, changes, dir);
  const notes: string[] = [];
  for (const [which, stamp] of [['before', fromStamp], ['after', toStamp]] as const) {
    if (!stamp && !options.wholeStack) {
      notes.push(`stack '${stack}': the ${which} output has no rung stamp ("//"."${RUNG_STAMP_KEY}" in its cdk.tf.json, written by the ladder's composer), so only its resource changes are planned: no migration steps (database copy, server retirement, shard rebalance) and no check of what the rung change strands.`);
    }
  }
  notes.push(...shrinkingCaches(stack, fromConfig, toConfig, changes));
  const labels = { from: fromStamp ? `the ${fromStamp.tier} rung` : 'the before output', to: toStamp ? `the ${toStamp.tier} rung` : 'the after output' };
  const guarded = protections(stack, dir, fromConfig, toConfig, changes, labels);
  notes.push(...guarded.notes);
  const versions = databaseVersions(stack, dir, fromConfig, toConfig, changes);
  notes.push(...versions.notes);
  // Both run before the apply of the new output: they come first.
  const first = [...(guarded.step ? [guarded.step] : []), ...(versions.step ? [versions.step] : [])];
  if (!fromStamp || !toStamp) return { changes, migrations: first, interruptions, notes, unsafe: versions.unsafe };
  const side = new Side(fromConfig, fromStamp, 'before', name);
  const migrations = [...first, ...gcpMigrationSteps(fromStamp, toStamp, fromConfig, toConfig, name)];
  // The copy stops the app for its duration (copySteps); the retirement and the server's return
  // move traffic in an order that keeps it served (targeted applies, DNS before removal).
  if (requiredMigrations(fromStamp, toStamp).includes('SERVER_DATABASE_TO_MANAGED')) {
    const vm = side.one('google_compute_instance', VM);
    interruptions.push({
      id: vm?.address ?? `${stack}:server`,
      what: 'the app is down while the copy runs (Caddy answers 502; no write is lost: it restarts on one database or the other)',
      downtime: 'as long as the dump, restore and verification take (minutes per GiB of data)',
      source: STEP_SOURCE,
    });
  }
  let unsafe = versions.unsafe;
  if (toStamp.shards < fromStamp.shards) {
    // The bucket assignment is owned at run time (README, "Growing the shards"): the plan cannot
    // know that no bucket is assigned to the shards that go, so their rows count as lost.
    unsafe = true;
    const gone = Array.from({ length: fromStamp.shards - toStamp.shards }, (_, k) => toStamp.shards + k);
    const named = gone.map(i => {
      const primary = shardPrimary(side, i);
      return { i, primary, name: primary ? displayName(fromConfig, primary.body, primary.address) : side.missing('google_sql_database_instance', `ShardedCluster/Shard${i}/Instance`) };
    });
    const list = named.map(n => `shard ${n.i} ('${n.name}')`).join(', ');
    notes.push(`stack '${stack}': the shard count falls from ${fromStamp.shards} to ${toStamp.shards}. The rows of the key buckets assigned to ${list} are stranded: no step moves buckets back onto ${toStamp.shards === 1 ? 'shard 0' : `shards 0-${toStamp.shards - 1}`}, and SHARD_MAP no longer lists the shards that hold them. UNSAFE whatever happens to those instances.`);
    changes = changes.map(c => {
      const hit = named.find(n => n.primary?.address === c.id);
      if (!hit) return c;
      const stranded = `the rows of the key buckets assigned to shard ${hit.i}`;
      // After what the instance holds, before what else the text says (a twin, a deletion guard).
      const held = hit.primary ? lostBy(c.type, hit.primary.body, fromConfig, c.id) : undefined;
      if (c.lost && held && c.lost.startsWith(held)) return { ...c, lost: `${held}, holding ${stranded}${c.lost.slice(held.length)}` };
      return { ...c, lost: c.lost ? `${c.lost}, holding ${stranded}` : stranded };
    });
  }
  if (!fromStamp.serverHostsDatabase && toStamp.serverHostsDatabase) {
    notes.push(`stack '${stack}': the database moves back onto the server. No step copies Cloud SQL back; disk '${side.value('google_compute_disk', DISK, 'name')}' holds the data as it was when it was copied into Cloud SQL (if it ever held any), not what was written since.`);
  }
  return { changes, migrations, interruptions, notes, unsafe };
}

/** The upgrade plan between two synthesized configurations of rungs `from` and `to` (the demo's composer, or the one the outputs record). */
export function planGcpConfigs(from: Tier, to: Tier, fromConfig: any, toConfig: any): UpgradePlan {
  const part = planStack(GCP_STACK_NAME, fromConfig, toConfig, stampOf(from, fromConfig), stampOf(to, toConfig));
  const verdict = part.unsafe ? 'UNSAFE' : verdictOf(part.changes, part.migrations);
  return {
    cloud: 'gcp',
    from: from.name,
    to: to.name,
    changes: part.changes,
    migrations: part.migrations,
    interruptions: part.interruptions,
    ...(part.notes.length ? { notes: part.notes } : {}),
    verdict,
  };
}

/** The upgrade plan for swapping rung `fromTier` for rung `toTier` of the library's demo app on Google Cloud. */
export function planGcp(fromTier: string, toTier: string, options: GcpRungOptions = {}): UpgradePlan {
  const from = Tier.fromName(fromTier);
  const to = Tier.fromName(toTier);
  // Loaded here so that planning outputs on disk never loads cdktf.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { gcpRungConfig } = require('../ladder/synth-rung') as typeof import('../ladder/synth-rung');
  return planGcpConfigs(from, to, gcpRungConfig(from.name, options), gcpRungConfig(to.name, options));
}
