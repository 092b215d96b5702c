import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One cdk-nag finding acknowledged in code, with the reason it is acceptable here. */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * Records acknowledgements as the `cdk_nag` metadata cdk-nag reads, on every CFN resource
 * under `scope`, so the library needs no runtime dependency on cdk-nag.
 */
export function acknowledge(scope: IConstruct, ...acks: NagAcknowledgement[]): void {
  for (const child of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(child)) continue;
    const existing = (child.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as NagAcknowledgement[];
    const merged = [...existing, ...acks.filter(a => !existing.some(e => e.id === a.id))];
    child.addMetadata('cdk_nag', { rules_to_suppress: merged });
  }
}
