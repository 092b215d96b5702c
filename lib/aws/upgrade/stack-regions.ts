/*
 * The region each synthesized template deploys to, as the cloud assembly's manifest says
 * (`aws://<account>/<region>`), so the steps' commands can name it. Kept beside the templates
 * (keyed by the template object) rather than in them: a template is CloudFormation's, not ours.
 * Internal (the planner).
 */

const REGIONS = new WeakMap<object, string>();

/** Records that `template` deploys to `region`. */
export function setStackRegion(template: object, region: string | undefined): void {
  if (region && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) REGIONS.set(template, region);
}

/** The region `templates[stack]` deploys to: recorded, or the `<primary>-<region>` suffix of its name; undefined when unknown. */
export function stackRegion(templates: Record<string, any>, stack: string): string | undefined {
  const template = templates[stack];
  const recorded = template && typeof template === 'object' ? REGIONS.get(template) : undefined;
  return recorded ?? regionSuffix(stack);
}

/** The region a stack name ends with (`Shop-eu-central-1` → eu-central-1), if any. */
export function regionSuffix(stack: string): string | undefined {
  return /-([a-z]{2}(?:-[a-z]+)+-\d+)$/.exec(stack)?.[1];
}
