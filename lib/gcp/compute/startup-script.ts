import { COPY_DATABASE_SCRIPT } from '../../core/data-moves/copy-database';
import { terraformLiteral } from '../internal/common';

/*
 * The single server's startup script (Container-Optimized OS). Internal: not exported from the
 * package. The text lands in Terraform JSON, so its own lines never contain the sequences
 * Terraform would interpolate (`${`, `%{`): shell variables are written `$NAME`. The shipped
 * copy script is embedded escaped (`terraformLiteral`), so the server runs exactly
 * `COPY_DATABASE_SCRIPT`.
 *
 * The script is the same on every rung that runs the server (1K and 10K): everything that
 * differs between rungs is in other metadata keys (SERVER_METADATA), which the server reads from
 * the metadata server (cloud.google.com/compute/docs/metadata/querying-metadata: custom metadata
 * under instance/attributes/, header `Metadata-Flavor: Google`). A climb therefore changes only
 * metadata values, which the provider updates in place without restarting the VM
 * (terraform-provider-google v6.50.0 google/services/compute/resource_compute_instance.go:
 * `metadata` is a plain Optional map, not ForceNew; resourceComputeInstanceUpdate sends it with
 * Instances.SetMetadata, and `metadata` is not among the changes in needToStopInstanceBeforeUpdating).
 * The script itself does nothing new until the next boot, and no boot copies anything.
 *
 * On every boot it writes the server logic to SERVER_SCRIPT_PATH and runs its `boot` action:
 * PostgreSQL on the data disk serves the app unless the disk carries MIGRATED_MARKER (a verified
 * copy) or holds no database while the rung's database is Cloud SQL. The copy into Cloud SQL is
 * the `migrate` action, which runs only when the operator starts it (over `gcloud compute ssh`,
 * printed by `scale-ladder plan`): it stops the app, copies and verifies, and only then switches
 * the app to Cloud SQL; on any failure it restarts the app unchanged on the server's database.
 */

export interface StartupScriptOptions {
  readonly image: string;
  readonly port: number;
  readonly domainName?: string;
}

/** What the rung puts in the server's other metadata keys. */
export interface ServerMetadataOptions {
  /** Whether the rung's database is PostgreSQL on the server (else Cloud SQL, `environment.DATABASE_HOST`). */
  readonly hostsDatabase: boolean;
  readonly environment: Record<string, string>;
  /** Variable name → Secret Manager secret id. */
  readonly secretEnvironment: Record<string, string>;
}

/** PostgreSQL image on the server; its major version matches Cloud SQL's (POSTGRES_16). */
export const SERVER_POSTGRES_IMAGE = 'postgres:16';
/** The file on the data disk that records the one-time copy into the managed database. */
export const MIGRATED_MARKER = 'MIGRATED-TO-CLOUD-SQL';
/** Where the server logic is written on every boot; the operator runs its `migrate` action. */
export const SERVER_SCRIPT_PATH = '/var/lib/scale-ladder/server.sh';
/** Where the migrate action writes the copy script on the server. */
export const SERVER_COPY_SCRIPT_PATH = '/var/lib/scale-ladder/copy-database.sh';
/** The heredoc delimiter around the embedded copy script. */
export const COPY_SCRIPT_DELIMITER = 'SCALE_LADDER_COPY_DATABASE';
/** The heredoc delimiter around the server logic. */
export const SERVER_SCRIPT_DELIMITER = 'SCALE_LADDER_SERVER';
/** What the server logs once the data disk is unmounted after the verified copy. */
export const DISK_UNMOUNTED_LOG = 'scale-ladder: data disk unmounted';
/** The systemd unit the operator runs the copy in (it survives a dropped SSH session). */
export const COPY_UNIT = 'scale-ladder-copy';
/** Seconds the server waits for PostgreSQL to accept connections. */
export const POSTGRES_READY_SECONDS = 120;

/** Metadata keys the server reads (other than `startup-script`). */
export const SERVER_METADATA = {
  /** `server` or `managed`: where the rung keeps the database. */
  database: 'scale-ladder-database',
  /** The app's plain environment, one KEY=VALUE a line. */
  environment: 'scale-ladder-env',
  /** The app's secret environment, one NAME=secret-id a line. */
  secrets: 'scale-ladder-secrets',
} as const;

