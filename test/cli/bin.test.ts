import { spawnSync } from 'child_process';
import * as path from 'path';

describe('bin/scale-ladder.js', () => {
  test('runs the command from the repository clone (ts-node shim) and passes on the exit code', () => {
    const root = path.join(__dirname, '..', '..');
    const result = spawnSync(process.execPath, [path.join(root, 'bin', 'scale-ladder.js'), 'recommend', '--users', '1000', '--json'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.tier).toBe('1K');
    expect(json.peakRps).toBeCloseTo(0.694, 3);
  });
});
