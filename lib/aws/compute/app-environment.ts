import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** A secret the app receives as an environment variable. */
export interface AppSecretRef {
  /** The secret. */
  readonly secret: secretsmanager.ISecret;
  /**
   * JSON field of the secret.
   * @default - the whole secret string
   */
  readonly field?: string;
}

/**
 * The app contract's values on one rung: plain variables and secret references, filled
 * in by the layers and handed to every compute the app runs on (server, fleet, workers).
 */
export class AppEnvironment {
  /** Plain variables by name. */
  public readonly variables: Record<string, string> = {};
  /** Secret variables by name. */
  public readonly secrets: Record<string, AppSecretRef> = {};
  /**
   * Variables ECS reads from an SSM parameter when a task starts: values owned at run time
   * rather than by the template (the shard bucket assignment a rebalance publishes).
   */
  public readonly parameters: Record<string, ecs.Secret> = {};

  /** Sets a plain variable. */
  public set(name: string, value: string): AppEnvironment {
    this.variables[name] = value;
    return this;
  }

  /** Sets a variable read from a secret (a JSON `field` of it, when given). */
  public setSecret(name: string, secret: secretsmanager.ISecret, field?: string): AppEnvironment {
    this.secrets[name] = { secret, field };
    return this;
  }

  /** Sets a variable ECS reads from an SSM parameter at task start. */
  public setParameter(name: string, parameter: ecs.Secret): AppEnvironment {
    this.parameters[name] = parameter;
    return this;
  }

  /** ECS container secrets (Secrets Manager values, then run-time parameters). */
  public ecsSecrets(): Record<string, ecs.Secret> {
    const out: Record<string, ecs.Secret> = {};
    for (const [name, ref] of Object.entries(this.secrets)) out[name] = ecs.Secret.fromSecretsManager(ref.secret, ref.field);
    return { ...out, ...this.parameters };
  }

  /** Lets `grantee` read every secret (the server reads them itself at boot). */
  public grantRead(grantee: iam.IGrantable): void {
    for (const ref of new Set(Object.values(this.secrets).map(r => r.secret))) ref.grantRead(grantee);
  }
}
