import { RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SeparatedDatabase } from './separated-database';
import { ScaleLadderError } from '../../core/errors';

/** Props for {@link RegionalCredentials}. */
export interface RegionalCredentialsProps {
  /** The shards whose credentials other regions need (index = shard id). */
  readonly shards: SeparatedDatabase[];
  /** The other regions. */
  readonly regions: string[];
}

/**
 * Rung 100M+: every shard's own credentials secret is replicated by Secrets Manager into every
 * other region (`ReplicaRegions` on the secret, updated in place), and a small replicated secret
 * under a deterministic name tells those regions the shard secret's name. A replica has the
 * primary's name ("The ARN for a replicated secret is the same as the primary secret except for
 * the Region") and follows its rotations ("If you turn on rotation for your primary secret,
 * Secrets Manager rotates the secret in the primary Region, and the new secret value propagates to
 * all of the associated replica secrets": "Replicate AWS Secrets Manager secrets across Regions",
 * Secrets Manager User Guide, https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html),
 * so the other regions' apps read the rotating credentials themselves, not a copy made at deploy.
 *
 * A region's stack resolves the name with a `secretsmanager` dynamic reference in its own region
 * ("The secretsmanager dynamic reference can be used in all resource properties": "Get a secret or
 * secret value from Secrets Manager", CloudFormation User Guide), so no stack exports a value
 * another stack imports (no cross-region references that would lock either stack). The name never
 * changes: the shard secrets are never replaced.
 */
export class RegionalCredentials extends Construct {
  /** The deterministic name of the replicated secret whose value is shard `shardId`'s secret name. */
  public static pointerNameFor(primaryStackName: string, shardId: number): string {
    return `scale-ladder/${primaryStackName}/shard${shardId}/secret-name`;
  }

  /**
   * The name of shard `shardId`'s credentials secret, the same in every region (its replica's), as
   * a dynamic reference CloudFormation resolves when a stack in one of the other regions deploys.
   * The app receives the resolved name (DATABASE_SECRET, SHARD_MAP's `secret`).
   */
  public static secretNameFor(primaryStackName: string, shardId: number): string {
    return SecretValue.secretsManager(RegionalCredentials.pointerNameFor(primaryStackName, shardId)).unsafeUnwrap();
  }

  /** One replicated secret per shard naming its credentials secret, `Shard0SecretName` … (a higher shard count only adds). */
  public readonly pointers: secretsmanager.Secret[];

  constructor(scope: Construct, id: string, props: RegionalCredentialsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const replicaRegions = props.regions.map(region => ({ region }));
    this.pointers = props.shards.map((shard, i) => {
      replicate(shard, props.regions);
      return new secretsmanager.Secret(this, `Shard${i}SecretName`, {
        secretName: RegionalCredentials.pointerNameFor(stackName, i),
        description: `scale-ladder: the name of shard ${i}'s credentials secret, replicated to the other regions with it`,
        // A name, not a credential: the credentials stay in the shard secret and its replicas.
        secretStringValue: SecretValue.unsafePlainText(shard.secret.secretName),
        replicaRegions,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'These secrets hold only the name of each shard\'s credentials secret, no credential; the shard secrets themselves rotate and their replicas follow.',
    });
  }
}

/**
 * Adds `regions` to the shard secret's `ReplicaRegions` (an in-place update of the secret,
 * lib/aws/upgrade/update-behaviour.ts), keeping any replica it already has.
 */
function replicate(shard: SeparatedDatabase, regions: string[]): void {
  // The cluster's generated secret (the app reads it through its target attachment).
  const owned = shard.cluster.node.findAll().filter((c): c is secretsmanager.Secret => c instanceof secretsmanager.Secret);
  if (owned.length !== 1) {
    throw new ScaleLadderError(`shards must own exactly one credentials secret to replicate it, got ${owned.length} under ${shard.node.path}`);
  }
  for (const region of regions) owned[0].addReplicaRegion(region);
}
