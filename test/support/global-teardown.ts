import * as fs from 'fs';
import { RUNG_CACHE_ENV } from './rung-cache';

/** Jest global teardown: removes the run's synthesized rungs (test/support/global-setup.ts). */
export default function globalTeardown(): void {
  const dir = process.env[RUNG_CACHE_ENV];
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
    delete process.env[RUNG_CACHE_ENV];
  }
}
