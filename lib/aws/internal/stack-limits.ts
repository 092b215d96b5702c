import { CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Headroom under CloudFormation's hard limits (500 resources, 200 outputs, 1 MB). */
export const MAX_RESOURCES = 400;
export const MAX_OUTPUTS = 150;
export const MAX_TEMPLATE_BYTES = 800 * 1024;

/**
 * Fails synth (through construct validation) before a deploy would fail on a platform
 * limit. Template size is checked by the synth command, which sees the written file.
 */
export function guardStackLimits(scope: IConstruct): void {
  scope.node.addValidation({
    validate: () => {
      const stack = Stack.of(scope);
      const all = stack.node.findAll().filter(c => Stack.of(c) === stack);
      const resources = all.filter(CfnResource.isCfnResource).length;
      const outputs = all.filter(c => c instanceof CfnOutput).length;
      const errors: string[] = [];
      if (resources > MAX_RESOURCES) errors.push(`stack ${stack.stackName} has ${resources} resources; scale-ladder allows at most ${MAX_RESOURCES} (CloudFormation's limit is 500)`);
      if (outputs > MAX_OUTPUTS) errors.push(`stack ${stack.stackName} has ${outputs} outputs; scale-ladder allows at most ${MAX_OUTPUTS}`);
      return errors;
    },
  });
}
