import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { gcpRungConfig, GcpRungOptions } from '../../lib/gcp/ladder/synth-rung';
import { readCached } from '../support/rung-cache';

/** Rung names, smallest first. */
export const RUNGS = ['1K', '10K', '100K', '1M', '10M', '100M', '1B'];

const shared = new Map<string, any>();

/**
 * The parsed cdk.tf.json of a rung. With the default options it is synthesized once per run by the
 * jest global setup (test/support/global-setup.ts) and read once per test file; with other options
 * it is synthesized once per test file (cached per process and options).
 */
export function rung(name: string, options: GcpRungOptions = {}): any {
  if (Object.keys(options).length > 0) return gcpRungConfig(name, options);
  if (!shared.has(name)) shared.set(name, readCached(`gcp:${name}`) ?? gcpRungConfig(name));
  return shared.get(name);
}

/** Every resource of a config as [type, address-name, body]. */
export function resources(config: any): Array<[string, string, any]> {
  const out: Array<[string, string, any]> = [];
  for (const [type, instances] of Object.entries<any>(config.resource ?? {})) {
    for (const [name, body] of Object.entries<any>(instances)) out.push([type, name, body]);
  }
  return out;
}

/** The bodies of `type` whose construct path ends with `pathSuffix`. */
export function find(config: any, type: string, pathSuffix: string): any {
  const hits = Object.values<any>(config.resource?.[type] ?? {}).filter(b => String(b['//']?.metadata?.path).endsWith(pathSuffix));
  if (hits.length !== 1) throw new Error(`expected one ${type} at …${pathSuffix}, found ${hits.length}`);
  return hits[0];
}

/** All bodies of `type`. */
export function all(config: any, type: string): any[] {
  return Object.values<any>(config.resource?.[type] ?? {});
}

/** Synthesizes a stack built by `fn` (with a Google provider) to parsed JSON. */
export function synthStack(fn: (stack: TerraformStack) => void): any {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new GoogleProvider(stack, 'google', { project: 'test-project-1', region: 'us-central1' });
  fn(stack);
  return JSON.parse(Testing.synth(stack));
}

/** Base props for layer tests. */
export const BASE = { project: 'test-project-1', region: 'us-central1' };

/** Asserts a scope builder throws a ScaleLadderError with exactly `message`. */
export function expectError(fn: (scope: Construct) => void, message: string): void {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'bad');
  let thrown: any;
  try {
    fn(stack);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeDefined();
  expect(thrown.name).toBe('ScaleLadderError');
  expect(thrown.message).toBe(message);
}

function references(config: any): string[] {
  return [...JSON.stringify(config).matchAll(/\$\{([^}]*)\}/g)].map(m => m[1]);
}

/** How many `${…}` expressions a config holds. */
export function referenceCount(config: any): number {
  return references(config).length;
}

/** Every `type.name` / `data.type.name` in a `${…}` expression that the config does not declare. */
export function unresolvedReferences(config: any): string[] {
  const unresolved: string[] = [];
  for (const ref of references(config)) {
    for (const m of ref.matchAll(/(?<![A-Za-z0-9_.])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]*)\.([A-Za-z0-9_-]+)/g)) {
      const [whole, data, type, id] = m;
      const declared = data ? config.data?.[type]?.[id] : config.resource?.[type]?.[id];
      if (!declared) unresolved.push(whole);
    }
  }
  return unresolved;
}
