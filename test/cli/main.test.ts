import { expectUsageError, runCli } from './run-cli';
import { COMMANDS } from '../../lib/cli/main';

describe('scale-ladder (top level)', () => {
  test('no command is bad usage with a one-line reason', async () => {
    expectUsageError(await runCli([]), 'scale-ladder: missing command (synth, plan, recommend or diagram); run scale-ladder --help');
  });

  test('an unknown command is bad usage', async () => {
    expectUsageError(await runCli(['deploy']), "scale-ladder: unknown command 'deploy' (expected synth, plan, recommend or diagram)");
  });

  test.each([['--help'], ['-h'], ['help']])('%s lists every command and exits 0', async flag => {
    const result = await runCli([flag]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: scale-ladder <command> \[options\]/);
    for (const command of ['synth', 'plan', 'recommend', 'diagram']) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(result.stdout).toContain('1K 10K 100K 1M 10M 100M 1B');
  });

  test('the four commands exist', () => {
    expect(COMMANDS.map(c => c.name)).toEqual(['synth', 'plan', 'recommend', 'diagram']);
  });

  test.each(['synth', 'plan', 'recommend', 'diagram'])('%s --help prints its usage and every option, exit 0', async name => {
    const result = await runCli([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe(`Usage: scale-ladder ${name} ${COMMANDS.find(c => c.name === name)!.synopsis}`);
    for (const option of Object.keys(COMMANDS.find(c => c.name === name)!.options)) {
      expect(result.stdout).toMatch(new RegExp(`^  --${option}\\b`, 'm'));
    }
  });

  test('--help wins over missing required options', async () => {
    const result = await runCli(['synth', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--cloud aws|gcp');
  });

  test('an unknown option is bad usage', async () => {
    expectUsageError(await runCli(['recommend', '--users', '10', '--colour']), "scale-ladder recommend: unknown option '--colour'");
  });

  test('an option without its value is bad usage', async () => {
    expectUsageError(await runCli(['synth', '--cloud']), 'scale-ladder synth: --cloud needs a value');
  });

  test('a value for a flag is bad usage', async () => {
    expectUsageError(await runCli(['recommend', '--users', '10', '--json=yes']), 'scale-ladder recommend: --json does not take a value');
  });

  test('a stray positional argument is bad usage', async () => {
    expectUsageError(await runCli(['diagram', 'aws']), "scale-ladder diagram: unexpected argument 'aws'");
  });

  test('an option followed by another option is a missing value, not a negative number', async () => {
    expectUsageError(await runCli(['synth', '--cloud', '--tier', '1K']), 'scale-ladder synth: --cloud needs a value');
  });
});
