import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { find, rung } from './support';
import { COPY_DATABASE_SCRIPT } from '../../lib/core/data-moves/copy-database';
import {
  COPY_SCRIPT_DELIMITER, copyCommand, MIGRATED_MARKER, POSTGRES_READY_SECONDS, SERVER_COPY_SCRIPT_PATH,
  SERVER_METADATA, SERVER_SCRIPT_DELIMITER, SERVER_SCRIPT_PATH,
} from '../../lib/gcp/compute/startup-script';
import { fromTerraformLiteral } from '../../lib/gcp/internal/common';
import { planGcp } from '../../lib/gcp/upgrade/planner';

/*
 * The single server's boot and copy logic, run in bash against stand-ins for docker, curl (the
 * metadata server and Secret Manager) and the disk tools: what runs at boot, what the operator's
 * copy does on success and on failure, and that every wait is bounded.
 */

const metadataOf = (name: string) => find(rung(name), 'google_compute_instance', 'SingleServer/Instance').metadata;

/** The server logic exactly as the VM gets it (Terraform unescapes `$${`). */
function serverScript(metadata: any): string {
  const script = fromTerraformLiteral(metadata['startup-script']);
  const open = `cat > ${SERVER_SCRIPT_PATH} <<'${SERVER_SCRIPT_DELIMITER}'\n`;
  const start = script.indexOf(open) + open.length;
  const end = script.indexOf(`\n${SERVER_SCRIPT_DELIMITER}\n`, start);
  expect(start).toBeGreaterThan(open.length);
  return script.slice(start, end + 1);
}

const STUBS: Record<string, string> = {
  'docker': `#!/bin/bash
echo "docker $*" >> "$STUB/calls"
case "$1" in
  exec) [ "$PG_READY" = 1 ]; exit $? ;;
  inspect) exit 0 ;;
  run)
    case "$*" in
      *"bash /copy-database.sh"*)
        disk=; prev=; for a in "$@"; do [ "$prev" = -v ] && case "$a" in *:/pgdisk) disk=\${a%:/pgdisk} ;; esac; prev=$a; done
        cp "$4" "$STUB/copy-script-used" 2>/dev/null || true
        if [ "$COPY_OK" = 1 ]; then date > "$disk/${MIGRATED_MARKER}"; exit 0; else echo "copy-database: mismatch: t" >&2; exit 1; fi ;;
    esac ;;
esac
exit 0
`,
  'curl': `#!/bin/bash
url=; for a in "$@"; do case "$a" in http*) url=$a ;; esac; done
case "$url" in
  *instance/attributes/*) f="$STUB/md/\${url##*/}"; [ -f "$f" ] && cat "$f" || exit 22 ;;
  *service-accounts/default/token) echo '{"access_token":"tok","expires_in":3599}' ;;
  *secretmanager*) printf '{"name": "x", "payload": {"data": "%s"}}' "$(printf s3cret | base64)" ;;
  *) exit 22 ;;
esac
`,
  'blkid': '#!/bin/bash\nexit 0\n',
  'mkfs.ext4': '#!/bin/bash\nexit 0\n',
  'mount': '#!/bin/bash\ntouch "$STUB/mounted"\n',
  'mountpoint': '#!/bin/bash\n[ -f "$STUB/mounted" ]\n',
  'umount': '#!/bin/bash\nrm -f "$STUB/mounted"; echo umount >> "$STUB/calls"\n',
  'sync': '#!/bin/bash\nexit 0\n',
  'sleep': '#!/bin/bash\nexit 0\n',
};

interface Server { dir: string; mnt: string; run(action: string, env?: Record<string, string>): { status: number; out: string; calls: string[] } }

