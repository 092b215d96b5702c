/*
 * The names of the demo app the command synthesizes, and how a resource's layer is read from
 * its cdktf path. Free of cdktf, so planning two outputs on disk loads none of it. Internal.
 */

/** The stack name every rung synthesizes to (`stacks/<name>/cdk.tf.json`). */
export const GCP_STACK_NAME = 'scale-ladder';
/** The composer's construct id. */
export const GCP_APP_ID = 'App';
/** The embedded default app image (public). */
export const GCP_DEFAULT_IMAGE = 'gcr.io/google-samples/hello-app:2.0';
/** A placeholder project id: replace it with yours before applying. */
export const GCP_PLACEHOLDER_PROJECT = 'my-scale-ladder-project';
/** The default primary region. */
export const GCP_DEFAULT_REGION = 'us-central1';

/** The layer of a resource body from cdktf's metadata path `<stack>/<composer>/<layer>/…`. */
export function layerOf(body: any): string {
  const p: string | undefined = body?.['//']?.metadata?.path;
  const parts = p ? p.split('/') : [];
  return parts.length >= 3 ? parts[2] : '(stack)';
}
