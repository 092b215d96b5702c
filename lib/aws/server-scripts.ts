import { AppEnvironment } from './app-environment';

/*
 * Shell scripts for the single server. Values may be CloudFormation tokens; they are
 * embedded in single quotes, which no token value (ARN, host, id) can contain.
 */

/** How the app container runs on the server; shared by the boot script and the migration's switch. */
export interface AppRunOptions {
  readonly logGroup: string;
  readonly appImage: string;
  readonly environment: AppEnvironment;
  readonly registryLogin: boolean;
}

export interface BootScriptOptions extends AppRunOptions {
  readonly region: string;
  readonly volumeId: string;
  readonly postgresImage: string;
  readonly postgresSecretArn: string;
}

const HELPERS = [
  'set -euo pipefail',
  'secret() { local v; v=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$1" --query SecretString --output text); if [ -n "${2:-}" ]; then printf %s "$v" | jq -r ".$2"; else printf %s "$v"; fi; }',
];

function logOptions(logGroup: string): string {
  return `--log-driver awslogs --log-opt awslogs-region="$REGION" --log-opt awslogs-group='${logGroup}'`;
}

/** (Re)writes the app's env file from the contract and (re)starts the app container. */
function runAppCommands(o: AppRunOptions): string[] {
  const env = o.environment;
  return [
    'install -d -m 700 /etc/scale-ladder',
    'install -m 600 /dev/null /etc/scale-ladder/app.env.new',
    ...Object.entries(env.variables).map(([k, v]) => `echo '${k}=${v}' >> /etc/scale-ladder/app.env.new`),
    ...Object.entries(env.secrets).map(([k, ref]) =>
      `echo "${k}=$(secret '${ref.secret.secretArn}' '${ref.field ?? ''}')" >> /etc/scale-ladder/app.env.new`),
    'mv /etc/scale-ladder/app.env.new /etc/scale-ladder/app.env',
    ...(o.registryLogin
      ? [`aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$(echo '${o.appImage}' | cut -d/ -f1)"`]
      : []),
    'docker rm -f app 2>/dev/null || true',
    `docker run -d --name app --restart always --network host --env-file /etc/scale-ladder/app.env ${logOptions(o.logGroup)} --log-opt awslogs-stream=app '${o.appImage}'`,
  ];
}

/**
 * Boots the server (first boot only; containers restart on their own after a reboot):
 * data volume, PostgreSQL on it (always, so the 10K copy can read it), the app.
 */
export function serverBootScript(o: BootScriptOptions): string {
  return [
    ...HELPERS,
    `REGION='${o.region}'`,
    'dnf install -y docker jq',
    'systemctl enable --now docker',
    // Nitro exposes EBS volumes as NVMe devices named after the volume id.
    `VOLUME_ID='${o.volumeId}'`,
    'DEV="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${VOLUME_ID/-/}"',
    'for _ in $(seq 1 60); do [ -e "$DEV" ] && break; sleep 5; done',
    'blkid "$DEV" || mkfs -t xfs "$DEV"',
    'mkdir -p /var/lib/scale-ladder',
    'grep -q /var/lib/scale-ladder /etc/fstab || echo "$DEV /var/lib/scale-ladder xfs defaults,nofail 0 2" >> /etc/fstab',
    'mount -a',
    `PGPASSWORD_LOCAL=$(secret '${o.postgresSecretArn}' password)`,
    'docker rm -f postgres 2>/dev/null || true',
    `docker run -d --name postgres --restart always -p 127.0.0.1:5432:5432 -v /var/lib/scale-ladder/pgdata:/var/lib/postgresql/data -e POSTGRES_PASSWORD="$PGPASSWORD_LOCAL" ${logOptions(o.logGroup)} --log-opt awslogs-stream=postgres '${o.postgresImage}'`,
    ...runAppCommands(o),
  ].join('\n');
}

export interface MigrationScriptOptions {
  readonly region: string;
  /** The app as it must run after the switch (the managed database's contract). */
  readonly app: AppRunOptions;
  readonly sourceSecretArn: string;
  readonly targetHost: string;
  readonly targetPort: string;
  readonly targetSecretArn: string;
  readonly postgresImage: string;
}

/**
 * The 1K → 10K move, run once through SSM: stop the app (no writes during the copy),
 * dump the server's PostgreSQL and restore it into the managed writer over TLS, compare
 * row counts table by table, and only then restart the app on the managed database.
 * On any failure the app is restarted unchanged on the server's database. A stop/start
 * of the instance does not re-run user data, so this is also what switches the app.
 * The source volume is left untouched.
 */
export function migrationScript(o: MigrationScriptOptions): string {
  const psql = `docker run --rm -i --network host -e PGPASSWORD -e PGSSLMODE '${o.postgresImage}'`;
  return [
    ...HELPERS,
    `REGION='${o.region}'`,
    `SRC_PASS=$(secret '${o.sourceSecretArn}' password)`,
    `DST_USER=$(secret '${o.targetSecretArn}' username)`,
    `DST_PASS=$(secret '${o.targetSecretArn}' password)`,
    `DST_HOST='${o.targetHost}'`,
    `DST_PORT='${o.targetPort}'`,
    'trap \'[ "${SWITCHED:-}" = yes ] || docker start app\' EXIT',
    'docker stop app',
    `PGSSLMODE=disable PGPASSWORD="$SRC_PASS" ${psql} pg_dump -h 127.0.0.1 -U postgres -d postgres --no-owner --no-privileges -Fc > /var/lib/scale-ladder/migration.dump`,
    `PGSSLMODE=require PGPASSWORD="$DST_PASS" ${psql} pg_restore -h "$DST_HOST" -p "$DST_PORT" -U "$DST_USER" -d postgres --no-owner --no-privileges --single-transaction < /var/lib/scale-ladder/migration.dump`,
    "COUNT_SQL=\"select string_agg(format('%s.%s=%s', schemaname, relname, n_live_tup), ',' order by schemaname, relname) from pg_stat_user_tables\"",
    `SRC=$(PGSSLMODE=disable PGPASSWORD="$SRC_PASS" ${psql} psql -h 127.0.0.1 -U postgres -d postgres -tAc "ANALYZE" -c "$COUNT_SQL")`,
    `DST=$(PGSSLMODE=require PGPASSWORD="$DST_PASS" ${psql} psql -h "$DST_HOST" -p "$DST_PORT" -U "$DST_USER" -d postgres -tAc "ANALYZE" -c "$COUNT_SQL")`,
    'echo "source rows: $SRC"; echo "target rows: $DST"',
    '[ "$SRC" = "$DST" ] || { echo "row counts differ: keep the app on the server database and investigate" >&2; exit 1; }',
    ...runAppCommands(o.app),
    'SWITCHED=yes',
    'echo "copy verified, app switched to the managed database; the data volume is retained and may be deleted by hand once the app has been verified there"',
  ].join('\n');
}
