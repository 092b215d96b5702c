import { COPY_DATABASE_SCRIPT } from '../../core/data-moves/copy-database';

/*
 * Shell scripts for the single server. Values may be CloudFormation tokens; they are
 * embedded in single quotes, which no token value (ARN, host, id, name) can contain.
 *
 * The boot script is the same on every rung the server runs on: the app's variables are
 * read from an SSM parameter (whose value changes in place between rungs), never written
 * into user data, because a user-data change stops and starts the instance
 * ("AWS::EC2::Instance, UserData: Update requires: Some interruptions", CloudFormation User
 * Guide). User data runs on first boot only; after that the containers restart on their
 * own, so the app keeps the variables it booted with until the migration switches it.
 */

/** How the app container runs on the server; shared by the boot script and the migration's switch. */
export interface AppRunOptions {
  readonly region: string;
  readonly logGroup: string;
  readonly appImage: string;
  readonly registryLogin: boolean;
  /** SSM parameter holding `{"variables":{…},"secrets":{"NAME":{"arn":…,"field":…}}}`. */
  readonly environmentParameter: string;
  /** Prefix of the server's own paths; only tests set it (to run the script in a sandbox). */
  readonly root?: string;
}

export interface BootScriptOptions extends AppRunOptions {
  readonly volumeId: string;
  readonly postgresImage: string;
  readonly postgresSecretArn: string;
}

/** Where the server's data volume is mounted. */
const DATA_MOUNT = '/var/lib/scale-ladder';
/** Where the app's env file and the migration marker live. */
const ETC = '/etc/scale-ladder';

function helpers(o: AppRunOptions): string[] {
  const etc = `${o.root ?? ''}${ETC}`;
  return [
    'set -euo pipefail',
    `REGION='${o.region}'`,
    'secret() { local v; v=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$1" --query SecretString --output text); if [ -n "${2:-}" ]; then printf %s "$v" | jq -r ".$2"; else printf %s "$v"; fi; }',
    // Functions return on the first failure themselves: `set -e` does not apply inside a
    // function called as part of `||` / `&&`, and an `echo "$(cmd)"` hides cmd's failure.
    // write_app_env: the app's variables from the environment parameter, into app.env.new.
    'write_app_env() {',
    '  local env name arn field value',
    `  env=$(aws ssm get-parameter --region "$REGION" --name '${o.environmentParameter}' --query Parameter.Value --output text) || return 1`,
    `  install -d -m 700 ${etc} && install -m 600 /dev/null ${etc}/app.env.new || return 1`,
    `  printf %s "$env" | jq -r '.variables | to_entries[] | "\\(.key)=\\(.value)"' >> ${etc}/app.env.new || return 1`,
    '  for name in $(printf %s "$env" | jq -r \'.secrets | keys[]\'); do',
    '    arn=$(printf %s "$env" | jq -r --arg n "$name" \'.secrets[$n].arn\') || return 1',
    '    field=$(printf %s "$env" | jq -r --arg n "$name" \'.secrets[$n].field // ""\') || return 1',
    '    value=$(secret "$arn" "$field") || return 1',
    `    echo "$name=$value" >> ${etc}/app.env.new || return 1`,
    '  done',
    '}',
    // start_app: (re)starts the app container from app.env.
    'start_app() {',
    ...(o.registryLogin
      ? [`  aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$(echo '${o.appImage}' | cut -d/ -f1)" || return 1`]
      : []),
    '  docker rm -f app 2>/dev/null || true',
    `  docker run -d --name app --restart always --network host --env-file ${etc}/app.env ${logOptions(o.logGroup)} --log-opt awslogs-stream=app '${o.appImage}' || return 1`,
    '}',
    `run_app() { write_app_env || return 1; mv ${etc}/app.env.new ${etc}/app.env || return 1; start_app; }`,
  ];
}

function logOptions(logGroup: string): string {
  return `--log-driver awslogs --log-opt awslogs-region="$REGION" --log-opt awslogs-group='${logGroup}'`;
}

/**
 * Boots the server (first boot only): data volume, PostgreSQL on it (always, so the 10K
 * copy can read it), the app.
 */
export function serverBootScript(o: BootScriptOptions): string {
  return [
    ...helpers(o),
    'dnf install -y docker jq',
    'systemctl enable --now docker',
    // Nitro exposes EBS volumes as NVMe devices named after the volume id.
    `VOLUME_ID='${o.volumeId}'`,
    'DEV="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${VOLUME_ID/-/}"',
    'for _ in $(seq 1 60); do [ -e "$DEV" ] && break; sleep 5; done',
    'blkid "$DEV" || mkfs -t xfs "$DEV"',
    `mkdir -p ${DATA_MOUNT}`,
    `grep -q ${DATA_MOUNT} /etc/fstab || echo "$DEV ${DATA_MOUNT} xfs defaults,nofail 0 2" >> /etc/fstab`,
    'mount -a',
    `PGPASSWORD_LOCAL=$(secret '${o.postgresSecretArn}' password)`,
    'docker rm -f postgres 2>/dev/null || true',
    `docker run -d --name postgres --restart always -p 127.0.0.1:5432:5432 -v ${DATA_MOUNT}/pgdata:/var/lib/postgresql/data -e POSTGRES_PASSWORD="$PGPASSWORD_LOCAL" ${logOptions(o.logGroup)} --log-opt awslogs-stream=postgres '${o.postgresImage}'`,
    'run_app',
  ].join('\n');
}

