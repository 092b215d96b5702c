/*
 * Synthesizes rungs into the run's cache directory (a child process of the jest global setup):
 *   synth-rungs.ts <dir> aws:1K gcp:10K … aws:plans
 * AWS rungs exactly as the ladder tests always built them (buildAwsRung with the pinned feature
 * flags, every stack), Google Cloud rungs as gcpRungConfig builds them (default options).
 * `aws:plans` (after the AWS rungs) plans every ordered pair of them, upwards, as
 * test/support/rungs.ts awsPlan would: several suites assert on the same plans. A job that fails
 * writes its error next to where its JSON would be, so the suites that read it fail with that error.
 */
import * as fs from 'fs';
import { cacheFile, RungJob } from './rung-cache';

function synthesize(job: RungJob): unknown {
  const [cloud, tier] = job.split(':');
  if (job === 'aws:plans') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { awsPairPlans } = require('./rungs') as typeof import('./rungs');
    return awsPairPlans(rung => synthesized.get(`aws:${rung}`) ?? synthesize(`aws:${rung}`));
  }
  if (cloud === 'aws') {
    // Loaded on first use: a process that only synthesizes Google Cloud rungs never loads aws-cdk-lib.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthAwsRungTemplates } = require('./rungs') as typeof import('./rungs');
    return synthAwsRungTemplates(tier);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { gcpRungConfig } = require('../../lib/gcp/ladder/synth-rung') as typeof import('../../lib/gcp/ladder/synth-rung');
  return gcpRungConfig(tier);
}

const synthesized = new Map<RungJob, any>();
const [dir, ...jobs] = process.argv.slice(2);
for (const job of jobs as RungJob[]) {
  const started = Date.now();
  try {
    const output = synthesize(job);
    synthesized.set(job, output);
    const json = JSON.stringify(output);
    // Written under a temporary name and renamed, so a reader never sees half a file.
    fs.writeFileSync(`${cacheFile(dir, job)}.tmp`, json);
    fs.renameSync(`${cacheFile(dir, job)}.tmp`, cacheFile(dir, job));
  } catch (error) {
    fs.writeFileSync(cacheFile(dir, job, 'error'), (error as Error).stack ?? String(error));
  }
  if (process.env.SCALE_LADDER_SYNTH_TIMES) {
    process.stderr.write(`${job}: ${Date.now() - started} ms\n`);
  }
}
