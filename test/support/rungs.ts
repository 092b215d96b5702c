import { Template } from 'aws-cdk-lib/assertions';
import { PINNED_FLAGS } from './feature-flags';
import { buildAwsRung } from '../../lib/aws/synth-rung';

export const LOWER_AWS_RUNGS = ['1K', '10K', '100K', '1M'];

const templates = new Map<string, any>();

/** The rung's template JSON as the `scale-ladder synth` command builds it (memoized per test file). */
export function awsTemplateJson(tierName: string): any {
  if (!templates.has(tierName)) {
    const { app, stack } = buildAwsRung(tierName, undefined, { context: PINNED_FLAGS });
    templates.set(tierName, app.synth().getStackByName(stack.stackName).template);
  }
  return templates.get(tierName);
}

export function awsTemplate(tierName: string): Template {
  return Template.fromJSON(awsTemplateJson(tierName));
}
