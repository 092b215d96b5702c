import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { baseSettings, GcpBaseProps, labels, PROTECT } from './common';

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
 * Secret Manager secret and shared by the server-local database, the managed database and
 * every shard, so a climb never changes what the app connects with. Everything here is
 * protected: losing it locks the app out of its data.
 *
 * Not rotated on a schedule: Secret Manager rotates nothing by itself (a rotation schedule only
 * sends a Pub/Sub notification: cloud.google.com/secret-manager/docs/secret-rotation), and
 * PostgreSQL keeps one password per user, so a job that changes this one password on every
 * instance and the secret cannot do it at once: new connections to an instance fail between the
 * two. docs/credentials.md gives the procedure (and why the app reads `DATABASE_SECRET` again when
 * a connection fails authentication).
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
    this.username = props.username ?? 'app';

    this.password = new TerraformResource(this, 'Password', {
      terraformResourceType: 'random_password',
      terraformGeneratorMetadata: { providerName: 'random' },
      lifecycle: PROTECT,
    });
    // Letters and digits only: safe in connection strings and shell scripts.
    this.password.addOverride('length', 32);
    this.password.addOverride('special', false);
    randomProviderOf(TerraformStack.of(this));

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

/**
 * hashicorp/random needs no configuration or credentials; declaring it as a provider
 * construct lets cdktf's provider check pass in any user's app (one per stack).
 */
class RandomProvider extends TerraformProvider {
  constructor(scope: Construct) {
    super(scope, 'random', {
      terraformResourceType: 'random',
      terraformGeneratorMetadata: { providerName: 'random', providerVersion: '>= 3.5.0' },
      terraformProviderSource: 'hashicorp/random',
    });
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {};
  }
}

function randomProviderOf(stack: TerraformStack): TerraformProvider {
  const existing = stack.node.findAll().find(c => TerraformProvider.isTerraformProvider(c)
    && (c as TerraformProvider).terraformGeneratorMetadata?.providerName === 'random');
  return (existing as TerraformProvider | undefined) ?? new RandomProvider(stack);
}
