import { AppEnvironment } from './app-environment';

/*
 * Shell scripts for the single server. Values may be CloudFormation tokens; they are
 * embedded in single quotes, which no token value (ARN, host, id) can contain.
 */

export interface BootScriptOptions {
  readonly region: string;
  readonly volumeId: string;
  readonly logGroup: string;
  readonly appImage: string;
  readonly port: number;
  readonly postgresImage: string;
  readonly postgresSecretArn: string;
  readonly environment: AppEnvironment;
  readonly registryLogin: boolean;
}

const HELPERS = [
  'set -euo pipefail',
  'secret() { local v; v=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$1" --query SecretString --output text); if [ -n "${2:-}" ]; then printf %s "$v" | jq -r ".$2"; else printf %s "$v"; fi; }',
];

/** Boots the server: data volume, PostgreSQL (always, so the 10K copy can read it), the app. */
export function serverBootScript(o: BootScriptOptions): string {
  const env = o.environment;
  const plain = Object.entries(env.variables).map(([k, v]) => `echo '${k}=${v}' >> /etc/scale-ladder/app.env`);
  const secret = Object.entries(env.secrets).map(([k, ref]) =>
    `echo "${k}=$(secret '${ref.secret.secretArn}' '${ref.field ?? ''}')" >> /etc/scale-ladder/app.env`);
  const logOpts = `--log-driver awslogs --log-opt awslogs-region="$REGION" --log-opt awslogs-group='${o.logGroup}'`;
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
    'docker rm -f postgres app 2>/dev/null || true',
    `docker run -d --name postgres --restart always -p 127.0.0.1:5432:5432 -v /var/lib/scale-ladder/pgdata:/var/lib/postgresql/data -e POSTGRES_PASSWORD="$PGPASSWORD_LOCAL" ${logOpts} --log-opt awslogs-stream=postgres '${o.postgresImage}'`,
    'install -d -m 700 /etc/scale-ladder',
    'install -m 600 /dev/null /etc/scale-ladder/app.env',
    ...plain,
    ...secret,
    ...(o.registryLogin
      ? [`aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$(echo '${o.appImage}' | cut -d/ -f1)"`]
      : []),
    `docker run -d --name app --restart always --network host --env-file /etc/scale-ladder/app.env ${logOpts} --log-opt awslogs-stream=app '${o.appImage}'`,
  ].join('\n');
}

export interface MigrationScriptOptions {
  readonly region: string;
  readonly sourceSecretArn: string;
  readonly targetHost: string;
  readonly targetPort: string;
  readonly targetSecretArn: string;
  readonly postgresImage: string;
}

/**
 * Copies every database of the server's PostgreSQL into the managed one with
 * pg_dumpall-compatible dump/restore, then compares row counts table by table.
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
    `PGSSLMODE=disable PGPASSWORD="$SRC_PASS" ${psql} pg_dump -h 127.0.0.1 -U postgres -d postgres --no-owner --no-privileges -Fc > /var/lib/scale-ladder/migration.dump`,
    `PGSSLMODE=require PGPASSWORD="$DST_PASS" ${psql} pg_restore -h "$DST_HOST" -p "$DST_PORT" -U "$DST_USER" -d postgres --no-owner --no-privileges --single-transaction < /var/lib/scale-ladder/migration.dump`,
    "COUNT_SQL=\"select string_agg(format('%s.%s=%s', schemaname, relname, n_live_tup), ',' order by schemaname, relname) from pg_stat_user_tables\"",
    `SRC=$(PGSSLMODE=disable PGPASSWORD="$SRC_PASS" ${psql} psql -h 127.0.0.1 -U postgres -d postgres -tAc "ANALYZE" -c "$COUNT_SQL")`,
    `DST=$(PGSSLMODE=require PGPASSWORD="$DST_PASS" ${psql} psql -h "$DST_HOST" -p "$DST_PORT" -U "$DST_USER" -d postgres -tAc "ANALYZE" -c "$COUNT_SQL")`,
    'echo "source rows: $SRC"; echo "target rows: $DST"',
    '[ "$SRC" = "$DST" ] || { echo "row counts differ: keep the app on the server database and investigate" >&2; exit 1; }',
    'echo "copy verified; the data volume is retained and may be deleted by hand once the app runs on the managed database"',
  ].join('\n');
}
