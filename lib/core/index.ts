export * from './layer';
export * from './tier-spec';
export * from './tier';
export * from './capacity';
export * from './app-contract';
export * from './shard-router';
export * from './sizing';

import { ScaleLadderError as ScaleLadderErrorClass } from './errors';
/**
 * The error the library throws for bad input, its message naming the prop, the value and what
 * is allowed (lib/core/errors.ts): `catch (e) { if (e instanceof ScaleLadderError) … }`.
 *
 * A constant and a type of the same name rather than `export class`: jsii refuses a class that
 * extends the built-in `Error` (JSII3004, "Illegal extends clause for an exported API") and
 * leaves constants and type aliases out of the assembly, so this is visible to TypeScript and
 * JavaScript (the package's only targets) but not in API.md.
 */
export const ScaleLadderError = ScaleLadderErrorClass;
/** An instance of {@link ScaleLadderError}. */
export type ScaleLadderError = ScaleLadderErrorClass;
export * from './plan-report';
