import { COPY_DATABASE_SCRIPT } from '../core/data-moves/copy-database';

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
}

export interface BootScriptOptions extends AppRunOptions {
  readonly volumeId: string;
  readonly postgresImage: string;
  readonly postgresSecretArn: string;
}

/** Where the server's data volume is mounted. */
export const DATA_MOUNT = '/var/lib/scale-ladder';

function helpers(o: AppRunOptions): string[] {
  return [
    'set -euo pipefail',
    `REGION='${o.region}'`,
    'secret() { local v; v=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$1" --query SecretString --output text); if [ -n "${2:-}" ]; then printf %s "$v" | jq -r ".$2"; else printf %s "$v"; fi; }',
    // (Re)writes the app's env file from the environment parameter and (re)starts the app container.
    'run_app() {',
    `  local env; env=$(aws ssm get-parameter --region "$REGION" --name '${o.environmentParameter}' --query Parameter.Value --output text)`,
    '  install -d -m 700 /etc/scale-ladder',
    '  install -m 600 /dev/null /etc/scale-ladder/app.env.new',
    '  printf %s "$env" | jq -r \'.variables | to_entries[] | "\\(.key)=\\(.value)"\' >> /etc/scale-ladder/app.env.new',
    '  local name; for name in $(printf %s "$env" | jq -r \'.secrets | keys[]\'); do',
    '    echo "$name=$(secret "$(printf %s "$env" | jq -r --arg n "$name" \'.secrets[$n].arn\')" "$(printf %s "$env" | jq -r --arg n "$name" \'.secrets[$n].field // ""\')")" >> /etc/scale-ladder/app.env.new',
    '  done',
    '  mv /etc/scale-ladder/app.env.new /etc/scale-ladder/app.env',
    ...(o.registryLogin
      ? [`  aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$(echo '${o.appImage}' | cut -d/ -f1)"`]
      : []),
    '  docker rm -f app 2>/dev/null || true',
    `  docker run -d --name app --restart always --network host --env-file /etc/scale-ladder/app.env ${logOptions(o.logGroup)} --log-opt awslogs-stream=app '${o.appImage}'`,
    '}',
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
  const work = `${DATA_MOUNT}/migration`;
  return [
    ...helpers(o.app),
    `SRC_PASS=$(secret '${o.sourceSecretArn}' password)`,
    `DST_USER=$(secret '${o.targetSecretArn}' username)`,
    `DST_PASS=$(secret '${o.targetSecretArn}' password)`,
    'trap \'[ "${SWITCHED:-}" = yes ] || docker start app\' EXIT',
    `install -d -m 700 ${work}`,
    `cat > ${work}/copy-database.sh <<'${HEREDOC_END}'`,
    COPY_DATABASE_SCRIPT,
    HEREDOC_END,
    'docker stop app',
    [
      `docker run --rm --network host -v ${work}:/work`,
      '-e SOURCE_HOST=127.0.0.1 -e SOURCE_PORT=5432 -e SOURCE_USER=postgres -e SOURCE_PASSWORD="$SRC_PASS" -e SOURCE_DB=postgres -e SOURCE_SSLMODE=disable',
      `-e TARGET_HOST='${o.targetHost}' -e TARGET_PORT='${o.targetPort}' -e TARGET_USER="$DST_USER" -e TARGET_PASSWORD="$DST_PASS" -e TARGET_DB=postgres -e TARGET_SSLMODE=require`,
      `-e WORK_DIR=/work '${o.postgresImage}' bash /work/copy-database.sh`,
    ].join(' '),
    'run_app',
    'SWITCHED=yes',
    // The server's PostgreSQL has served its last query: free the volume for the retirement.
    'docker update --restart=no postgres && docker stop postgres',
    `umount ${DATA_MOUNT}`,
    `sed -i '\\#${DATA_MOUNT}#d' /etc/fstab`,
    'echo "copy verified, app switched to the managed database, server PostgreSQL stopped and its volume unmounted; the volume is retained and may be deleted by hand once the app has been verified there"',
  ].join('\n');
}
