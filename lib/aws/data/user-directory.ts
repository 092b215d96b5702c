import * as crypto from 'crypto';
import { RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { requirePattern, requireUnique, ScaleLadderError } from '../../core/errors';

/** The most callback (and sign-out) URLs an app client takes (CreateUserPoolClient, Amazon Cognito API Reference). */
const MAX_URLS = 100;

/** Words a Cognito domain prefix must not contain ("Using the Amazon Cognito domain", Amazon Cognito Developer Guide). */
const RESERVED_WORDS = ['aws', 'amazon', 'cognito'];

/** CreateUserPoolDomain's pattern for a prefix domain: 1-63 lowercase letters, digits and inner hyphens. */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Props for {@link UserDirectory}. */
export interface UserDirectoryProps {
  /**
   * Where the hosted UI sends users back with the authorization code (1-100 absolute URLs,
   * `https://`, or `http://localhost` for testing; no fragment). Amazon Cognito accepts a
   * redirect only to a registered URL.
   */
  readonly callbackUrls: string[];
  /**
   * Where the hosted UI sends users after signing out (same rules as `callbackUrls`).
   * @default - the origin of each callback URL (`https://shop.example.com/`)
   */
  readonly logoutUrls?: string[];
  /**
   * The hosted UI's domain prefix: `https://<prefix>.auth.<region>.amazoncognito.com`. 1-63
   * lowercase letters, digits and hyphens (not first or last), without `aws`, `amazon` or
   * `cognito`, and unique in the region. Changing it later replaces the domain (the pool and
   * its users stay), so the app's `AUTH_DOMAIN` changes.
   * @default - the stack name, lowercased, and a hash of the account, region, stack and construct path
   */
  readonly domainPrefix?: string;
}

/**
 * Rung 1M: the app's users. A Cognito user pool (email as the sign-in name, case-insensitive;
 * strong password policy; MFA optional with TOTP authenticator apps; Plus feature plan with threat
 * protection enforced; deletion protection on and retained on removal, so no deploy can delete
 * the users), one public app client for the web front end (no client secret, authorization code
 * grant — send a PKCE `code_challenge` — with `openid`, `email` and `profile`) and a hosted UI
 * domain. The app receives `AUTH_ISSUER`, `AUTH_CLIENT_ID` and `AUTH_DOMAIN` (the app contract).
 *
 * Cognito sends the verification and recovery e-mails itself by default, which its quotas cap at
 * a few a day; before real sign-ups, set the pool's e-mail sending to Amazon SES
 * (`(userPool.node.defaultChild as cognito.CfnUserPool).emailConfiguration`, "Email settings for
 * Amazon Cognito user pools", Amazon Cognito Developer Guide).
 */
export class UserDirectory extends Construct {
  /**
   * Checks callback or sign-out URLs: 1-100 unique absolute URLs, `https://` (or `http://localhost`),
   * without a fragment (CreateUserPoolClient CallbackURLs and LogoutURLs, Amazon Cognito API
   * Reference). Unresolved tokens (e.g. a distribution's domain) are taken as they are.
   *
   * @param urls the URLs
   * @param prop the prop name to report
   */
  public static validUrls(urls: string[], prop: string = 'callbackUrls'): string[] {
    if (!Array.isArray(urls) || urls.length < 1 || urls.length > MAX_URLS) {
      throw new ScaleLadderError(`${prop} must be a list of 1-${MAX_URLS} URLs, got ${JSON.stringify(urls)}`);
    }
    for (const url of urls) {
      if (typeof url === 'string' && Token.isUnresolved(url)) continue;
      if (!isRedirectUrl(url)) {
        throw new ScaleLadderError(`${prop} must hold absolute URLs with https:// (http:// only for localhost) and no fragment, ` +
          `such as 'https://shop.example.com/auth/callback', got ${JSON.stringify(url)}`);
      }
    }
    requireUnique(prop, urls);
    return urls;
  }

  /**
   * Checks a hosted UI domain prefix (see `domainPrefix`).
   * @param prefix the prefix
   * @param prop the prop name to report
   */
  public static validDomainPrefix(prefix: string, prop: string = 'domainPrefix'): string {
    requirePattern(prop, prefix, DOMAIN_PREFIX, '1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen');
    const reserved = RESERVED_WORDS.find(word => prefix.includes(word));
    if (reserved) throw new ScaleLadderError(`${prop} must not contain 'aws', 'amazon' or 'cognito' (Cognito reserves them), got '${prefix}'`);
    return prefix;
  }

  /** The user pool (its users are the app's data: retained, deletion-protected). */
  public readonly userPool: cognito.UserPool;
  /** The web front end's app client (public: no secret). */
  public readonly client: cognito.UserPoolClient;
  /** The hosted UI domain. */
  public readonly domain: cognito.UserPoolDomain;
  /** The domain prefix in use. */
  public readonly domainPrefix: string;
  /** `AUTH_ISSUER`: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  public readonly issuer: string;
  /** `AUTH_CLIENT_ID`: the app client id. */
  public readonly clientId: string;
  /** `AUTH_DOMAIN`: `https://<prefix>.auth.<region>.amazoncognito.com`. */
  public readonly domainUrl: string;

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);
    const callbackUrls = UserDirectory.validUrls(props.callbackUrls, 'callbackUrls');
    const logoutUrls = props.logoutUrls === undefined ? origins(callbackUrls) : UserDirectory.validUrls(props.logoutUrls, 'logoutUrls');
    this.domainPrefix = UserDirectory.validDomainPrefix(props.domainPrefix ?? defaultDomainPrefix(this), 'domainPrefix');

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Threat protection (adaptive authentication, compromised-credential checks) needs the Plus
      // feature plan ("Threat protection", Amazon Cognito Developer Guide).
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason: 'MFA is optional by design (TOTP offered to every user): requiring it would block sign-up for the app\'s consumers; threat protection is enforced (Plus plan).',
    });

    this.client = this.userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls,
        logoutUrls,
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: this.domainPrefix } });

    this.issuer = `https://${this.userPool.userPoolProviderUrl}`;
    this.clientId = this.client.userPoolClientId;
    this.domainUrl = this.domain.baseUrl();
  }

  /**
   * Publishes `AUTH_ISSUER` and `AUTH_CLIENT_ID` as SSM parameters `<prefix>/issuer` and
   * `<prefix>/client-id` in this stack's region, for stacks in other regions to read (a pool lives
   * in one region; its tokens are checked anywhere).
   *
   * @param prefix an SSM parameter path such as `/scale-ladder/Shop/auth`
   */
  public publishParameters(prefix: string): ssm.StringParameter[] {
    requirePattern('prefix', prefix, /^\/[A-Za-z0-9_.\-/]{1,900}[A-Za-z0-9_.-]$/, 'an SSM parameter path such as /scale-ladder/Shop/auth');
    return [
      new ssm.StringParameter(this, 'IssuerParameter', {
        parameterName: `${prefix}/issuer`,
        stringValue: this.issuer,
        description: 'scale-ladder: AUTH_ISSUER of the user directory, read by the other regions\' apps',
      }),
      new ssm.StringParameter(this, 'ClientIdParameter', {
        parameterName: `${prefix}/client-id`,
        stringValue: this.clientId,
        description: 'scale-ladder: AUTH_CLIENT_ID of the user directory, read by the other regions\' apps',
      }),
    ];
  }
}

function isRedirectUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url.length > 1024) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (url.includes('#')) return false;
  if (parsed.protocol === 'https:') return parsed.hostname !== '';
  return parsed.protocol === 'http:' && parsed.hostname === 'localhost';
}

/** `https://host/` of each URL (tokens kept whole: a token URL is its own sign-out URL). */
function origins(urls: string[]): string[] {
  const out = urls.map(url => (Token.isUnresolved(url) ? url : `${new URL(url).origin}/`));
  return [...new Set(out)];
}

/** `<stack name>-<8 hex>`: the same on every synthesis and rung of one stack and composer path. */
function defaultDomainPrefix(scope: Construct): string {
  const stack = Stack.of(scope);
  let base = stack.stackName.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  for (const word of RESERVED_WORDS) base = base.split(word).join('');
  base = base.replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 40).replace(/-$/, '');
  const account = Token.isUnresolved(stack.account) ? '' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '' : stack.region;
  const hash = crypto.createHash('sha256').update([account, region, stack.stackName, scope.node.path].join('/')).digest('hex');
  const digits = hash.slice(0, 8);
  // Hex digits cannot spell a reserved word, and the base no longer holds one.
  return base === '' ? `users-${digits}` : `${base}-${digits}`;
}
