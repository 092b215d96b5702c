import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CREDENTIAL_ROTATION_EXIT_CODES, CREDENTIAL_ROTATION_SCRIPT } from '../../lib/gcp/data/credential-rotation-script';
import { runScript, ScriptResult, useScratchDir } from '../core/data-moves/run-script';
import { findPostgres, usePostgres } from '../support/postgres';

/*
 * The shipped rotation script, run for real against three PostgreSQL servers standing in for
 * three Cloud SQL instances. A fake `gcloud` on PATH maps `sql users set-password` to ALTER USER
 * on the right server and keeps each secret's versions as numbered files, and can be told to fail
 * one secret's `versions add` or one instance's `set-password`. Each test starts from the state
 * right after the first apply: every instance and every secret hold the same password.
 */
jest.setTimeout(60_000);

const servers = usePostgres(3);
const scratch = useScratchDir();
const INSTANCES = ['app-db', 'app-db-shard-1', 'app-db-shard-2'];
const SECRETS = ['app-database-password', 'app-db-shard-1-password', 'app-db-shard-2-password'];
const FIRST = 'FirstPassword0123456789abcdefXYZ';

const FAKE_GCLOUD = `#!/usr/bin/env bash
set -u
printf '%s\\n' "$*" | sed 's/--password=[^ ]*/--password=***/' >> "$FAKE_STATE/calls.log"
flag() { local name=$1; shift; for a in "$@"; do case $a in --$name=*) printf '%s' "\${a#--$name=}"; return 0;; esac; done; return 1; }
case "$1 $2 $3" in
  "sql users set-password")
    user=$4; inst=$(flag instance "$@"); pw=$(flag password "$@")
    # FAKE_FAIL_SET: the first set-password on that instance fails; FAKE_FAIL_SET_ALWAYS: every one does.
    if [ "\${FAKE_FAIL_SET_ALWAYS:-}" = "$inst" ] || { [ "\${FAKE_FAIL_SET:-}" = "$inst" ] && [ ! -e "$FAKE_STATE/set-failed-$inst" ]; }; then
      touch "$FAKE_STATE/set-failed-$inst"; echo "ERROR: (gcloud.sql.users.set-password) HTTPError 409: operation failed" >&2; exit 1
    fi
    port=$(grep "^$inst=" "$FAKE_STATE/ports" | cut -d= -f2)
    [ -n "$port" ] || { echo "ERROR: no instance $inst" >&2; exit 1; }
    PGPASSWORD=$FAKE_ADMIN_PASSWORD psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \\
      -c "ALTER USER \\"$user\\" PASSWORD '$pw'" >/dev/null || exit 1
    echo "Updating Cloud SQL user...done." >&2 ;;
  "secrets versions access")
    s=$(flag secret "$@"); d="$FAKE_STATE/secrets/$s"
    # FAKE_FAIL_READ_AFTER_ADD: once adding to that secret has failed, reading it fails too.
    [ ! -e "$FAKE_STATE/add-failed-$s" ] || [ "\${FAKE_FAIL_READ_AFTER_ADD:-}" != "$s" ] || { echo "ERROR: (gcloud.secrets.versions.access) 503 unavailable" >&2; exit 1; }
    last=$(ls "$d" 2>/dev/null | sort -n | tail -1)
    [ -n "$last" ] || { echo "ERROR: NOT_FOUND $s" >&2; exit 1; }
    cat "$d/$last" ;;
  "secrets versions add")
    s=$4; d="$FAKE_STATE/secrets/$s"
    [ -d "$d" ] || { echo "ERROR: NOT_FOUND $s" >&2; exit 1; }
    [ "\${FAKE_FAIL_ADD:-}" != "$s" ] || { cat >/dev/null; touch "$FAKE_STATE/add-failed-$s"; echo "ERROR: (gcloud.secrets.versions.add) 503 unavailable" >&2; exit 1; }
    n=$(( $(ls "$d" | wc -l) + 1 )); cat > "$d/$n"; echo "Created version [$n] of the secret [$s]." >&2 ;;
  *) echo "fake gcloud: unexpected call: $*" >&2; exit 99 ;;
esac
`;

let state = '';
let bin = '';

beforeAll(() => {
  state = path.join(scratch.dir, 'state');
  bin = path.join(scratch.dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'gcloud'), FAKE_GCLOUD, { mode: 0o755 });
  for (const s of servers) s.sql(`create role app login password '${FIRST}'`);
});