export interface MigrationScriptOptions {
  /** The app; its environment parameter already holds the managed database's contract. */
  readonly app: AppRunOptions;
  readonly sourceSecretArn: string;
  readonly targetHost: string;
  readonly targetPort: string;
  readonly targetSecretArn: string;
  readonly postgresImage: string;
}

/** Ends the heredoc that writes the copy script to disk; the script never contains it. */
const HEREDOC_END = 'SCALE_LADDER_COPY_DATABASE_END';

/**
 * The 1K → 10K move, run once through SSM: stop the app (no writes during the copy), run
 * the library's copy script (lib/core/data-moves) in the PostgreSQL image — dump, restore
 * into the managed writer over TLS, compare exact row counts and checksums table by table —
 * and only when it verifies restart the app on the managed database. Then stop the
 * server's PostgreSQL and unmount the data volume, so the later retirement of the server
 * detaches an idle volume (EC2 asks to unmount before detaching, "Detach an Amazon EBS
 * volume from an instance", EBS User Guide). On any failure the app restarts unchanged on
 * the server's database and the volume stays mounted. The source data is never modified.
 */
export function migrationScript(o: MigrationScriptOptions): string {
  if (COPY_DATABASE_SCRIPT.split('\n').includes(HEREDOC_END)) throw new Error(`the copy script must not contain the line ${HEREDOC_END}`);
  const etc = `${o.app.root ?? ''}${ETC}`;
  const mount = `${o.app.root ?? ''}${DATA_MOUNT}`;
  const work = `${mount}/migration`;
  return [
    ...helpers(o.app),
    // Until the switch, any exit restarts the app on the server's database: the same
    // container if it still exists, else a new one from the saved server environment.
    `restore_app() { rm -f ${work}/credentials.env; [ "\${SWITCHED:-}" = yes ] && return 0; docker start app >/dev/null 2>&1 || { cp -p ${etc}/app.env.server ${etc}/app.env && start_app; }; }`,
    `free_volume() { { docker update --restart=no postgres >/dev/null 2>&1 && docker stop postgres >/dev/null; } || ! docker ps -q -f name=^postgres$ | grep -q . || return 1; ! mountpoint -q ${mount} || umount ${mount} || return 1; sed -i '\\#${mount}#d' ${o.app.root ?? ''}/etc/fstab; }`,
    `if [ -e ${etc}/migrated ]; then`,
    `  echo "already switched to the managed database ($(cat ${etc}/migrated)); only freeing the volume"`,
    'else',
    `  SRC_PASS=$(secret '${o.sourceSecretArn}' password)`,
    `  DST_USER=$(secret '${o.targetSecretArn}' username)`,
    `  DST_PASS=$(secret '${o.targetSecretArn}' password)`,
    `  install -d -m 700 ${work}`,
    `  cat > ${work}/copy-database.sh <<'${HEREDOC_END}'`,
    COPY_DATABASE_SCRIPT,
    HEREDOC_END,
    `  cp -p ${etc}/app.env ${etc}/app.env.server`,
    '  trap restore_app EXIT',
    // Passwords go through a private env file, not the command line (which `ps` shows).
    `  install -m 600 /dev/null ${work}/credentials.env`,
    `  printf 'SOURCE_PASSWORD=%s\\nTARGET_USER=%s\\nTARGET_PASSWORD=%s\\n' "$SRC_PASS" "$DST_USER" "$DST_PASS" > ${work}/credentials.env`,
    '  docker stop app',
    [
      `  docker run --rm --network host -v ${work}:/work --env-file ${work}/credentials.env`,
      '-e SOURCE_HOST=127.0.0.1 -e SOURCE_PORT=5432 -e SOURCE_USER=postgres -e SOURCE_DB=postgres -e SOURCE_SSLMODE=disable',
      `-e TARGET_HOST='${o.targetHost}' -e TARGET_PORT='${o.targetPort}' -e TARGET_DB=postgres -e TARGET_SSLMODE=require`,
      `-e WORK_DIR=/work '${o.postgresImage}' bash /work/copy-database.sh`,
    ].join(' '),
    `  rm -f ${work}/credentials.env`,
    '  run_app',
    '  SWITCHED=yes',
    `  date -u +%FT%TZ > ${etc}/migrated`,
    '  echo "app switched to the managed database"',
    'fi',
    // The server's PostgreSQL has served its last query: free the volume for the retirement.
    'free_volume || { echo "the app runs on the managed database, but the server\'s PostgreSQL or data volume could not be freed; run this document again (it only retries freeing the volume)" >&2; exit 4; }',
    'echo "server PostgreSQL stopped and its volume unmounted; the volume is retained and may be deleted by hand once the app has been verified on the managed database"',
  ].join('\n');
}
