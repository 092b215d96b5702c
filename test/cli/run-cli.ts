import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The working directory the command ran in (relative paths resolve against it). */
  readonly workdir: string;
}

/** A fresh temporary directory, removed by the caller (or left to the OS). */
export function tempDir(prefix = 'scale-ladder-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs the command in-process, capturing what it writes. */
export async function runCli(argv: string[], workdir: string = tempDir()): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => { stdout += text; return true; } },
    stderr: { write: (text: string) => { stderr += text; return true; } },
    workdir,
  });
  return { code, stdout, stderr, workdir };
}

/** Asserts a bad-usage result: exit code 2, nothing on stdout, exactly one line on stderr. */
export function expectUsageError(result: CliResult, line: string): void {
  expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
}
