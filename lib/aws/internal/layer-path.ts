/** The stack the CLI and planner synthesize the demo app into. */
export const STACK_ID = 'ScaleLadder';

/** The construct id of the composer in the apps the CLI and planner synthesize. */
export const COMPOSER_ID = 'App';

/**
 * The layer a resource belongs to: the construct id right below the composer in its
 * `aws:cdk:path` (`Shop/App/Database/Cluster/Resource` → `Database`); anything outside a
 * layer belongs to `Stack`. Kept free of aws-cdk-lib so the planner loads fast.
 */
export function layerOfPath(path: string | undefined, composerId: string = COMPOSER_ID): string {
  const parts = (path ?? '').split('/');
  return parts[1] === composerId && parts.length > 3 ? parts[2] : 'Stack';
}
