import { updatesInPlace } from './update-behaviour';

/*
 * A replaced resource gets a new physical id, so every property that refers to it (Ref,
 * Fn::GetAtt, Fn::Sub) takes a new value in the same deploy, although the template text of the
 * referring resource does not change and cloudformation-diff reports nothing for it. Those
 * properties are changes like any other: the resource specification's `causesReplacement`
 * (the "Update requires" line of the CloudFormation Template Reference, as aws-cdk's service
 * spec carries it) decides, and on a resource that holds data only the cited in-place table in
 * update-behaviour.ts proves a change in place. Internal (the planner).
 */

/** The logical ids `value` refers to, among `ids`. */
export function referencesIn(value: unknown, ids: ReadonlySet<string>, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach(v => referencesIn(v, ids, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof v === 'string' && ids.has(v)) {out.add(v);} else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(v) ? v[0] : typeof v === 'string' ? v.split('.')[0] : undefined;
        if (typeof target === 'string' && ids.has(target)) out.add(target);
        else referencesIn(v, ids, out);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}/g)) if (ids.has(m[1])) out.add(m[1]);
        if (Array.isArray(v)) referencesIn(v[1], ids, out);
      } else {
        referencesIn(v, ids, out);
      }
    }
  }
  return out;
}

let spec: any;
/** The resource spec of the type, loaded once: the database cloudformation-diff reads its replacement impacts from. */
function specOf(type: string): any {
  if (!spec) {
    // Resolved from the bundled @aws-cdk/cloudformation-diff, whose dependency it is (not this package's).
    const from = { paths: [require.resolve('@aws-cdk/cloudformation-diff')] };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    spec = require(require.resolve('@aws-cdk/aws-service-spec', from)).loadAwsServiceSpecSync();
  }
  return spec.lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

/** Whether the resource specification says changing `property` of `type` (may) replace it; unknown counts as yes. */
export function specReplaces(type: string, property: string): boolean {
  const prop = specOf(type)?.properties?.[property];
  // The spec leaves causesReplacement out for properties that update in place.
  return prop === undefined || prop.causesReplacement === 'yes' || prop.causesReplacement === 'maybe';
}

/** Whether the resource specification marks resources of `type` as stateful. */
export function specStateful(type: string): boolean {
  return specOf(type)?.isStateful === true;
}

export interface CascadeInput {
  /** The new template's resources. */
  readonly resources: Record<string, any>;
  /** Logical ids the diff already replaces (present in both templates). */
  readonly replaced: ReadonlySet<string>;
  /** Logical ids only in the new template or only in the old one (not carried over). */
  readonly notCarried: ReadonlySet<string>;
  readonly holdsData: (logicalId: string) => boolean;
}

/** logical id → properties newly replacing it because they refer to a replaced resource, with the reason. */
export function cascadeReplacements(input: CascadeInput): Map<string, string[]> {
  const ids = new Set(Object.keys(input.resources));
  const replaced = new Set(input.replaced);
  const found = new Map<string, string[]>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, resource] of Object.entries<any>(input.resources)) {
      if (replaced.has(id) || input.notCarried.has(id)) continue;
      const reasons: string[] = [];
      for (const [property, value] of Object.entries<any>(resource?.Properties ?? {})) {
        const targets = [...referencesIn(value, ids)].filter(t => replaced.has(t));
        if (targets.length === 0) continue;
        const replaces = input.holdsData(id) ? !updatesInPlace(resource.Type, property, resource) : specReplaces(resource.Type, property);
        if (replaces) reasons.push(`${property} (refers to replaced ${targets.join(', ')}: a new physical id)`);
      }
      if (input.holdsData(id)) {
        const network = replacedNetworkOf(id, input.resources, ids, replaced);
        if (network) reasons.push(`network (its VPC ${network} is replaced: no cited way to move a data-bearing resource to another VPC in place, so counted as a replacement)`);
      }
      if (reasons.length) {
        found.set(id, reasons);
        replaced.add(id);
        grew = true;
      }
    }
  }
  return found;
}

/** A replaced AWS::EC2::VPC that `id` reaches through its references, if any. */
function replacedNetworkOf(id: string, resources: Record<string, any>, ids: ReadonlySet<string>, replaced: ReadonlySet<string>): string | undefined {
  const seen = new Set<string>([id]);
  const queue = [id];
  while (queue.length) {
    const current = queue.shift()!;
    for (const next of referencesIn(resources[current]?.Properties ?? {}, ids)) {
      if (seen.has(next)) continue;
      seen.add(next);
      if (resources[next]?.Type === 'AWS::EC2::VPC' && replaced.has(next)) return next;
      queue.push(next);
    }
  }
  return undefined;
}
