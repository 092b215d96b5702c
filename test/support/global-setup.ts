import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CDK_TEST_CONTEXT_JSON, RUNG_CACHE_ENV, RungJob } from './rung-cache';

/*
 * Jest global setup: synthesizes every rung of both clouds once per run, one child process per
 * cloud, into a temporary directory whose path the workers inherit (SCALE_LADDER_RUNG_CACHE), and
 * plans every upward pair of AWS rungs in the AWS one (outside jest, where the CloudFormation
 * diff runs about twice as fast). Suites read the JSON from there instead of synthesizing a rung
 * or planning a pair again (test/support/rungs.ts awsTemplatesJson and awsPlan,
 * test/gcp/support.ts rung).
 */

const RUNGS = ['1K', '10K', '100K', '1M', '10M', '100M', '1B'];

function run(dir: string, jobs: RungJob[]): Promise<void> {
  const root = path.join(__dirname, '..', '..');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'synth-rungs.ts'), dir, ...jobs], {
      cwd: root,
      // As the suites' synths: without aws-cdk-lib's CloudFormation validation and creation stack traces (test/support/setup-env.ts).
      env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'test', 'tsconfig.json'), CDK_VALIDATION: 'false', CDK_CONTEXT_JSON: CDK_TEST_CONTEXT_JSON },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`synthesizing ${jobs.join(' ')} failed (exit ${code ?? signal})`))));
  });
}

export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-rungs-'));
  process.env[RUNG_CACHE_ENV] = dir;
  const jobs = (cloud: 'aws' | 'gcp') => RUNGS.map(rung => `${cloud}:${rung}` as RungJob);
  await Promise.all([run(dir, [...jobs('aws'), 'aws:plans']), run(dir, jobs('gcp'))]);
}
