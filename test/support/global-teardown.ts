import * as fs from 'fs';
import { SYNTHESIZING } from './global-setup';
import { RUNG_CACHE_ENV } from './rung-cache';

/**
 * Jest global teardown: waits for the synthesizing processes (test/support/global-setup.ts; they
 * have long finished unless the run was short) and removes the run's synthesized rungs.
 */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as any)[SYNTHESIZING];
  const dir = process.env[RUNG_CACHE_ENV];
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
    delete process.env[RUNG_CACHE_ENV];
  }
}