function server(metadata: any, disk: { pgdata: boolean; marker?: boolean }): Server {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-server-'));
  const mnt = path.join(dir, 'mnt');
  fs.mkdirSync(path.join(dir, 'md'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.mkdirSync(mnt);
  if (disk.pgdata) fs.mkdirSync(path.join(mnt, 'pgdata'));
  if (disk.marker) fs.writeFileSync(path.join(mnt, MIGRATED_MARKER), '2026-01-01T00:00:00Z\n');
  for (const [name, text] of Object.entries(STUBS)) fs.writeFileSync(path.join(dir, 'bin', name), text, { mode: 0o755 });
  for (const key of Object.values(SERVER_METADATA)) {
    fs.writeFileSync(path.join(dir, 'md', key), String(metadata[key]).replace(/\$\{[^}]*private_ip_address\}/g, '10.9.8.7').replace(/\$\{[^}]*\}/g, 'projects/p/secrets/s'));
  }
  const script = serverScript(metadata)
    .replace('MNT=/mnt/disks/pgdata', `MNT=${mnt}`)
    .replace('ENV_FILE=/var/lib/scale-ladder/app.env', `ENV_FILE=${dir}/app.env`)
    .replace('mkdir -p /var/lib/scale-ladder ', `mkdir -p ${dir} `)
    .split(SERVER_COPY_SCRIPT_PATH).join(`${dir}/copy-database.sh`);
  fs.writeFileSync(path.join(dir, 'server.sh'), script);
  return {
    dir,
    mnt,
    run(action, env = {}) {
      fs.rmSync(path.join(dir, 'calls'), { force: true });
      const r = spawnSync('bash', [path.join(dir, 'server.sh'), action], {
        env: { PATH: `${dir}/bin:${process.env.PATH}`, STUB: dir, PG_READY: '1', COPY_OK: '1', ...env }, encoding: 'utf8',
      });
      const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n') : [];
      return { status: r.status ?? -1, out: r.stdout + r.stderr, calls };
    },
  };
}

const envOf = (s: Server) => fs.readFileSync(path.join(s.dir, 'app.env'), 'utf8');
const mounted = (s: Server) => fs.existsSync(path.join(s.dir, 'mounted'));
const index = (calls: string[], prefix: string) => calls.findIndex(c => c.startsWith(prefix));

