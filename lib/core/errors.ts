/**
 * The one error type the library throws for bad input. Every message names the prop,
 * the value it got and what is allowed, so the fix is obvious from the message alone.
 */
export class ScaleLadderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScaleLadderError';
    Object.setPrototypeOf(this, ScaleLadderError.prototype);
  }
}

/** A value as an error message shows it: strings quoted, numbers as written (NaN included), the rest as JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return `a ${(value as object)?.constructor?.name ?? typeof value}`;
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireIntInRange(prop: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ScaleLadderError(`${prop} must be an integer ${min}-${max}, got ${describeValue(value)}`);
  }
  return value;
}

/** Throws unless `value` is a number in [min, max]. */
export function requireNumberInRange(prop: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ScaleLadderError(`${prop} must be a number ${min}-${max}, got ${describeValue(value)}`);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function requireOneOf<T>(prop: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new ScaleLadderError(`${prop} must be one of ${allowed.map(describeValue).join(', ')}, got ${describeValue(value)}`);
  }
  return value;
}

/** Throws unless `value` matches `pattern`; `describe` says in words what is allowed. */
export function requirePattern(prop: string, value: string, pattern: RegExp, describe: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ScaleLadderError(`${prop} must be ${describe}, got ${describeValue(value)}`);
  }
  return value;
}

/** Throws if `values` holds the same entry twice. */
export function requireUnique(prop: string, values: readonly string[]): readonly string[] {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) {
      throw new ScaleLadderError(`${prop} must not repeat an entry, got ${describeValue(value)} twice in ${describeValue(values)}`);
    }
    seen.add(value);
  }
  return values;
}

/** Throws unless `low <= high`. */
export function requireOrdered(lowProp: string, low: number, highProp: string, high: number): void {
  if (low > high) {
    throw new ScaleLadderError(`${lowProp} (${low}) must not exceed ${highProp} (${high})`);
  }
}
