import { AppContract, Tier } from '../../lib';

describe('AppContract', () => {
  test('names are unique and upper snake case', () => {
    const names = AppContract.all().map(v => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  test('a higher rung only adds variables', () => {
    const rungs = Tier.all();
    for (let i = 1; i < rungs.length; i++) {
      const lower = AppContract.variablesFor(rungs[i - 1]).map(v => v.name);
      const higher = AppContract.variablesFor(rungs[i]).map(v => v.name);
      expect(higher).toEqual(expect.arrayContaining(lower));
    }
  });

  test('credentials are secrets; the database is there from the first rung', () => {
    const first = AppContract.variablesFor(Tier.USERS_1K);
    expect(first.map(v => v.name)).toEqual(expect.arrayContaining(['DATABASE_HOST', 'DATABASE_PASSWORD', 'PORT', 'APP_TIER']));
    for (const v of AppContract.all()) expect(v.secret).toBe(/PASSWORD|TOKEN/.test(v.name));
    expect(AppContract.variablesFor(Tier.USERS_1M).map(v => v.name)).toEqual(expect.arrayContaining(['CACHE_HOST', 'STATIC_BUCKET']));
    expect(AppContract.variablesFor(Tier.USERS_100K).map(v => v.name)).not.toContain('CACHE_HOST');
  });
});
