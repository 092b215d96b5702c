import { execFileSync } from 'child_process';
import * as path from 'path';
import { requireCompiled, ROOT } from './support';
import { AppContract, ScaleLadderError, Tier } from '../../lib';

/*
 * What the package root offers users beyond the constructs: ScaleLadderError to catch the
 * library's errors by type, and AppContract.variablesFor by rung name.
 */

describe('ScaleLadderError from the package root', () => {
  test('is what the library throws, so `instanceof` picks out its errors', () => {
    let caught: unknown;
    try {
      Tier.fromName('5K');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ScaleLadderError);
    expect(caught).toBeInstanceOf(Error);
    // instanceof narrows to the error type (type-checked by `tsc --noEmit -p test/tsconfig.json`).
    const message: string = caught instanceof ScaleLadderError ? caught.message : '';
    expect(message).toBe("tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '5K'");
    expect((caught as Error).name).toBe('ScaleLadderError');
    expect(new ScaleLadderError('x')).toBeInstanceOf(ScaleLadderError);
  });

  test('is exported by the compiled entry point and loads no cloud library', async () => {
    await requireCompiled();
    const script = `
      const lib = require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
      let caught;
      try { lib.AppContract.variablesFor('2M'); } catch (e) { caught = e; }
      const mods = Object.keys(require.cache);
      console.log(JSON.stringify({
        isClass: typeof lib.ScaleLadderError === 'function',
        instance: caught instanceof lib.ScaleLadderError,
        message: caught && caught.message,
        awsCdkLib: mods.some(m => m.includes('/node_modules/aws-cdk-lib/')),
        cdktf: mods.some(m => m.includes('/node_modules/cdktf/')),
      }));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual({
      isClass: true,
      instance: true,
      message: "tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2M'",
      awsCdkLib: false,
      cdktf: false,
    });
  });
});

describe('AppContract.variablesFor', () => {
  test('takes a rung name as well as a Tier', () => {
    const names = (tier: Tier | string) => AppContract.variablesFor(tier).map(v => v.name);
    expect(names('1M')).toEqual(names(Tier.USERS_1M));
    expect(names('1m')).toEqual(names(Tier.USERS_1M));
    for (const tier of Tier.all()) expect(names(tier.name)).toEqual(names(tier));
    expect(names('1M')).toEqual(expect.arrayContaining(['CACHE_HOST', 'STATIC_BUCKET']));
  });

  test('fails with a ScaleLadderError naming the value and the rungs for anything else', () => {
    expect(() => AppContract.variablesFor('2M')).toThrow(ScaleLadderError);
    expect(() => AppContract.variablesFor('2M')).toThrow("tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2M'");
    expect(() => AppContract.variablesFor('')).toThrow("tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got ''");
    // From JavaScript, without the types.
    expect(() => AppContract.variablesFor(undefined as any)).toThrow(new ScaleLadderError('tier must be a Tier or one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got undefined'));
    expect(() => AppContract.variablesFor(1000000 as any)).toThrow('tier must be a Tier or one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got 1000000');
    expect(() => AppContract.variablesFor({ name: '1M' } as any)).toThrow(ScaleLadderError);
  });
});
