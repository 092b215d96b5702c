import { runCli } from './run-cli';

function moduleNotFound(name: string): Error {
  return Object.assign(new Error(`Cannot find module '${name}' from 'lib/cli/clouds.ts'`), { code: 'MODULE_NOT_FOUND' });
}

describe('a cloud that cannot be loaded', () => {
  afterEach(() => jest.resetModules());

  test('a cloud module missing from this build exits 1 with a one-line reason', async () => {
    jest.doMock('../../lib/gcp/ladder/synth-rung', () => { throw moduleNotFound('../gcp/synth-rung'); }, { virtual: true });
    const result = await runCli(['synth', '--cloud', 'gcp', '--tier', '1K']);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'scale-ladder synth: the gcp support is not built into this copy of scale-ladder (gcp/synth-rung is missing)\n' });
  });

  test('missing optional peer dependencies (cdktf) are named with the install command', async () => {
    jest.doMock('../../lib/gcp/upgrade/planner', () => { throw moduleNotFound('cdktf'); }, { virtual: true });
    const result = await runCli(['plan', '--cloud', 'gcp', '--from', '1K', '--to', '10K']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: "scale-ladder plan: --cloud gcp needs the optional peer dependencies cdktf and @cdktf/provider-google (npm install cdktf @cdktf/provider-google); cannot load 'cdktf'\n",
    });
  });

  test('a module that does not export the function is a failure, not a crash', async () => {
    jest.doMock('../../lib/aws/ladder/synth-rung', () => ({}));
    const result = await runCli(['synth', '--cloud', 'aws', '--tier', '1K']);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'scale-ladder synth: aws/synth-rung does not export synthAwsRung\n' });
  });
});
