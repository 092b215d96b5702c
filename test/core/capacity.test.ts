import { CapacityModel, Tier } from '../../lib';

describe('CapacityModel', () => {
  const model = new CapacityModel();

  test.each([
    ['1K', 0.69], ['10K', 6.94], ['100K', 69.4], ['1M', 694], ['10M', 6944], ['100M', 69444], ['1B', 694444],
  ])('peak requests/s at %s users matches the capacity model', (rung, peak) => {
    const users = Tier.fromName(rung).spec.maxUsers;
    expect(model.traffic(users).peakRps).toBeCloseTo(peak, peak < 10 ? 1 : -1);
  });

  test('DAU is 20 % of MAU and peak is three times the daily average', () => {
    const t = model.traffic(1_000_000);
    expect(t.dailyActiveUsers).toBe(200_000);
    expect(t.peakRps / t.averageRps).toBeCloseTo(3);
    expect(t.requiredVcpu).toBeCloseTo(t.peakRps / 100);
  });

  test('every rung serves its own ceiling with a zone lost (headroom >= 1)', () => {
    for (const tier of Tier.all()) expect(model.capacityOf(tier).headroom).toBeGreaterThanOrEqual(1);
  });

  test('recommend picks the smallest rung that fits, at each boundary', () => {
    expect(model.recommend(1_000).tier.name).toBe('1K');
    expect(model.recommend(1_001).tier.name).toBe('10K');
    expect(model.recommend(250_000).tier.name).toBe('1M');
    expect(model.recommend(1_000_000_000).tier.name).toBe('1B');
  });

  test('assumptions are inputs: heavier users push the pick up the ladder', () => {
    const heavy = new CapacityModel({ requestsPerUserPerDay: 5_000 });
    expect(heavy.recommend(100_000).tier.name).not.toBe('100K');
    expect(heavy.capacityOf(Tier.USERS_100K, 100_000).headroom).toBeLessThan(1);
  });

  test.each([
    [{ dailyActiveRatio: 1.5 }, 'dailyActiveRatio must be a number 0.001-1, got 1.5'],
    [{ peakToAverage: 0.5 }, 'peakToAverage must be a number 1-100, got 0.5'],
    [{ requestsPerVcpu: 0 }, 'requestsPerVcpu must be a number 0.1-100000, got 0'],
  ])('bad assumptions %j', (assumptions, message) => {
    expect(() => new CapacityModel(assumptions)).toThrow(message);
  });

  test('users beyond the top rung get a clear error', () => {
    expect(() => model.recommend(5_000_000_000)).toThrow(/users must be within what rung 1B serves/);
    expect(() => model.traffic(-5)).toThrow('users must be an integer 1-100000000000, got -5');
  });
});
