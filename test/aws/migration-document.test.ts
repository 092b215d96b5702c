import * as fs from 'fs';
import * as path from 'path';
import { migrationScript } from '../../lib/aws/compute/server-scripts';
import { runScript, useScratchDir } from '../core/data-moves/run-script';
import { PG_PASSWORD, PostgresServer, usePostgres } from '../support/postgres';

/*
 * The 1K → 10K SSM document's control flow, run for real: the script the document holds
 * (built by the same function, with plain values for the tokens and a sandbox root for the
 * server's paths), the shipped copy script against two real PostgreSQL servers, and stand-ins
 * for the three programs the test machine cannot offer — docker (the copy "container" runs
 * the copy script on the host; the app container is a file holding its environment), the
 * AWS CLI (secrets and the environment parameter from files) and mount/umount.
 */

jest.setTimeout(60_000);

const [server, managed] = usePostgres(2);
const scratch = useScratchDir();

const FAKE_DOCKER = [
  '#!/usr/bin/env bash',
  'echo "docker $*" >> "$FAKE_DIR/log"',
  'case "$1" in',
  '  run)',
  '    shift; envs=(); vols=(); name=; envfile=',
  '    while [ $# -gt 0 ]; do',
  '      case "$1" in',
  '        -e) envs+=("$2"); shift 2 ;;',
  '        -v) vols+=("$2"); shift 2 ;;',
  '        --env-file) envfile=$2; [ "$name" = app ] || while IFS= read -r kv; do envs+=("$kv"); done < "$2"; shift 2 ;;',
  '        --rm|-d|-i) shift ;;',
  '        --name) name=$2; shift 2 ;;',
  '        --network|--restart|--log-driver|--log-opt|-p) shift 2 ;;',
  '        *) break ;;',
  '      esac',
  '    done',
  '    shift # the image',
  '    if [ "$name" = app ]; then',
  '      if [ -n "${FAKE_FAIL_APP_WITH:-}" ] && grep -q "$FAKE_FAIL_APP_WITH" "$envfile"; then echo "fake docker: app did not start" >&2; exit 1; fi',
  '      cp "$envfile" "$FAKE_DIR/app-created.env"; cp "$envfile" "$FAKE_DIR/app-running.env"; exit 0',
  '    fi',
  '    work=${vols[0]%%:*}',
  '    # The copy container: the -e variables, /work mapped to the host directory. The test',
  '    # servers have no TLS and listen on their own ports.',
  '    ( for kv in "${envs[@]}"; do export "$kv"; done',
  '      export SOURCE_PORT=$FAKE_SOURCE_PORT TARGET_SSLMODE=disable WORK_DIR=$work',
  '      exec "${1}" "${2/\\/work/$work}" ) ;;',
  '  stop) [ "$2" = app ] && rm -f "$FAKE_DIR/app-running.env"; [ "$2" = postgres ] && touch "$FAKE_DIR/postgres-stopped"; exit 0 ;;',
  '  start) [ -e "$FAKE_DIR/app-created.env" ] || exit 1; cp "$FAKE_DIR/app-created.env" "$FAKE_DIR/app-running.env" ;;',
  '  rm) rm -f "$FAKE_DIR/app-created.env" "$FAKE_DIR/app-running.env" ;;',
  '  update) exit 0 ;;',
  '  ps) [ -e "$FAKE_DIR/postgres-stopped" ] || echo postgres-id ;;',
  'esac',
  '',
].join('\n');

const FAKE_AWS = [
  '#!/usr/bin/env bash',
  'echo "aws $*" >> "$FAKE_DIR/log"',
  'case "$1 $2" in',
  '  "secretsmanager get-secret-value")',
  '    while [ "$1" != --secret-id ]; do shift; done',
  '    cat "$FAKE_DIR/secret-$2" ;;',
  '  "ssm get-parameter")',
  '    [ -z "${FAKE_FAIL_PARAMETER:-}" ] || { echo "fake aws: AccessDenied" >&2; exit 255; }',
  '    cat "$FAKE_DIR/parameter.json" ;;',
  '  *) echo "fake aws: unexpected $*" >&2; exit 2 ;;',
  'esac',
  '',
].join('\n');

