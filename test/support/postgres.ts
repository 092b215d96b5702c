import { execFile, execFileSync, spawn, ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

/*
 * Throwaway PostgreSQL servers for tests that run the shipped data-move scripts: real
 * server processes on loopback ports, password auth, torn down in afterAll. A missing
 * installation fails the tests (build-tools/ensure-postgres.sh, run by `npm test`, installs it).
 */

const run = promisify(execFile);

export const PG_USER = 'postgres';
export const PG_PASSWORD = 'scale-ladder-test';
const HOST = '127.0.0.1';
/** Enough for every row of a test database as text. */
const MAX_OUTPUT = 256 * 1024 * 1024;
const AS_ROOT = process.getuid?.() === 0;

/** A running (or killed) test server. */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Runs SQL through psql (`-tA`) and returns its output without the final newline; throws on any error. */
  sql(query: string, database?: string): string;
  /** Runs SQL without blocking the event loop (to run beside a script). */
  sqlAsync(query: string, database?: string): Promise<string>;
  /** Opens a psql session that stays open, for holding locks or an open transaction. */
  session(database?: string): PsqlSession;
  /** Stops the server the way a crash would (immediate shutdown, no checkpoint). */
  kill(): Promise<void>;
  /** Starts a killed server again (crash recovery rolls back what was in flight). */
  start(): Promise<void>;
}

export interface PsqlSession {
  /** Sends statements; they run in order as psql reads them. */
  send(sqlText: string): void;
  /** Ends the session (an open transaction is rolled back) and waits for psql to exit. */
  close(): Promise<void>;
}

/** Where the server programs and the clients live. */
export interface PostgresInstallation {
  /** Directory of initdb / pg_ctl / postgres. */
  readonly serverBin: string;
  /** PATH for scripts: the server's directory first, so clients match the server's version. */
  readonly path: string;
}

let installation: PostgresInstallation | undefined;

/** Finds initdb/pg_ctl (Debian's versioned directories, newest first, then PATH) and psql/pg_dump/pg_restore. */
export function findPostgres(): PostgresInstallation {
  if (installation) {
    return installation;
  }
  const hasServer = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((p) => isExecutable(path.join(dir, p)));
  const debian = safeReaddir('/usr/lib/postgresql')
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => `/usr/lib/postgresql/${v}/bin`);
  const onPath = (process.env.PATH ?? '').split(':').filter((d) => d !== '');
  const serverBin = [...debian, ...onPath].find(hasServer);
  const searchPath = [...(serverBin ? [serverBin] : []), ...onPath];
  const clientsMissing = ['psql', 'pg_dump', 'pg_restore']
    .filter((tool) => !searchPath.some((dir) => isExecutable(path.join(dir, tool))));
  if (!serverBin || clientsMissing.length > 0) {
    const what = [...(serverBin ? [] : ['initdb/pg_ctl/postgres']), ...clientsMissing].join(', ');
    throw new Error(`PostgreSQL is not installed (missing ${what}); run build-tools/ensure-postgres.sh (npm test runs it) or install postgresql and postgresql-client`);
  }
  installation = { serverBin, path: searchPath.join(':') };
  return installation;
}

/**
 * Starts `count` servers before the file's tests and removes them after (also when tests fail).
 * The handles can be taken apart at load time; they work once beforeAll has run.
 */
export function usePostgres(count: number): PostgresServer[] {
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await TestCluster.start(count);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);
  return Array.from({ length: count }, (_, i) => new ServerHandle(() => {
    const server = cluster?.servers[i];
    if (!server) {
      throw new Error('the PostgreSQL test servers are not running (used outside the tests, or they failed to start)');
    }
    return server;
  }));
}

/** Delegates to a server that exists only once beforeAll has run. */
class ServerHandle implements PostgresServer {
  constructor(private readonly server: () => PostgresServer) {}
  public get host() { return this.server().host; }
  public get port() { return this.server().port; }
  public get user() { return this.server().user; }
  public get password() { return this.server().password; }
  public sql(query: string, database?: string) { return this.server().sql(query, database); }
  public sqlAsync(query: string, database?: string) { return this.server().sqlAsync(query, database); }
  public session(database?: string) { return this.server().session(database); }
  public kill() { return this.server().kill(); }
  public start() { return this.server().start(); }
}

