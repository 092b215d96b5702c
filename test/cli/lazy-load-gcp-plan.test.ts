import * as fs from 'fs';
import * as path from 'path';
import { runCli, tempDir } from './run-cli';

// Planning two cdktf outputs on disk needs no cdktf and no provider bindings (each jest test
// file has its own module registry, so nothing here was loaded before).
const mockLoaded: string[] = [];
jest.mock('cdktf', () => { mockLoaded.push('cdktf'); return jest.requireActual('cdktf'); });
jest.mock('aws-cdk-lib', () => { mockLoaded.push('aws-cdk-lib'); return jest.requireActual('aws-cdk-lib'); });

test('plan --cloud gcp of two cdk.tf.json files loads neither cdktf nor aws-cdk-lib', async () => {
  const dir = tempDir();
  const config = (tier: string) => ({
    '//': { 'scale-ladder': { tier, rung: tier, serverRunning: false, serverHostsDatabase: false, shards: 1, composer: 'shop/App' } },
    'resource': { google_monitoring_notification_channel: { oncall: { type: 'email', display_name: `on call ${tier}` } } },
  });
  for (const [name, tier] of [['before', '100K'], ['after', '1M']]) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'cdk.tf.json'), JSON.stringify(config(tier)));
  }
  const result = await runCli(['plan', '--cloud', 'gcp', '--from', 'before/cdk.tf.json', '--to', 'after/cdk.tf.json'], dir);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(/~ {2}update {2}google_monitoring_notification_channel\.oncall/);
  expect(result.code).toBe(0);
  expect(mockLoaded).toEqual([]);
});