beforeEach(() => {
  fs.rmSync(state, { recursive: true, force: true });
  fs.mkdirSync(state);
  fs.writeFileSync(path.join(state, 'ports'), INSTANCES.map((i, n) => `${i}=${servers[n].port}`).join('\n') + '\n');
  fs.writeFileSync(path.join(state, 'calls.log'), '');
  for (const s of SECRETS) {
    fs.mkdirSync(path.join(state, 'secrets', s), { recursive: true });
    fs.writeFileSync(path.join(state, 'secrets', s, '1'), FIRST);
  }
  for (const s of servers) s.sql(`alter role app password '${FIRST}'`);
});

function rotate(extra: Record<string, string> = {}): Promise<ScriptResult> {
  return runScript(scratch.dir, 'rotate', CREDENTIAL_ROTATION_SCRIPT, {
    PATH: `${bin}:${findPostgres().path}`,
    ROTATION_PAIRS: INSTANCES.map((i, n) => `${i}=${SECRETS[n]}`).join(' '),
    PROJECT: 'test-project-1',
    ADD_ATTEMPTS: '3',
    RETRY_SECONDS: '0',
    FAKE_STATE: state,
    FAKE_ADMIN_PASSWORD: servers[0].password,
    ...extra,
  });
}

function versions(secret: string): string[] {
  const dir = path.join(state, 'secrets', secret);
  return fs.readdirSync(dir).sort((a, b) => Number(a) - Number(b)).map(v => fs.readFileSync(path.join(dir, v), 'utf8'));
}
const latest = (secret: string) => versions(secret).slice(-1)[0];

