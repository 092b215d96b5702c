import { terraformLiteral } from './common';
import { COPY_DATABASE_SCRIPT } from '../core/data-moves/copy-database';

/*
 * The single server's startup script (Container-Optimized OS, runs on every boot). Internal:
 * not exported from the package. The text lands in Terraform JSON, so its own lines never
 * contain the sequences Terraform would interpolate (`${`, `%{`): shell variables are written
 * `$NAME`. The shipped copy script is embedded escaped (`terraformLiteral`), so the server
 * runs exactly `COPY_DATABASE_SCRIPT`.
 */

export interface StartupScriptOptions {
  readonly image: string;
  readonly port: number;
  readonly hostsDatabase: boolean;
  readonly domainName?: string;
  readonly environment: Record<string, string>;
  /** Variable name → Secret Manager secret id. */
  readonly secretEnvironment: Record<string, string>;
}

/** PostgreSQL image on the server; its major version matches Cloud SQL's (POSTGRES_16). */
export const SERVER_POSTGRES_IMAGE = 'postgres:16';
/** The file on the data disk that records the one-time copy into the managed database. */
export const MIGRATED_MARKER = 'MIGRATED-TO-CLOUD-SQL';
/** Where the startup script writes the copy script on the server. */
export const SERVER_COPY_SCRIPT_PATH = '/var/lib/scale-ladder/copy-database.sh';
/** The heredoc delimiter around the embedded copy script. */
export const COPY_SCRIPT_DELIMITER = 'SCALE_LADDER_COPY_DATABASE';
/** What the startup script logs once the data disk is unmounted after the verified copy. */
export const DISK_UNMOUNTED_LOG = 'scale-ladder: data disk unmounted';

