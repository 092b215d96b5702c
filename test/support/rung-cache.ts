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

/**
 * The cached JSON of a job, parsed (a fresh object per call), or undefined when the run has no
 * cache (jest started without the global setup). A rung whose synthesis failed throws its error.
 */
export function readCached(job: RungJob): any {
  const dir = process.env[RUNG_CACHE_ENV];
  if (!dir) {
    return undefined;
  }
  const errorFile = cacheFile(dir, job, 'error');
  if (fs.existsSync(errorFile)) {
    throw new Error(`synthesizing ${job} failed (in the jest global setup):\n${fs.readFileSync(errorFile, 'utf8')}`);
  }
  const file = cacheFile(dir, job);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: the jest global setup did not synthesize ${job}`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