/** Whether `app` can log in to server `n` with `password`. */
function accepts(n: number, password: string): boolean {
  try {
    execFileSync('psql', ['-h', '127.0.0.1', '-p', String(servers[n].port), '-U', 'app', '-d', 'postgres', '-tAc', 'select 1'], {
      env: { PATH: findPostgres().path, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' }, stdio: 'pipe',
    });
    return true;
  } catch {
    return false;
  }
}

const calls = () => fs.readFileSync(path.join(state, 'calls.log'), 'utf8').trim().split('\n').filter(l => l !== '');
/** The calls as `<verb> <instance or secret>`, in order. */
const steps = () => calls().map(c => {
  if (c.startsWith('sql users set-password')) return `set ${/--instance=(\S+)/.exec(c)![1]}`;
  if (c.startsWith('secrets versions add')) return `add ${c.split(' ')[3]}`;
  return `read ${/--secret=(\S+)/.exec(c)![1]}`;
});

describe('the rotation script against three PostgreSQL servers and a fake gcloud', () => {
  test('a run gives each instance a new password that only its own secret\'s latest version holds, one pair after the other', async () => {
    const result = await rotate();
    expect([result.code, result.stdout]).toEqual([CREDENTIAL_ROTATION_EXIT_CODES.done, expect.stringContaining('done: 3 rotated')]);
    const news = SECRETS.map(latest);
    news.forEach((pw, n) => {
      expect(versions(SECRETS[n])).toEqual([FIRST, pw]);
      expect(pw).toMatch(/^[A-Za-z0-9]{32}$/);
      expect([n, accepts(n, pw), accepts(n, FIRST)]).toEqual([n, true, false]);
      // Exactly its own: no other instance takes this instance's password.
      for (let m = 0; m < 3; m++) if (m !== n) expect([n, m, accepts(m, pw)]).toEqual([n, m, false]);
    });
    expect(new Set(news).size).toBe(3);
    expect(steps()).toEqual(INSTANCES.flatMap((i, n) => [`read ${SECRETS[n]}`, `set ${i}`, `add ${SECRETS[n]}`]));
    // Passwords never reach the call log (gcloud's own log files are switched off by the script).
    expect(calls().join('\n')).not.toContain(news[0]);
    expect(result.stdout).toContain('done: 3 rotated');
  });

  test('when the second secret never takes its new version: the first pair is rotated, the second instance gets its old password back, the third is untouched', async () => {
    const result = await rotate({ FAKE_FAIL_ADD: SECRETS[1] });
    expect(result.code).toBe(CREDENTIAL_ROTATION_EXIT_CODES.failed);
    const first = latest(SECRETS[0]);
    expect(versions(SECRETS[0])).toEqual([FIRST, first]);
    expect([accepts(0, first), accepts(0, FIRST)]).toEqual([true, false]);
    // Pair 2: the secret still holds the first password, and the instance accepts it again.
    expect(versions(SECRETS[1])).toEqual([FIRST]);
    expect(accepts(1, FIRST)).toBe(true);
    // Pair 3: never reached.
    expect(versions(SECRETS[2])).toEqual([FIRST]);
    expect(accepts(2, FIRST)).toBe(true);
    expect(steps()).toEqual([
      `read ${SECRETS[0]}`, `set ${INSTANCES[0]}`, `add ${SECRETS[0]}`,
      `read ${SECRETS[1]}`, `set ${INSTANCES[1]}`, `add ${SECRETS[1]}`, `add ${SECRETS[1]}`, `add ${SECRETS[1]}`,
      `read ${SECRETS[1]}`, `set ${INSTANCES[1]}`,
    ]);
    expect(result.stdout).toContain('password restored');
  });

  test('a failed set-password leaves that pair\'s secret and password as they were and stops before the next pair', async () => {
    const result = await rotate({ FAKE_FAIL_SET: INSTANCES[1] });
    expect(result.code).toBe(CREDENTIAL_ROTATION_EXIT_CODES.failed);
    expect(versions(SECRETS[0])).toHaveLength(2);
    expect(accepts(0, latest(SECRETS[0]))).toBe(true);
    expect(versions(SECRETS[1])).toEqual([FIRST]);
    expect(accepts(1, FIRST)).toBe(true);
    expect(versions(SECRETS[2])).toEqual([FIRST]);
    expect(accepts(2, FIRST)).toBe(true);
    expect(steps().filter(s => s.endsWith(INSTANCES[2]) || s.endsWith(SECRETS[2]))).toEqual([]);
    expect(steps().filter(s => s === `add ${SECRETS[1]}`)).toEqual([]);
  });

  test('before NOT_BEFORE a run changes nothing and succeeds; after it, the run rotates', async () => {
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    const early = await rotate({ NOT_BEFORE: soon });
    expect([early.code, early.stdout]).toEqual([CREDENTIAL_ROTATION_EXIT_CODES.done, expect.stringContaining(`the first rotation is due at ${soon}; nothing changed`)]);
    expect(calls()).toEqual([]);
    SECRETS.forEach((secret, n) => expect([versions(secret), accepts(n, FIRST)]).toEqual([[FIRST], true]));

    const due = await rotate({ NOT_BEFORE: new Date(Date.now() - 60_000).toISOString() });
    expect([due.code, due.stdout]).toEqual([CREDENTIAL_ROTATION_EXIT_CODES.done, expect.stringContaining('done: 3 rotated')]);
    SECRETS.forEach((secret, n) => expect([versions(secret).length, accepts(n, latest(secret))]).toEqual([2, true]));
  });

  test('a NOT_BEFORE that is no time changes nothing', async () => {
    const result = await rotate({ NOT_BEFORE: 'next month' });
    expect([result.code, result.stdout]).toEqual([CREDENTIAL_ROTATION_EXIT_CODES.badUsage, expect.stringContaining("NOT_BEFORE must be an RFC 3339 time, got 'next month'")]);
    expect(calls()).toEqual([]);
  });

  test('when adding fails and the secret cannot be read back, nothing is restored (it may hold either value): exit 3 with the command that fixes it', async () => {
    const result = await rotate({ FAKE_FAIL_ADD: SECRETS[1], FAKE_FAIL_READ_AFTER_ADD: SECRETS[1] });
    expect(result.code).toBe(CREDENTIAL_ROTATION_EXIT_CODES.restoreFailed);
    expect(result.stdout).toContain(`CANNOT READ secret ${SECRETS[1]}`);
    expect(result.stdout).toContain(`gcloud sql users set-password app --instance=${INSTANCES[1]}`);
    // Not restored blindly: the instance keeps the new password; pair 3 is never reached.
    expect(accepts(1, FIRST)).toBe(false);
    expect(steps().filter(st => st === `set ${INSTANCES[1]}`)).toHaveLength(1);
    expect([versions(SECRETS[2]), accepts(2, FIRST)]).toEqual([[FIRST], true]);
  });

  test('when set-password fails and setting the old password again fails too: exit 3 with the command that fixes it', async () => {
    const result = await rotate({ FAKE_FAIL_SET_ALWAYS: INSTANCES[1] });
    expect(result.code).toBe(CREDENTIAL_ROTATION_EXIT_CODES.restoreFailed);
    expect(result.stdout).toContain(`${INSTANCES[1]}: RESTORE FAILED`);
    expect(versions(SECRETS[1])).toEqual([FIRST]);
    expect([versions(SECRETS[2]), accepts(2, FIRST)]).toEqual([[FIRST], true]);
  });

  test('a malformed pair list changes nothing', async () => {
    const result = await rotate({ ROTATION_PAIRS: `${INSTANCES[0]}=${SECRETS[0]} not-a-pair` });
    expect(result.code).toBe(CREDENTIAL_ROTATION_EXIT_CODES.badUsage);
    expect(calls()).toEqual([]);
    expect(accepts(0, FIRST)).toBe(true);
  });
});