/** The servers of one test file, in one temporary directory. */
export class TestCluster {
  public static async start(count: number): Promise<TestCluster> {
    const pg = findPostgres();
    if (AS_ROOT) {
      ensurePostgresUser();
    }
    // As root the servers run as `postgres`, which must reach the data directories: /tmp always lets it.
    const root = fs.mkdtempSync(path.join(AS_ROOT ? '/tmp' : os.tmpdir(), 'scale-ladder-pg-'));
    const cluster = new TestCluster(root, pg);
    process.on('exit', cluster.stopNow);
    try {
      // One initdb, copied per server: initdb dominates start-up time.
      const template = path.join(root, 'template');
      const pwfile = path.join(root, 'password');
      fs.writeFileSync(pwfile, `${PG_PASSWORD}\n`);
      cluster.chownRoot();
      await cluster.asPostgres(path.join(pg.serverBin, 'initdb'), ['-D', template, '-U', PG_USER, `--pwfile=${pwfile}`,
        '--auth=scram-sha-256', '--no-sync', '--locale=C', '--encoding=UTF8',
        // 1 MB WAL segments instead of 16 MB: the template is copied once per server.
        '--wal-segsize=1']);
      for (let i = 0; i < count; i++) {
        const dataDir = path.join(root, `server${i}`);
        await cluster.asPostgres('cp', ['-a', template, dataDir]);
        cluster.servers.push(new Server(cluster, dataDir));
      }
      await Promise.all(cluster.servers.map((s) => s.start()));
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  public readonly servers: Server[] = [];

  private constructor(private readonly root: string, public readonly pg: PostgresInstallation) {}

  public async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.kill().catch(() => undefined)));
    fs.rmSync(this.root, { recursive: true, force: true });
    process.removeListener('exit', this.stopNow);
  }

  /** Last resort when the process ends without afterAll: servers must not outlive the tests. */
  private readonly stopNow = () => {
    for (const server of this.servers) {
      server.killNow();
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  };

  /** Runs a server program, as the `postgres` user when we are root (PostgreSQL refuses root). */
  public async asPostgres(program: string, args: string[]): Promise<string> {
    const [cmd, argv] = AS_ROOT ? [systemProgram('runuser'), ['-u', 'postgres', '--', program, ...args]] : [program, args];
    try {
      const { stdout } = await run(cmd, argv, { encoding: 'utf8' });
      return stdout;
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`${path.basename(program)} failed: ${e.stderr || e.message}`);
    }
  }

  public chownRoot(): void {
    if (AS_ROOT) {
      execFileSync('chown', ['-R', 'postgres:', this.root]);
    }
  }
}

class Server implements PostgresServer {
  public readonly host = HOST;
  public readonly user = PG_USER;
  public readonly password = PG_PASSWORD;
  public port = 0;
  private running = false;

  constructor(private readonly cluster: TestCluster, private readonly dataDir: string) {}

  public async start(): Promise<void> {
    // A port found free can be taken before the server binds it (other jest workers): retry.
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      const settings = [
        `listen_addresses = '${HOST}'`,
        `port = ${this.port}`,
        "unix_socket_directories = ''",
        'shared_buffers = 16MB',
        'max_connections = 40',
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'autovacuum = off',
      ];
      fs.writeFileSync(path.join(this.dataDir, 'postgresql.auto.conf'), settings.join('\n') + '\n');
      this.cluster.chownRoot();
      try {
        await this.cluster.asPostgres(path.join(this.cluster.pg.serverBin, 'pg_ctl'),
          ['-D', this.dataDir, '-l', `${this.dataDir}.log`, '-w', '-t', '30', 'start']);
        this.running = true;
        return;
      } catch (error) {
        if (attempt >= 3) {
          const log = safeRead(`${this.dataDir}.log`);
          throw new Error(`${(error as Error).message}\n${log}`);
        }
      }
    }
  }

  public async kill(): Promise<void> {
    if (!this.running) {
      return;
    }
    this.running = false;
    await this.cluster.asPostgres(path.join(this.cluster.pg.serverBin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  public killNow(): void {
    if (this.running) {
      this.running = false;
      try {
        const pgCtl = path.join(this.cluster.pg.serverBin, 'pg_ctl');
        const [cmd, argv] = AS_ROOT ? [systemProgram('runuser'), ['-u', 'postgres', '--', pgCtl]] : [pgCtl, []];
        execFileSync(cmd, [...argv, '-D', this.dataDir, '-m', 'immediate', 'stop'], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
  }

  public sql(query: string, database = 'postgres'): string {
    try {
      return execFileSync('psql', this.psqlArgs(database), { input: query, env: this.env(), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: MAX_OUTPUT })
        .replace(/\n$/, '');
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`psql on port ${this.port} failed: ${e.stderr || e.message}`);
    }
  }

  public sqlAsync(query: string, database = 'postgres'): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile('psql', this.psqlArgs(database), { env: this.env(), encoding: 'utf8', maxBuffer: MAX_OUTPUT }, (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`psql on port ${this.port} failed: ${stderr || error.message}`));
        } else {
          resolve(stdout.replace(/\n$/, ''));
        }
      });
      child.stdin?.end(query);
    });
  }

  public session(database = 'postgres'): PsqlSession {
    const child: ChildProcessWithoutNullStreams = spawn('psql', this.psqlArgs(database), { env: this.env() });
    child.stdout.resume();
    child.stderr.resume();
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    return {
      send: (sqlText) => {
        child.stdin.write(sqlText.endsWith('\n') ? sqlText : `${sqlText}\n`);
      },
      close: async () => {
        child.stdin.end();
        await exited;
      },
    };
  }

  private psqlArgs(database: string): string[] {
    return ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-t', '-A', '-h', this.host, '-p', String(this.port), '-U', this.user, '-d', database];
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: this.cluster.pg.path, PGPASSWORD: this.password, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '5' };
  }
}

function ensurePostgresUser(): void {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync(systemProgram('useradd'), ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  }
}

/** An administration program, also when /usr/sbin is not on PATH. */
function systemProgram(name: string): string {
  return ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((dir) => path.join(dir, name)).find(isExecutable) ?? name;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address() as net.AddressInfo;
      probe.close(() => resolve(address.port));
    });
  });
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
