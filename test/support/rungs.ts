import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PINNED_FLAGS } from './feature-flags';
import { ScaleLadder } from '../../lib';
import { buildAwsRung, STACK_ID } from '../../lib/aws/synth-rung';

export const AWS_RUNGS = ['1K', '10K', '100K', '1M', '10M', '100M', '1B'];

export interface BuiltRung {
  readonly app: App;
  readonly ladder: ScaleLadder;
  /** Template JSON by stack name (the primary stack first). */
  readonly templates: Record<string, any>;
}

const built = new Map<string, BuiltRung>();

/** The rung as the `scale-ladder synth` command builds it, synthesized once per test file. */
export function awsRung(tierName: string): BuiltRung {
  if (!built.has(tierName)) {
    const { app, ladder } = buildAwsRung(tierName, undefined, { context: PINNED_FLAGS });
    const assembly = app.synth();
    const templates = Object.fromEntries(assembly.stacks.map(s => [s.stackName, s.template]));
    built.set(tierName, { app, ladder, templates });
  }
  return built.get(tierName)!;
}

/** All stacks' templates of a rung. */
export function awsTemplatesJson(tierName: string): Record<string, any> {
  return awsRung(tierName).templates;
}

/** The primary stack's template JSON. */
export function awsTemplateJson(tierName: string): any {
  return awsRung(tierName).templates[STACK_ID];
}

export function awsTemplate(tierName: string): Template {
  return Template.fromJSON(awsTemplateJson(tierName));
}
