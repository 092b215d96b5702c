import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { requireCompiled } from './package/support';

/*
 * The compiled package entry point must not load the Google side until `gcp` is touched
 * (`npm test` compiles beside jest; run `npx projen compile` before running this file alone).
 */
const entry = path.join(__dirname, '..', 'dist', 'index.js');

beforeAll(requireCompiled);

function loaded(touchGcp: boolean): { cdktf: boolean; provider: boolean; tier: string } {
  const script = `
    const lib = require(${JSON.stringify(entry)});
    const tier = lib.Tier.USERS_1M.name;
    ${touchGcp ? 'void lib.gcp.Tier1K;' : ''}
    const mods = Object.keys(require.cache);
    console.log(JSON.stringify({
      cdktf: mods.some(m => m.includes('/node_modules/cdktf/')),
      provider: mods.some(m => m.includes('/@cdktf/provider-google/')),
      tier,
    }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

describe('the package entry point', () => {
  test('is compiled', () => {
    expect(fs.existsSync(entry)).toBe(true);
  });

  test('loads no cdktf module for an AWS-only user', () => {
    expect(loaded(false)).toEqual({ cdktf: false, provider: false, tier: '1M' });
  });

  test('loads the Google side when gcp is used', () => {
    expect(loaded(true)).toEqual({ cdktf: true, provider: true, tier: '1M' });
  });
});