function sorted(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

export function serverStartupScript(o: StartupScriptOptions): string {
  const envLines = sorted(o.environment).map(([k, v]) => `${k}=${v}`).join('\n');
  const secretLines = sorted(o.secretEnvironment)
    .map(([k, secret]) => `echo "${k}=$(secret ${secret})" >> "$ENV_FILE"`).join('\n');
  const proxyFrom = o.domainName ?? ':80';
  const lines = [
    '#!/bin/bash',
    '# scale-ladder single server: app container + PostgreSQL on the data disk (COS).',
    'set -euo pipefail',
    'log() { echo "scale-ladder: $*"; }',
    'DEV=/dev/disk/by-id/google-pgdata',
    'MNT=/mnt/disks/pgdata',
    'ENV_FILE=/var/lib/scale-ladder/app.env',
    'mkdir -p /var/lib/scale-ladder "$MNT"',
    '# Format the data disk on first boot only, then mount it.',
    'if ! blkid "$DEV" >/dev/null 2>&1; then mkfs.ext4 -m 0 -E lazy_itable_init=0,lazy_journal_init=0,discard "$DEV"; fi',
    'mountpoint -q "$MNT" || mount -o discard,defaults "$DEV" "$MNT"',
    'TOKEN=$(curl -sf -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token | sed -n \'s/.*"access_token":"\\([^"]*\\)".*/\\1/p\')',
    'secret() { curl -sf -H "Authorization: Bearer $TOKEN" "https://secretmanager.googleapis.com/v1/$1/versions/latest:access" | sed -n \'s/.*"data": *"\\([^"]*\\)".*/\\1/p\' | base64 -d; }',
    '# The app\'s environment (AppContract names), secrets read from Secret Manager.',
    'cat > "$ENV_FILE" <<\'SCALE_LADDER_ENV\'',
    envLines,
    'SCALE_LADDER_ENV',
    secretLines,
    'chmod 600 "$ENV_FILE"',
    'DB_PASSWORD=$(grep ^DATABASE_PASSWORD= "$ENV_FILE" | cut -d= -f2-)',
  ];
  if (o.hostsDatabase) {
    lines.push(
      '# PostgreSQL on the data disk, reachable only from this host.',
      'docker rm -f postgres >/dev/null 2>&1 || true',
      `docker run -d --name postgres --restart always -p 127.0.0.1:5432:5432 -v "$MNT":/var/lib/postgresql/data -e PGDATA=/var/lib/postgresql/data/pgdata -e POSTGRES_USER=app -e POSTGRES_DB=app -e POSTGRES_PASSWORD="$DB_PASSWORD" ${SERVER_POSTGRES_IMAGE}`,
    );
  } else {
    if (COPY_DATABASE_SCRIPT.split('\n').includes(COPY_SCRIPT_DELIMITER)) {
      throw new Error(`the copy script contains the heredoc delimiter ${COPY_SCRIPT_DELIMITER}`);
    }
    // The copy runs the shipped script in the postgres image against the old data directory
    // (a throw-away PostgreSQL on 127.0.0.1:5433) and Cloud SQL; it verifies every table's
    // row count and checksum, and only then runs ON_VERIFIED, which writes the marker.
    const copyEnv = [
      'SOURCE_HOST=127.0.0.1', 'SOURCE_PORT=5433', 'SOURCE_USER=app', 'SOURCE_DB=app', 'SOURCE_SSLMODE=disable',
      'TARGET_HOST="$TARGET"', 'TARGET_PORT=5432', 'TARGET_USER=app', 'TARGET_DB=app', 'TARGET_SSLMODE=require',
      'SOURCE_PASSWORD="$DB_PASSWORD"', 'TARGET_PASSWORD="$DB_PASSWORD"',
      `ON_VERIFIED="date -u +%Y-%m-%dT%H:%M:%SZ > /pgdisk/${MIGRATED_MARKER}"`,
    ].map(e => `-e ${e}`).join(' ');
    lines.push(
      '# The database moved to Cloud SQL. Copy the server-local database across once, verified table by table (the disk keeps it).',
      'docker rm -f postgres >/dev/null 2>&1 || true',
      `if [ -d "$MNT/pgdata" ] && [ ! -f "$MNT/${MIGRATED_MARKER}" ]; then`,
      '  log "copying the local database into Cloud SQL"',
      '  docker rm -f app >/dev/null 2>&1 || true',
      '  TARGET=$(grep ^DATABASE_HOST= "$ENV_FILE" | cut -d= -f2-)',
      `  cat > ${SERVER_COPY_SCRIPT_PATH} <<'${COPY_SCRIPT_DELIMITER}'`,
      terraformLiteral(COPY_DATABASE_SCRIPT).replace(/\n$/, ''),
      COPY_SCRIPT_DELIMITER,
      '  docker rm -f pg-old >/dev/null 2>&1 || true',
      `  docker run -d --name pg-old -p 127.0.0.1:5433:5432 -v "$MNT":/var/lib/postgresql/data -e PGDATA=/var/lib/postgresql/data/pgdata ${SERVER_POSTGRES_IMAGE}`,
      '  until docker exec pg-old pg_isready -U app >/dev/null 2>&1; do sleep 2; done',
      '  set +e',
      `  docker run --rm --network host -v ${SERVER_COPY_SCRIPT_PATH}:/copy-database.sh:ro -v "$MNT":/pgdisk ${copyEnv} ${SERVER_POSTGRES_IMAGE} bash /copy-database.sh`,
      '  COPIED=$?',
      '  set -e',
      '  docker rm -f pg-old >/dev/null 2>&1 || true',
      `  if [ "$COPIED" != 0 ] || [ ! -f "$MNT/${MIGRATED_MARKER}" ]; then`,
      '    log "copy FAILED (copy-database exit $COPIED, lines above): the app stays stopped and the local data untouched; exit 3 means Cloud SQL already holds tables. Fix and reboot to retry"',
      '    exit 1',
      '  fi',
      '  log "copy verified; the disk keeps the old data until you delete it"',
      'fi',
      '# PostgreSQL no longer runs here: unmount the data disk (copied and verified, or never used) so the server can retire and the disk detach cleanly.',
      `if [ -f "$MNT/${MIGRATED_MARKER}" ] || [ ! -d "$MNT/pgdata" ]; then`,
      `  WHY="no local database"; [ ! -f "$MNT/${MIGRATED_MARKER}" ] || WHY="copy verified $(cat "$MNT/${MIGRATED_MARKER}")"`,
      '  sync',
      `  if umount "$MNT"; then echo "${DISK_UNMOUNTED_LOG} ($WHY)"; else log "the data disk is busy and stays mounted: find what holds it (fuser -m $MNT) before the server retires"; fi`,
      'fi',
    );
  }
  lines.push(
    '# The app, on the host network so it reaches PostgreSQL on 127.0.0.1.',
    'docker rm -f app >/dev/null 2>&1 || true',
    `docker run -d --name app --restart always --network host --env-file "$ENV_FILE" ${o.image}`,
    '# Caddy in front: TLS with an automatic certificate when a domain is given.',
    'docker rm -f caddy >/dev/null 2>&1 || true',
    `docker run -d --name caddy --restart always --network host -v /var/lib/scale-ladder/caddy:/data caddy:2 caddy reverse-proxy --from ${proxyFrom} --to 127.0.0.1:${o.port}`,
    'log "started"',
  );
  return lines.filter(l => l !== '').join('\n') + '\n';
}