function sorted(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

/** The rung-specific metadata values of the server. */
export function serverMetadata(o: ServerMetadataOptions): Record<string, string> {
  const lines = (record: Record<string, string>) => sorted(record).map(([k, v]) => `${k}=${v}\n`).join('');
  return {
    [SERVER_METADATA.database]: o.hostsDatabase ? 'server' : 'managed',
    [SERVER_METADATA.environment]: lines(o.environment),
    [SERVER_METADATA.secrets]: lines(o.secretEnvironment),
  };
}

/** Where the operator's copy command saves the current startup script before running it. */
export const OPERATOR_STARTUP_COPY = '/var/lib/scale-ladder/startup-script.sh';

/**
 * The operator's command that starts the copy on the server: it fetches the startup script as
 * the metadata holds it now (so a server last booted with an older script runs the current
 * logic) and runs it with `migrate`, as root, in its own systemd unit.
 */
export function copyCommand(): string {
  return [
    `sudo mkdir -p /var/lib/scale-ladder && sudo curl -sf -H "Metadata-Flavor: Google" -o ${OPERATOR_STARTUP_COPY} http://metadata.google.internal/computeMetadata/v1/instance/attributes/startup-script`,
    `&& { sudo systemctl reset-failed ${COPY_UNIT} 2>/dev/null || true; sudo systemd-run --unit ${COPY_UNIT} --property StandardOutput=journal+console --property StandardError=journal+console bash ${OPERATOR_STARTUP_COPY} migrate; }`,
  ].join(' ');
}

function serverLogic(o: StartupScriptOptions): string[] {
  if (COPY_DATABASE_SCRIPT.split('\n').some(l => l === COPY_SCRIPT_DELIMITER || l === SERVER_SCRIPT_DELIMITER)) {
    throw new Error(`the copy script contains a heredoc delimiter (${COPY_SCRIPT_DELIMITER} or ${SERVER_SCRIPT_DELIMITER})`);
  }
  const proxyFrom = o.domainName ?? ':80';
  // The copy reads the server's PostgreSQL (the app stopped) and writes Cloud SQL over TLS; it
  // verifies every table's row count and checksum, and only then runs ON_VERIFIED (the marker).
  const copyEnv = [
    'SOURCE_HOST=127.0.0.1', 'SOURCE_PORT=5432', 'SOURCE_USER=app', 'SOURCE_DB=app', 'SOURCE_SSLMODE=disable',
    'TARGET_HOST="$TARGET"', 'TARGET_PORT=5432', 'TARGET_USER=app', 'TARGET_DB=app', 'TARGET_SSLMODE=require',
    'SOURCE_PASSWORD="$DB_PASSWORD"', 'TARGET_PASSWORD="$DB_PASSWORD"',
    `ON_VERIFIED="date -u +%Y-%m-%dT%H:%M:%SZ > /pgdisk/${MIGRATED_MARKER}"`,
  ].map(e => `-e ${e}`).join(' ');
  return [
    '#!/bin/bash',
    '# scale-ladder single server (COS): the app, and PostgreSQL on the data disk until a verified copy into Cloud SQL.',
    '# Actions: boot (the startup script runs it on every boot), migrate (the operator runs it; never at boot).',
    'set -euo pipefail',
    'ACTION=boot; [ "$#" = 0 ] || ACTION=$1',
    'log() { echo "scale-ladder: $*"; }',
    'DEV=/dev/disk/by-id/google-pgdata',
    'MNT=/mnt/disks/pgdata',
    'ENV_FILE=/var/lib/scale-ladder/app.env',
    `MARKER="$MNT/${MIGRATED_MARKER}"`,
    'md() { curl -sf --retry 5 --max-time 10 -H "Metadata-Flavor: Google" "http://metadata.google.internal/computeMetadata/v1/instance/attributes/$1"; }',
    `DATABASE_MODE=$(md ${SERVER_METADATA.database})`,
    '# The server keeps the database while the rung says so, or while the disk holds a database not yet copied.',
    'serves_locally() { [ "$DATABASE_MODE" = server ] || { [ -d "$MNT/pgdata" ] && [ ! -f "$MARKER" ]; }; }',
    'mount_disk() {',
    '  if ! blkid "$DEV" >/dev/null 2>&1; then mkfs.ext4 -m 0 -E lazy_itable_init=0,lazy_journal_init=0,discard "$DEV"; fi',
    '  mountpoint -q "$MNT" || mount -o discard,defaults "$DEV" "$MNT"',
    '}',
    '# The app\'s environment (AppContract names) from metadata, secrets read from Secret Manager; $1 = server|managed.',
    'write_env() {',
    '  local token name id value',
    '  token=$(curl -sf --retry 5 --max-time 10 -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token | sed -n \'s/.*"access_token":"\\([^"]*\\)".*/\\1/p\')',
    `  md ${SERVER_METADATA.environment} > "$ENV_FILE.new"`,
    '  if [ "$1" = server ]; then',
    '    grep -v -E \'^(DATABASE_HOST|DATABASE_READER_HOST|DATABASE_SSL)=\' "$ENV_FILE.new" > "$ENV_FILE.tmp" || true',
    '    printf \'DATABASE_HOST=127.0.0.1\\nDATABASE_READER_HOST=127.0.0.1\\nDATABASE_SSL=disable\\n\' >> "$ENV_FILE.tmp"',
    '    mv "$ENV_FILE.tmp" "$ENV_FILE.new"',
    '  fi',
    `  md ${SERVER_METADATA.secrets} > "$ENV_FILE.secrets"`,
    '  while IFS== read -r name id || [ -n "$name" ]; do',
    '    [ -n "$name" ] || continue',
    '    value=$(curl -sf --retry 5 --max-time 10 -H "Authorization: Bearer $token" "https://secretmanager.googleapis.com/v1/$id/versions/latest:access" | sed -n \'s/.*"data": *"\\([^"]*\\)".*/\\1/p\' | base64 -d)',
    '    [ -n "$value" ] || { log "cannot read secret $id"; return 1; }',
    '    echo "$name=$value" >> "$ENV_FILE.new"',
    '  done < "$ENV_FILE.secrets"',
    '  rm -f "$ENV_FILE.secrets"',
    '  chmod 600 "$ENV_FILE.new"',
    '  mv "$ENV_FILE.new" "$ENV_FILE"',
    '}',
    '# Bounded: PostgreSQL gets a fixed time to accept connections.',
    `postgres_ready() { local i; for i in $(seq ${POSTGRES_READY_SECONDS / 2}); do docker exec postgres pg_isready -U app >/dev/null 2>&1 && return 0; sleep 2; done; return 1; }`,
    'start_postgres() {',
    '  local password',
    '  password=$(grep ^DATABASE_PASSWORD= "$ENV_FILE" | cut -d= -f2-)',
    '  docker rm -f postgres >/dev/null 2>&1 || true',
    `  docker run -d --name postgres --restart always -p 127.0.0.1:5432:5432 -v "$MNT":/var/lib/postgresql/data -e PGDATA=/var/lib/postgresql/data/pgdata -e POSTGRES_USER=app -e POSTGRES_DB=app -e POSTGRES_PASSWORD="$password" ${SERVER_POSTGRES_IMAGE}`,
    `  postgres_ready || log "PostgreSQL did not accept connections within ${POSTGRES_READY_SECONDS} s; the app starts anyway and retries"`,
    '}',
    '# PostgreSQL no longer runs here: unmount the data disk so the server can retire and the disk detach cleanly.',
    'unmount_disk() {',
    '  local why="no local database"',
    '  [ ! -f "$MARKER" ] || why="copy verified $(cat "$MARKER")"',
    '  mountpoint -q "$MNT" || return 0',
    '  sync',
    `  if umount "$MNT"; then echo "${DISK_UNMOUNTED_LOG} ($why)"; else log "the data disk is busy and stays mounted: find what holds it (fuser -m $MNT) before the server retires"; fi`,
    '}',
    '# The app, on the host network so it reaches PostgreSQL on 127.0.0.1.',
    'start_app() {',
    '  docker rm -f app >/dev/null 2>&1 || true',
    `  docker run -d --name app --restart always --network host --env-file "$ENV_FILE" ${o.image}`,
    '}',
    'boot() {',
    '  mkdir -p /var/lib/scale-ladder "$MNT"',
    '  mount_disk',
    '  if serves_locally; then',
    `    [ "$DATABASE_MODE" = server ] || log "the rung's database is Cloud SQL, but this disk's database is not copied yet: the app serves from the server's PostgreSQL until you run the copy (${copyCommand()})"`,
    '    write_env server',
    '    start_postgres',
    '  else',
    '    docker rm -f postgres >/dev/null 2>&1 || true',
    '    write_env managed',
    '    unmount_disk',
    '  fi',
    '  start_app',
    '  # Caddy in front: TLS with an automatic certificate when a domain is given.',
    '  docker rm -f caddy >/dev/null 2>&1 || true',
    `  docker run -d --name caddy --restart always --network host -v /var/lib/scale-ladder/caddy:/data caddy:2 caddy reverse-proxy --from ${proxyFrom} --to 127.0.0.1:${o.port}`,
    '  log "started"',
    '}',
    '# The one-time copy into Cloud SQL, started by the operator. The app is down only while it runs.',
    'migrate() {',
    '  local target copied',
    '  [ "$DATABASE_MODE" = managed ] || { log "copy refused: this rung keeps the database on the server ($DATABASE_MODE); nothing changed"; return 2; }',
    '  mountpoint -q "$MNT" && [ -d "$MNT/pgdata" ] || { log "copy refused: the data disk holds no local database; nothing changed"; return 2; }',
    '  [ ! -f "$MARKER" ] || { log "copy refused: already copied and verified ($(cat "$MARKER")); nothing changed"; return 2; }',
    `  target=$(md ${SERVER_METADATA.environment} | grep ^DATABASE_HOST= | cut -d= -f2-)`,
    '  [ -n "$target" ] && [ "$target" != 127.0.0.1 ] || { log "copy refused: no Cloud SQL host in the metadata; nothing changed"; return 2; }',
    '  postgres_ready || { log "copy refused: the server\'s PostgreSQL is not ready; nothing changed"; return 1; }',
    `  cat > ${SERVER_COPY_SCRIPT_PATH} <<'${COPY_SCRIPT_DELIMITER}'`,
    terraformLiteral(COPY_DATABASE_SCRIPT).replace(/\n$/, ''),
    COPY_SCRIPT_DELIMITER,
    '  DB_PASSWORD=$(grep ^DATABASE_PASSWORD= "$ENV_FILE" | cut -d= -f2-)',
    '  TARGET=$target',
    '  log "stopping the app for the copy (the server\'s PostgreSQL keeps the data; Caddy answers 502 until the app is back)"',
    '  if docker inspect app >/dev/null 2>&1; then docker stop -t 30 app >/dev/null || { docker start app >/dev/null || true; log "copy refused: the app did not stop; nothing copied"; return 1; }; fi',
    '  set +e',
    `  docker run --rm --network host -v ${SERVER_COPY_SCRIPT_PATH}:/copy-database.sh:ro -v "$MNT":/pgdisk ${copyEnv} ${SERVER_POSTGRES_IMAGE} bash /copy-database.sh`,
    '  copied=$?',
    '  set -e',
    '  if [ "$copied" != 0 ] || [ ! -f "$MARKER" ]; then',
    '    # Never leave a marker of an unverified copy: the next boot would switch to Cloud SQL.',
    '    [ ! -f "$MARKER" ] || mv "$MARKER" "$MARKER.failed-$(date -u +%Y%m%dT%H%M%SZ)"',
    '    docker start app >/dev/null 2>&1 || start_app',
    '    log "copy FAILED (copy-database exit $copied, lines above): the app serves again from the server\'s database, unchanged; exit 3 means Cloud SQL already holds tables. Fix and run the copy again"',
    '    return 1',
    '  fi',
    '  log "copy verified; switching the app to Cloud SQL (the disk keeps the old data until you delete it)"',
    '  docker rm -f postgres >/dev/null 2>&1 || true',
    '  write_env managed',
    '  unmount_disk',
    '  start_app',
    '  log "the app serves from Cloud SQL"',
    '}',
    'case "$ACTION" in',
    '  boot) boot ;;',
    '  migrate) migrate ;;',
    '  *) log "unknown action $ACTION (boot or migrate)"; exit 2 ;;',
    'esac',
  ];
}

/** The startup script: the same text on every rung with a server. */
export function serverStartupScript(o: StartupScriptOptions): string {
  const lines = [
    '#!/bin/bash',
    '# scale-ladder single server: writes the server logic and boots it. It never copies data; see the plan for the copy.',
    'set -euo pipefail',
    'mkdir -p /var/lib/scale-ladder',
    `cat > ${SERVER_SCRIPT_PATH} <<'${SERVER_SCRIPT_DELIMITER}'`,
    ...serverLogic(o),
    SERVER_SCRIPT_DELIMITER,
    '# No argument at boot (boot); the operator\'s copy command passes migrate.',
    `exec bash ${SERVER_SCRIPT_PATH} "$@"`,
  ];
  return lines.filter(l => l !== '').join('\n') + '\n';
}