const FAKE_MOUNTPOINT = '#!/usr/bin/env bash\n[ -e "$FAKE_DIR/mounted" ]\n';
const FAKE_UMOUNT = [
  '#!/usr/bin/env bash',
  'echo "umount $*" >> "$FAKE_DIR/log"',
  'if [ -e "$FAKE_DIR/umount-fails" ]; then rm "$FAKE_DIR/umount-fails"; echo "umount: target is busy" >&2; exit 32; fi',
  'rm -f "$FAKE_DIR/mounted"',
  '',
].join('\n');

const SERVER_ENV = 'DATABASE_HOST=127.0.0.1\nDATABASE_SSL=disable\n';

interface Sandbox {
  readonly root: string;
  readonly fake: string;
  readonly script: string;
  file(name: string): string;
  read(name: string): string;
  exists(name: string): boolean;
}

let count = 0;

function sandbox(): Sandbox {
  const root = path.join(scratch.dir, `run-${++count}`);
  const fake = path.join(root, 'fake');
  const bin = path.join(fake, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/scale-ladder'), { recursive: true });
  fs.mkdirSync(path.join(root, 'var/lib/scale-ladder'), { recursive: true });
  for (const [name, text] of Object.entries({ docker: FAKE_DOCKER, aws: FAKE_AWS, mountpoint: FAKE_MOUNTPOINT, umount: FAKE_UMOUNT })) {
    fs.writeFileSync(path.join(bin, name), text, { mode: 0o755 });
  }
  // The server as rung 1K left it: the app running on its own database, the volume mounted.
  fs.writeFileSync(path.join(root, 'etc/scale-ladder/app.env'), SERVER_ENV);
  fs.writeFileSync(path.join(fake, 'app-created.env'), SERVER_ENV);
  fs.writeFileSync(path.join(fake, 'app-running.env'), SERVER_ENV);
  fs.writeFileSync(path.join(fake, 'mounted'), '');
  fs.writeFileSync(path.join(root, 'etc/fstab'), `/dev/nvme1n1 ${root}/var/lib/scale-ladder xfs defaults,nofail 0 2\n`);
  fs.writeFileSync(path.join(fake, 'secret-arn:server'), JSON.stringify({ username: 'postgres', password: PG_PASSWORD }));
  fs.writeFileSync(path.join(fake, 'secret-arn:managed'), JSON.stringify({ username: 'postgres', password: PG_PASSWORD }));
  fs.writeFileSync(path.join(fake, 'parameter.json'), JSON.stringify({
    variables: { DATABASE_HOST: managed.host, DATABASE_PORT: String(managed.port), DATABASE_SSL: 'require' },
    secrets: { DATABASE_PASSWORD: { arn: 'arn:managed', field: 'password' } },
  }));
  const script = migrationScript({
    app: { region: 'eu-west-1', logGroup: 'app-logs', appImage: 'app:1', registryLogin: false, environmentParameter: 'app-env', root },
    sourceSecretArn: 'arn:server',
    targetHost: managed.host,
    targetPort: String(managed.port),
    targetSecretArn: 'arn:managed',
    postgresImage: 'postgres:16',
  });
  const file = (name: string) => (name.startsWith('/') ? path.join(root, name) : path.join(fake, name));
  return {
    root,
    fake,
    script,
    file,
    read: name => fs.readFileSync(file(name), 'utf8'),
    exists: name => fs.existsSync(file(name)),
  };
}

function run(box: Sandbox, env: Record<string, string> = {}) {
  const fakeBin = path.join(box.fake, 'bin');
  // Stand-ins first; psql / pg_dump from the test's PostgreSQL; jq, sed and coreutils from the system.
  return runScript(box.root, 'migrate-database', box.script, {
    ...env,
    FAKE_DIR: box.fake,
    FAKE_SOURCE_PORT: String(server.port),
    PATH: `${fakeBin}:${process.env.PATH}`,
  }).then(result => ({ ...result, log: box.exists('log') ? box.read('log') : '' }));
}

function resetManaged(): void {
  managed.sql('drop database if exists postgres with (force)', 'template1');
  managed.sql('create database postgres', 'template1');
}

beforeAll(() => {
  server.sql('create table orders (id int primary key, item text); insert into orders select i, \'item \' || i from generate_series(1, 500) i;');
});

beforeEach(resetManaged);

function rowsOn(db: PostgresServer): string {
  return db.sql('select count(*) from orders');
}

describe('the 1K → 10K document, run with real PostgreSQL', () => {
  test('verified copy: the app restarts on the managed database, then PostgreSQL stops and the volume is unmounted', async () => {
    const box = sandbox();
    const result = await run(box);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('verified: 1 tables, 500 rows');
    expect(result.stdout).toContain('app switched to the managed database');
    expect(rowsOn(managed)).toBe('500');
    expect(box.read('app-running.env')).toContain(`DATABASE_PORT=${managed.port}`);
    expect(box.read('app-running.env')).toContain(`DATABASE_PASSWORD=${PG_PASSWORD}`);
    expect(box.exists('/etc/scale-ladder/migrated')).toBe(true);
    expect(box.exists('postgres-stopped')).toBe(true);
    expect(box.exists('mounted')).toBe(false);
    expect(box.read('/etc/fstab')).toBe('');
    // Passwords reached the copy through a private file, never the command line, and the file is gone.
    expect(result.log).not.toContain(PG_PASSWORD);
    expect(box.exists('/var/lib/scale-ladder/migration/credentials.env')).toBe(false);
    const log = result.log.split('\n');
    expect(log.findIndex(l => l === 'docker stop app')).toBeLessThan(log.findIndex(l => l.includes('copy-database.sh')));
    expect(log.findIndex(l => l.includes('--name app'))).toBeGreaterThan(log.findIndex(l => l.includes('copy-database.sh')));
  });

  test('a copy that cannot be verified (the managed database is not empty): the app restarts unchanged on the server, nothing is freed', async () => {
    managed.sql('create table orders (id int primary key, item text)');
    const box = sandbox();
    const result = await run(box);
    expect(result.code).not.toBe(0);
    expect(box.read('app-running.env')).toBe(SERVER_ENV);
    expect(box.read('/etc/scale-ladder/app.env')).toBe(SERVER_ENV);
    expect(box.exists('/etc/scale-ladder/migrated')).toBe(false);
    expect(box.exists('mounted')).toBe(true);
    expect(box.exists('postgres-stopped')).toBe(false);
    expect(rowsOn(server)).toBe('500');
  });

  test('the switch cannot read the new environment: the app restarts unchanged on the server', async () => {
    const box = sandbox();
    const result = await run(box, { FAKE_FAIL_PARAMETER: 'yes' });
    expect(result.code).not.toBe(0);
    expect(box.read('app-running.env')).toBe(SERVER_ENV);
    expect(box.exists('/etc/scale-ladder/migrated')).toBe(false);
    expect(box.exists('mounted')).toBe(true);
  });

  test('the new app container does not start: the old one is gone, so the app is started again from the saved server environment', async () => {
    const box = sandbox();
    // Only the new environment names the managed database's port.
    const result = await run(box, { FAKE_FAIL_APP_WITH: `DATABASE_PORT=${managed.port}` });
    expect(result.code).not.toBe(0);
    expect(box.read('app-running.env')).toBe(SERVER_ENV);
    expect(box.read('/etc/scale-ladder/app.env')).toBe(SERVER_ENV);
    expect(box.exists('/etc/scale-ladder/migrated')).toBe(false);
    expect(box.exists('mounted')).toBe(true);
  });

  test('freeing the volume fails after the switch: exit 4 with the app on the managed database; a second run only frees the volume', async () => {
    const box = sandbox();
    fs.writeFileSync(box.file('umount-fails'), '');
    const first = await run(box);
    expect(first.code).toBe(4);
    expect(first.stderr).toContain('the app runs on the managed database');
    expect(box.read('app-running.env')).toContain(`DATABASE_PORT=${managed.port}`);
    expect(box.exists('mounted')).toBe(true);

    const second = await run(box);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already switched to the managed database');
    expect(second.log.split('\n').filter(l => l.includes('copy-database.sh'))).toHaveLength(1);
    expect(box.read('app-running.env')).toContain(`DATABASE_PORT=${managed.port}`);
    expect(box.exists('mounted')).toBe(false);
    expect(rowsOn(managed)).toBe('500');
  });
});
