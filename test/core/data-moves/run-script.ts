import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findPostgres } from '../../support/postgres';

export interface ScriptResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningScript {
  readonly done: Promise<ScriptResult>;
  /** Output so far (stdout and stderr interleaved). */
  output(): string;
}

/** A scratch directory removed after the file's tests. */
export function useScratchDir(): { dir: string } {
  const holder = { dir: '' };
  beforeAll(() => {
    holder.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-moves-'));
    fs.chmodSync(holder.dir, 0o755);
  });
  afterAll(() => fs.rmSync(holder.dir, { recursive: true, force: true }));
  return holder;
}

/**
 * Runs a shipped script exactly as exported: its text written to a file and run with
 * `bash file`, with only the given variables (and a PATH with the PostgreSQL clients).
 */
export function startScript(dir: string, name: string, text: string, env: Record<string, string>): RunningScript {
  const file = path.join(dir, `${name}.sh`);
  fs.writeFileSync(file, text);
  const child = spawn('bash', [file], { env: { PATH: findPostgres().path, HOME: dir, ...env } });
  let stdout = '';
  let stderr = '';
  let all = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    all += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    all += chunk.toString();
  });
  const done = new Promise<ScriptResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { done, output: () => all };
}

export function runScript(dir: string, name: string, text: string, env: Record<string, string>): Promise<ScriptResult> {
  return startScript(dir, name, text, env).done;
}

/** Polls until `check` holds (or fails after `timeoutMs`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
