import { RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SeparatedDatabase } from './separated-database';

/** Props for {@link RegionalCredentials}. */
export interface RegionalCredentialsProps {
  /** The shards whose credentials other regions need (index = shard id). */
  readonly shards: SeparatedDatabase[];
  /** The other regions. */
  readonly regions: string[];
}

/**
 * Rung 100M+: the shards' credentials under deterministic names, replicated by Secrets
 * Manager into every other region. A region's stack reads them by name in its own
 * region, so no stack exports a value another stack imports (no cross-region references
 * that would lock either stack). The copies are taken from the shard secrets when this
 * stack deploys; after rotating a shard's password, redeploy to refresh them.
 */
export class RegionalCredentials extends Construct {
  /** The name shard `shardId`'s replicated credentials have in every region. */
  public static secretNameFor(primaryStackName: string, shardId: number): string {
    return `scale-ladder/${primaryStackName}/shard${shardId}`;
  }

  /** One replicated secret per shard, `Shard0` … (a higher shard count only adds). */
  public readonly secrets: secretsmanager.Secret[];

  constructor(scope: Construct, id: string, props: RegionalCredentialsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.secrets = props.shards.map((shard, i) => {
      const secret = new secretsmanager.Secret(this, `Shard${i}`, {
        secretName: RegionalCredentials.secretNameFor(stackName, i),
        description: `scale-ladder shard ${i} credentials, replicated to the other regions`,
        secretStringValue: SecretValue.secretsManager(shard.secret.secretArn),
        replicaRegions: props.regions.map(region => ({ region })),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      return secret;
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'These are copies of the shard secrets for other regions; rotation happens on the shard secret, then a deploy refreshes the copies.',
    });
  }
}
