import { expectUsageError, runCli } from './run-cli';

async function recommendJson(...args: string[]): Promise<any> {
  const result = await runCli(['recommend', ...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('scale-ladder recommend', () => {
  // The capacity model's figures: 1K ≈ 0.7 peak req/s, 10K ≈ 7, 100K ≈ 69, 1M ≈ 694, 10M ≈ 6.9K, 100M ≈ 69K, 1B ≈ 694K.
  test.each([
    [1_000, '1K', 0.694],
    [10_000, '10K', 6.944],
    [100_000, '100K', 69.444],
    [1_000_000, '1M', 694.444],
    [10_000_000, '10M', 6_944.444],
    [100_000_000, '100M', 69_444.444],
    [1_000_000_000, '1B', 694_444.444],
  ])('%d users: rung %s at %d peak req/s', async (users, tier, peakRps) => {
    const json = await recommendJson('--users', String(users));
    expect(json.tier).toBe(tier);
    expect(json.peakRps).toBeCloseTo(peakRps, 2);
    expect(json.users).toBe(users);
    expect(json.dailyActiveUsers).toBe(users * 0.2);
    expect(json.averageRps).toBeCloseTo(peakRps / 3, 2);
    expect(json.requiredVcpu).toBeCloseTo(peakRps / 100, 2);
    expect(json.headroom).toBeGreaterThanOrEqual(1);
    expect(json.headroom / (json.capacityRps / json.peakRps)).toBeCloseTo(1, 2);
    expect(json.assumptions).toEqual({
      dailyActiveRatio: 0.2, requestsPerUserPerDay: 100, peakToAverage: 3, requestsPerVcpu: 100, surviveZoneLoss: true,
    });
  });

  test('the JSON starts with the tier, as the README shows', async () => {
    const result = await runCli(['recommend', '--users', '10000000', '--json']);
    expect(result.stdout).toMatch(/^\{\n {2}"tier": "10M",\n {2}"users": 10000000,/);
  });

  test('just above a rung\'s bound picks the next rung', async () => {
    expect((await recommendJson('--users', '1001')).tier).toBe('10K');
  });

  test('the assumptions are inputs: 10× the requests per user needs a higher rung', async () => {
    const json = await recommendJson('--users', '1000000', '--requests-per-user', '1000');
    expect(json.peakRps).toBeCloseTo(6_944.444, 2);
    expect(json.tier).toBe('10M');
    expect(json.assumptions.requestsPerUserPerDay).toBe(1000);
  });

  test('every assumption flag reaches the model', async () => {
    const json = await recommendJson('--users', '1M',
      '--daily-active-ratio', '50%', '--requests-per-user', '10', '--peak-factor', '2', '--requests-per-vcpu', '50');
    expect(json.assumptions).toEqual({
      dailyActiveRatio: 0.5, requestsPerUserPerDay: 10, peakToAverage: 2, requestsPerVcpu: 50, surviveZoneLoss: true,
    });
    // 1M × 0.5 × 10 / 86400 × 2
    expect(json.peakRps).toBeCloseTo(115.741, 2);
    expect(json.requiredVcpu).toBeCloseTo(2.315, 2);
  });

  test.each([['2.5M', 2_500_000], ['250_000', 250_000], ['250,000', 250_000], ['1e6', 1_000_000], ['10K', 10_000], ['1b', 1_000_000_000]])(
    'users may be written as %s', async (written, users) => {
      expect((await recommendJson('--users', written)).users).toBe(users);
    });

  test('text output: DAU, average and peak req/s, vCPU, the rung, its capacity and headroom', async () => {
    const result = await runCli(['recommend', '--users', '1000000']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    const row = (label: string) => lines.find(l => l.startsWith(label))?.replace(/\s+/g, ' ');
    expect(row('monthly active users')).toBe('monthly active users 1,000,000');
    expect(row('daily active users')).toBe('daily active users 200,000 20 % of monthly');
    expect(row('average requests/s')).toBe('average requests/s 231 100 requests per daily user per day');
    expect(row('peak requests/s')).toBe('peak requests/s 694 3 × average');
    expect(row('required vCPU')).toBe('required vCPU 6.94 at 100 requests/s per vCPU');
    expect(row('rung')).toBe('rung 1M SeparatedDatabase + StatelessFleet + ReadReplicaSet + Cache + CdnEdge');
    expect(row('capacity requests/s')).toBe('capacity requests/s 2,000 30 tasks × 1 vCPU, one of three zones lost');
    expect(row('headroom')).toBe('headroom 2.9× capacity over peak');
    expect(result.stdout).toContain('scale-ladder synth --cloud aws --tier 1M');
  });

  test('the single-server rungs state their capacity as one server', async () => {
    const result = await runCli(['recommend', '--users', '500']);
    expect(result.stdout).toMatch(/^capacity requests\/s\s+200\s+one server, 2 vCPU$/m);
  });

  describe('bad usage', () => {
    test('missing --users', async () => {
      expectUsageError(await runCli(['recommend']), 'scale-ladder recommend: --users is required (monthly active users, e.g. --users 250000)');
    });
    test('--users -5', async () => {
      expectUsageError(await runCli(['recommend', '--users', '-5']), 'scale-ladder recommend: --users must be an integer 1-100000000000, got -5');
    });
    test('--users 0', async () => {
      expectUsageError(await runCli(['recommend', '--users', '0']), 'scale-ladder recommend: --users must be an integer 1-100000000000, got 0');
    });
    test('--users 2.5 (not whole)', async () => {
      expectUsageError(await runCli(['recommend', '--users', '2.5']), 'scale-ladder recommend: --users must be an integer 1-100000000000, got 2.5');
    });
    test('--users lots', async () => {
      expectUsageError(await runCli(['recommend', '--users', 'lots']), "scale-ladder recommend: --users must be a number (e.g. 250000, 2.5M or 20%), got 'lots'");
    });
    test('more users than the top rung serves', async () => {
      expectUsageError(await runCli(['recommend', '--users', '5B']),
        'scale-ladder recommend: --users must be within what rung 1B serves under these assumptions (800000 peak req/s), got 5000000000 (3472223 peak req/s)');
    });
    test('--daily-active-ratio 2', async () => {
      expectUsageError(await runCli(['recommend', '--users', '1000', '--daily-active-ratio', '2']),
        'scale-ladder recommend: --daily-active-ratio must be a number 0.001-1, got 2');
    });
    test('--peak-factor 0.5', async () => {
      expectUsageError(await runCli(['recommend', '--users', '1000', '--peak-factor', '0.5']),
        'scale-ladder recommend: --peak-factor must be a number 1-100, got 0.5');
    });
    test('--requests-per-vcpu -1', async () => {
      expectUsageError(await runCli(['recommend', '--users', '1000', '--requests-per-vcpu', '-1']),
        'scale-ladder recommend: --requests-per-vcpu must be a number 0.1-100000, got -1');
    });
    test('--requests-per-user 0', async () => {
      expectUsageError(await runCli(['recommend', '--users', '1000', '--requests-per-user', '0']),
        'scale-ladder recommend: --requests-per-user must be a number 0.01-1000000, got 0');
    });
  });
});
