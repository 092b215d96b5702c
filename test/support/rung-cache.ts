import * as fs from 'fs';
import * as path from 'path';

/*
 * The rungs' synthesized output, shared by every test file of a jest run: the global setup
 * (test/support/global-setup.ts) synthesizes each rung once, in child processes, and writes its
 * JSON here; suites that need only the JSON read it instead of synthesizing the rung again.
 * Nothing here loads aws-cdk-lib or cdktf.
 */

/** The directory of the run's synthesized rungs (set by the global setup, inherited by the workers). */
export const RUNG_CACHE_ENV = 'SCALE_LADDER_RUNG_CACHE';

/**
 * The aws-cdk-lib context (CDK_CONTEXT_JSON) of the suites' synths: no creation stack traces
 * (test/support/setup-env.ts).
 */
export const CDK_TEST_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:disable-creation-stack-traces': true });

export type Cloud = 'aws' | 'gcp';

/** One rung of one cloud, as `aws:1K` / `gcp:1B`. */
export type RungJob = `${Cloud}:${string}`;

/** Where a job's JSON goes (`<dir>/aws-1K.json`), and its error (`<dir>/aws-1K.error`) when it failed. */
export function cacheFile(dir: string, job: RungJob, ext: 'json' | 'error' = 'json'): string {
  return path.join(dir, `${job.replace(':', '-')}.${ext}`);
}

/** Where the global setup records that a cloud's synthesizing process ended without finishing its jobs. */
export function failedFile(dir: string, cloud: Cloud): string {
  return path.join(dir, `${cloud}.failed`);
}

/** How long a suite waits for a job before it gives up (the whole global setup takes about 15 s). */
const WAIT_MS = 5 * 60_000;
const POLL_MS = 20;

/**
 * The cached JSON of a job, parsed (a fresh object per call), or undefined when the run has no
 * cache (jest started without the global setup). The global setup does not wait for its
 * processes, so the suites that need no rung run meanwhile: a suite that asks for a job before it
 * is written waits here for it. A rung whose synthesis failed throws its error.
 */
export function readCached(job: RungJob): any {
  const dir = process.env[RUNG_CACHE_ENV];
  if (!dir) {
    return undefined;
  }
  const file = cacheFile(dir, job);
  const errorFile = cacheFile(dir, job, 'error');
  const failed = failedFile(dir, job.split(':')[0] as Cloud);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + WAIT_MS; ; Atomics.wait(sleeper, 0, 0, POLL_MS)) {
    if (fs.existsSync(file)) {
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    }
    if (fs.existsSync(errorFile)) {
      throw new Error(`synthesizing ${job} failed (in the jest global setup):\n${fs.readFileSync(errorFile, 'utf8')}`);
    }
    // Checked after the job's own files: the process may have written them just before it ended.
    if (fs.existsSync(failed) && !fs.existsSync(file)) {
      throw new Error(`the jest global setup did not synthesize ${job}: ${fs.readFileSync(failed, 'utf8')}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${file} is missing: the jest global setup did not synthesize ${job} within ${WAIT_MS / 1000} s`);
    }
  }
}