describe('1K → 10K: the startup script stays the same and never copies', () => {
  test('the startup script is byte-identical on 1K and 10K; only the scale-ladder-* metadata values change', () => {
    const [a, b] = [metadataOf('1K'), metadataOf('10K')];
    expect(a['startup-script']).toBe(b['startup-script']);
    const changed = Object.keys(b).filter(k => a[k] !== b[k]).sort();
    expect(changed).toEqual([SERVER_METADATA.database, SERVER_METADATA.environment].sort());
    const plan = planGcp('1K', '10K');
    expect(plan.changes.find(c => c.type === 'google_compute_instance')).toMatchObject({ action: 'UPDATE', properties: ['metadata.scale-ladder-database', 'metadata.scale-ladder-env'] });
  });

  test('the server logic embeds exactly the shipped copy script', () => {
    const script = serverScript(metadataOf('10K'));
    const open = `cat > ${SERVER_COPY_SCRIPT_PATH} <<'${COPY_SCRIPT_DELIMITER}'\n`;
    const start = script.indexOf(open) + open.length;
    expect(script.slice(start, script.indexOf(`\n${COPY_SCRIPT_DELIMITER}\n`, start) + 1)).toBe(COPY_DATABASE_SCRIPT);
  });

  test('a boot after the 10K apply (e.g. host maintenance) keeps serving from the server\'s PostgreSQL and copies nothing', () => {
    const s = server(metadataOf('10K'), { pgdata: true });
    const r = s.run('boot');
    expect(r.status).toBe(0);
    expect(r.calls.some(c => c.includes('/copy-database.sh'))).toBe(false);
    expect(r.calls.some(c => c.startsWith('docker run -d --name postgres'))).toBe(true);
    expect(envOf(s)).toMatch(/^DATABASE_HOST=127\.0\.0\.1$/m);
    expect(envOf(s)).toMatch(/^DATABASE_SSL=disable$/m);
    expect(envOf(s)).not.toContain('10.9.8.7');
    expect(envOf(s)).toMatch(/^DATABASE_PASSWORD=s3cret$/m);
    expect(mounted(s)).toBe(true);
    expect(r.out).toContain('not copied yet');
  });

  test('the copy refuses on 1K and stops nothing', () => {
    const s = server(metadataOf('1K'), { pgdata: true });
    s.run('boot');
    const r = s.run('migrate');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('copy refused');
    expect(r.calls.filter(c => c.startsWith('docker stop'))).toEqual([]);
  });

  test('a failed copy restarts the app unchanged on the server\'s database; nothing is marked', () => {
    const s = server(metadataOf('10K'), { pgdata: true });
    s.run('boot');
    const before = envOf(s);
    const r = s.run('migrate', { COPY_OK: '0' });
    expect(r.status).not.toBe(0);
    const stop = index(r.calls, 'docker stop -t 30 app');
    const copy = r.calls.findIndex(c => c.includes('bash /copy-database.sh'));
    const start = index(r.calls, 'docker start app');
    expect([stop >= 0, copy > stop, start > copy]).toEqual([true, true, true]);
    expect(r.calls.some(c => c.startsWith('docker rm -f postgres'))).toBe(false);
    expect(envOf(s)).toBe(before);
    expect(fs.existsSync(path.join(s.mnt, MIGRATED_MARKER))).toBe(false);
    expect(mounted(s)).toBe(true);
    expect(r.out).toContain('the app serves again from the server\'s database, unchanged');
  });

  test('a verified copy switches the app to Cloud SQL, stops PostgreSQL and unmounts the disk; later boots stay on Cloud SQL', () => {
    const s = server(metadataOf('10K'), { pgdata: true });
    s.run('boot');
    const r = s.run('migrate');
    expect(r.status).toBe(0);
    const copy = r.calls.findIndex(c => c.includes('bash /copy-database.sh'));
    expect(copy).toBeGreaterThan(index(r.calls, 'docker stop -t 30 app'));
    expect(r.calls[copy]).toContain('-e SOURCE_HOST=127.0.0.1 -e SOURCE_PORT=5432');
    expect(r.calls[copy]).toContain('-e TARGET_HOST=10.9.8.7');
    expect(r.calls[copy]).toContain('-e TARGET_SSLMODE=require');
    expect(index(r.calls, 'docker rm -f postgres')).toBeGreaterThan(copy);
    expect(r.calls.indexOf('umount')).toBeGreaterThan(index(r.calls, 'docker rm -f postgres'));
    expect(index(r.calls, 'docker run -d --name app')).toBeGreaterThan(r.calls.indexOf('umount'));
    expect(envOf(s)).toMatch(/^DATABASE_HOST=10\.9\.8\.7$/m);
    expect(envOf(s)).toMatch(/^DATABASE_SSL=require$/m);
    expect(r.out).toContain('scale-ladder: data disk unmounted (copy verified');
    const again = s.run('boot');
    expect(again.calls.some(c => c.startsWith('docker run -d --name postgres'))).toBe(false);
    expect(again.calls.some(c => c.includes('/copy-database.sh'))).toBe(false);
    expect(envOf(s)).toMatch(/^DATABASE_HOST=10\.9\.8\.7$/m);
    expect(s.run('migrate').out).toContain('copy refused');
  });

  test('waiting for PostgreSQL is bounded: a server whose PostgreSQL never answers refuses the copy without stopping the app', () => {
    const s = server(metadataOf('10K'), { pgdata: true });
    const boot = s.run('boot', { PG_READY: '0' });
    expect(boot.status).toBe(0);
    expect(boot.calls.filter(c => c.startsWith('docker exec postgres pg_isready'))).toHaveLength(POSTGRES_READY_SECONDS / 2);
    const r = s.run('migrate', { PG_READY: '0' });
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('copy refused: the server\'s PostgreSQL is not ready');
    expect(r.calls.filter(c => c.startsWith('docker stop'))).toEqual([]);
  });

  test('the plan runs the copy over SSH (no reset), says the app is down only during the copy, and how to follow it', () => {
    const text = planGcp('1K', '10K').migrations[0].instructions;
    expect(text).not.toContain('instances reset');
    expect(text).toContain(`gcloud compute ssh app-server --zone us-central1-a --project my-scale-ladder-project --tunnel-through-iap --command '${copyCommand()}'`);
    expect(text).toContain('The server keeps serving from its own PostgreSQL, also across any reboot, until you start the copy');
    expect(text).toContain('The app is down from this moment until the copy ends');
    expect(text).toContain('copy FAILED');
    expect(planGcp('1K', '100K').migrations[0].instructions).not.toContain('instances reset');
    // The copy runs the startup script as the metadata holds it now, with `migrate`; at boot it gets no argument.
    expect(copyCommand()).toContain('http://metadata.google.internal/computeMetadata/v1/instance/attributes/startup-script');
    expect(copyCommand()).toMatch(/systemd-run --unit scale-ladder-copy .* bash \S+ migrate; }$/);
    expect(fromTerraformLiteral(metadataOf('10K')['startup-script'])).toMatch(new RegExp(`\nexec bash ${SERVER_SCRIPT_PATH} "\\$@"\n$`));
  });
});
