import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CDK_TEST_CONTEXT_JSON, Cloud, failedFile, RUNG_CACHE_ENV, RungJob } from './rung-cache';

/*
 * Jest global setup: synthesizes every rung of both clouds once per run, one child process per
 * cloud, into a temporary directory whose path the workers inherit (SCALE_LADDER_RUNG_CACHE), and
 * plans every upward pair of AWS rungs in the AWS one (outside jest, where the CloudFormation
 * diff runs about twice as fast). Suites read the JSON from there instead of synthesizing a rung
 * or planning a pair again (test/support/rungs.ts awsTemplatesJson and awsPlan,
 * test/gcp/support.ts rung).
 *
 * It starts the two processes and returns: the suites run meanwhile, and one that needs a rung
 * before it is written waits for it (test/support/rung-cache.ts readCached). Otherwise the tests
 * would wait for the slower process while the faster one's core sat idle. The global teardown
 * waits for the processes.
 */

const RUNGS = ['1K', '10K', '100K', '1M', '10M', '100M', '1B'];

/** The synthesizing processes of this run, for the global teardown (it runs in the same process). */
export const SYNTHESIZING = Symbol.for('scale-ladder.synthesizing');

function run(dir: string, cloud: Cloud, jobs: RungJob[]): Promise<void> {
  const root = path.join(__dirname, '..', '..');
  return new Promise(resolve => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'synth-rungs.ts'), dir, ...jobs], {
      cwd: root,
      // As the suites' synths: without aws-cdk-lib's CloudFormation validation and creation stack traces (test/support/setup-env.ts).
      env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'test', 'tsconfig.json'), CDK_VALIDATION: 'false', CDK_CONTEXT_JSON: CDK_TEST_CONTEXT_JSON },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    // A suite waiting for a job this process did not write fails with this, instead of waiting on.
    const failed = (why: string) => {
      fs.writeFileSync(failedFile(dir, cloud), `synthesizing ${jobs.join(' ')} ${why}`);
      resolve();
    };
    child.on('error', error => failed(`could not start: ${error.message}`));
    child.on('exit', (code, signal) => (code === 0 ? resolve() : failed(`failed (exit ${code ?? signal})`)));
  });
}

export default function globalSetup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-rungs-'));
  process.env[RUNG_CACHE_ENV] = dir;
  const jobs = (cloud: Cloud) => RUNGS.map(rung => `${cloud}:${rung}` as RungJob);
  (globalThis as any)[SYNTHESIZING] = Promise.all([run(dir, 'aws', [...jobs('aws'), 'aws:plans']), run(dir, 'gcp', jobs('gcp'))]);
}
