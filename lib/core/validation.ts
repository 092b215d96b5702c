import { describeValue, ScaleLadderError } from './errors';

/*
 * Checks of values whose shape the clouds share: container image references and private IPv4
 * ranges. Each error names the prop the user set, the value and what is allowed. Internal.
 */

/**
 * A pinned container image reference: `[registry/]path:tag` or `…@sha256:<digest>`. Refused: no
 * tag (the registry's `latest` is implied), `:latest` itself (a moving tag: the running version
 * changes without a deploy, and a rollback cannot name the old one), a URL scheme, whitespace.
 */
export function requireImageReference(prop: string, value: unknown): string {
  const example = 'e.g. ghcr.io/acme/shop:1.4.2 or …@sha256:<64 hex digits>';
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ScaleLadderError(`${prop} must be a container image reference (${example}), got ${describeValue(value)}`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ScaleLadderError(`${prop} must be an image reference without a URL scheme (${example}), got ${describeValue(value)}`);
  }
  const match = /^([a-z0-9][a-z0-9._\-/:]*?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(value);
  const name = match?.[1] ?? '';
  const repositoryOk = match !== null && !name.endsWith('/') && !name.includes('//') && !/:[^/]*$/.test(name);
  if (!repositoryOk) {
    throw new ScaleLadderError(`${prop} must be a container image reference: lowercase registry and path, then :tag or @sha256:digest (${example}), got ${describeValue(value)}`);
  }
  const [tag, digest] = [match![2], match![3]];
  if (!tag && !digest) {
    throw new ScaleLadderError(`${prop} must name a version (a tag or a digest: without one the registry serves 'latest', which moves), got ${describeValue(value)}`);
  }
  if (tag === 'latest' && !digest) {
    throw new ScaleLadderError(`${prop} must name a fixed version, not ':latest' (it moves without a deploy, and a rollback cannot name the old version), got ${describeValue(value)}`);
  }
  return value;
}

/** `a.b.c.d/n` as four octets and a prefix length, or undefined when it is not one. */
function parseCidr(value: string): { octets: number[]; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  return octets.every(o => o <= 255) && prefix <= 32 ? { octets, prefix } : undefined;
}

/** Whether the range lies inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918). */
function isPrivate(octets: number[], prefix: number): boolean {
  const [a, b] = octets;
  return (a === 10 && prefix >= 8) || (a === 172 && b >= 16 && b <= 31 && prefix >= 12) || (a === 192 && b === 168 && prefix >= 16);
}

/** A private IPv4 range (RFC 1918) with a prefix length in [minPrefix, maxPrefix] and no host bits set. */
export function requirePrivateCidr(prop: string, value: unknown, minPrefix: number, maxPrefix: number): string {
  const sizes = minPrefix === maxPrefix ? `, a /${minPrefix}` : ` from /${minPrefix} to /${maxPrefix}`;
  const allowed = `a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)${sizes}`;
  const parsed = typeof value === 'string' ? parseCidr(value) : undefined;
  if (!parsed) throw new ScaleLadderError(`${prop} must be ${allowed} written as a.b.c.d/n, got ${describeValue(value)}`);
  const { octets, prefix } = parsed;
  if (prefix < minPrefix || prefix > maxPrefix) throw new ScaleLadderError(`${prop} must be ${allowed}, got ${describeValue(value)} (a /${prefix})`);
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    const base = address - (address % size);
    const start = [24, 16, 8, 0].map(shift => Math.floor(base / 2 ** shift) % 256).join('.');
    throw new ScaleLadderError(`${prop} must start on its range's boundary (no host bits set): did you mean '${start}/${prefix}'? got ${describeValue(value)}`);
  }
  if (!isPrivate(octets, prefix)) throw new ScaleLadderError(`${prop} must be ${allowed}, got ${describeValue(value)}: not a private range`);
  return value as string;
}

/** The part of a construct scope the id checks read (a `constructs` Construct has it). */
export interface IdScope {
  readonly node: { readonly path: string; tryFindChild(id: string): unknown };
}

/**
 * The scope, once `id` is checked to be a usable construct id there: a non-empty string of at most
 * `maxLength` characters that no other child of `scope` has. Called in the argument of `super(...)`,
 * so the check runs before `constructs` would refuse the id with an error of its own.
 */
export function requireFreeId<S extends IdScope>(scope: S, id: string, maxLength: number, what: string): S {
  if (typeof id !== 'string' || id.trim() === '' || id.length > maxLength) {
    throw new ScaleLadderError(`id must be a construct id of 1-${maxLength} characters for ${what}, got ${describeValue(id)}` +
      (typeof id === 'string' && id.length > maxLength ? ` (${id.length} characters)` : ''));
  }
  if (scope?.node?.tryFindChild(id) !== undefined) {
    const where = scope.node.path === '' ? 'the app' : `'${scope.node.path}'`;
    throw new ScaleLadderError(`id must be unused in ${where} (every construct of a scope needs its own id), got '${id}': ${where} already has a construct with that id`);
  }
  return scope;
}
