import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { requirePattern } from '../../core/errors';
import { baseSettings, GcpBaseProps, labels, PROTECT } from '../internal/common';

/** Props of `DatabaseCredentials`. */
export interface DatabaseCredentialsProps extends GcpBaseProps {
  /**
   * The PostgreSQL user the app connects as.
   * @default 'app'
   */
  readonly username?: string;
}

/**
 * The app's PostgreSQL password: generated once (hashicorp/random `random_password`), kept in a
 * Secret Manager secret (`<name>-database-password`): the server-local database's and the
 * managed database's (shard 0). From 10M each further shard has its own secret
 * (`InstancePasswordSecret`, `<name>-db-shard-<i>-password`) whose first version is this same
 * password, so a climb never changes what the app connects with. Everything here is protected:
 * losing it locks the app out of its data.
 *
 * Secret Manager rotates nothing by itself (a rotation schedule only sends a Pub/Sub
 * notification: cloud.google.com/secret-manager/docs/secret-rotation); `CredentialRotation`
 * rotates each instance's password and then its own secret, one pair at a time, and the app
 * reads `DATABASE_SECRET` (or its shard's `secret`) again when a connection fails authentication
 * (docs/credentials.md).
 */
export class DatabaseCredentials extends Construct {
  /** The generated password (`random_password`; its `result` is sensitive). */
  public readonly password: TerraformResource;
  /** The secret holding it. */
  public readonly secret: SecretManagerSecret;
  /** The secret's version holding the password. */
  public readonly secretVersion: SecretManagerSecretVersion;
  /** The PostgreSQL user name. */
  public readonly username: string;

  constructor(scope: Construct, id: string, props: DatabaseCredentialsProps) {
    super(scope, id);
    const { project, name } = baseSettings(props);
    this.username = requirePattern('username', props.username ?? 'app', /^[a-z_][a-z0-9_]{0,62}$/,
      'a PostgreSQL user name (1-63 lowercase letters, digits or underscores, not starting with a digit)');

    this.password = new TerraformResource(this, 'Password', {
      terraformResourceType: 'random_password',
      terraformGeneratorMetadata: { providerName: 'random' },
      lifecycle: PROTECT,
    });
    // Letters and digits only: safe in connection strings and shell scripts.
    this.password.addOverride('length', 32);
    this.password.addOverride('special', false);
    utilityProviderOf(TerraformStack.of(this), 'random');

    this.secret = new SecretManagerSecret(this, 'Secret', {
      project,
      secretId: `${name}-database-password`,
      replication: { auto: {} },
      deletionProtection: true,
      labels: labels(name, 'credentials'),
      lifecycle: PROTECT,
    });
    this.secretVersion = new SecretManagerSecretVersion(this, 'SecretVersion', {
      secret: this.secret.id,
      secretData: this.password.getStringAttribute('result'),
      deletionPolicy: 'DISABLE',
      lifecycle: PROTECT,
    });
  }

  /** The password as a Terraform reference (sensitive). */
  public get passwordValue(): string {
    return this.password.getStringAttribute('result');
  }
}

/** Props of `InstancePasswordSecret`. */
export interface InstancePasswordSecretProps extends GcpBaseProps {
  /** The secret id, e.g. `app-db-shard-1-password`. */
  readonly secretId: string;
  /** The first version's data: the password the instance's user is created with (sensitive). */
  readonly initialPassword: string;
  /**
   * The layer label.
   * @default 'credentials'
   */
  readonly layer?: string;
}

/**
 * One instance's own password secret (a shard's, from 10M): the first version holds the password
 * the instance's user was created with, and later versions are added by the rotation job only
 * (`CredentialRotation`). Terraform never writes the version again: `secret_data` is ForceNew
 * (terraform-provider-google v6.50.0 google/services/secretmanager/resource_secret_manager_secret_version.go)
 * and ignored after creation (developer.hashicorp.com/terraform/language/meta-arguments/lifecycle,
 * "ignore_changes"). Protected like every credential.
 */
export class InstancePasswordSecret extends Construct {
  /** The secret. */
  public readonly secret: SecretManagerSecret;
  /** Its first version. */
  public readonly initialVersion: SecretManagerSecretVersion;

  constructor(scope: Construct, id: string, props: InstancePasswordSecretProps) {
    super(scope, id);
    const { project, name } = baseSettings(props);
    const secretId = requirePattern('secretId', props.secretId, /^[A-Za-z0-9_-]{1,255}$/, "a Secret Manager secret id such as 'app-db-shard-1-password'");
    this.secret = new SecretManagerSecret(this, 'Secret', {
      project,
      secretId,
      replication: { auto: {} },
      deletionProtection: true,
      labels: labels(name, props.layer ?? 'credentials'),
      lifecycle: PROTECT,
    });
    this.initialVersion = new SecretManagerSecretVersion(this, 'InitialVersion', {
      secret: this.secret.id,
      secretData: props.initialPassword,
      deletionPolicy: 'DISABLE',
      lifecycle: { ...PROTECT, ignoreChanges: ['secret_data'] },
    });
  }
}

/**
 * hashicorp/random and hashicorp/time need no configuration or credentials; declaring each as a
 * provider construct lets cdktf's provider check pass in any user's app (one of each per stack).
 */
class UtilityProvider extends TerraformProvider {
  constructor(scope: Construct, name: 'random' | 'time', version: string) {
    super(scope, name, {
      terraformResourceType: name,
      terraformGeneratorMetadata: { providerName: name, providerVersion: version },
      terraformProviderSource: `hashicorp/${name}`,
    });
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {};
  }
}

/** The stack's hashicorp/random or hashicorp/time provider, declared on first use. */
export function utilityProviderOf(stack: TerraformStack, name: 'random' | 'time'): TerraformProvider {
  const existing = stack.node.findAll().find(c => TerraformProvider.isTerraformProvider(c)
    && (c as TerraformProvider).terraformGeneratorMetadata?.providerName === name);
  return (existing as TerraformProvider | undefined) ?? new UtilityProvider(stack, name, name === 'random' ? '>= 3.5.0' : '>= 0.9.0');
}
