import { IdentityPlatformConfig } from '@cdktf/provider-google/lib/identity-platform-config';
import { Construct } from 'constructs';
import { requireUnique, ScaleLadderError } from '../../core/errors';
import { baseSettings, GcpBaseProps, PROTECT } from '../internal/common';

/** A DNS name (lowercase), as Identity Platform lists authorized domains. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Props of `UserDirectory`. */
export interface UserDirectoryProps extends GcpBaseProps {
  /**
   * Domains sign-in may redirect back to (OAuth redirects and e-mail action links), besides the
   * project's own `<project>.firebaseapp.com` and `<project>.web.app`, which are always kept
   * (sign-in redirects pass through the auth domain's handler).
   * @default - Identity Platform's own list (localhost and the project's two domains)
   */
  readonly authorizedDomains?: string[];
}

/**
 * Rung 1M on Google Cloud: the app's users in Identity Platform (`google_identity_platform_config`):
 * e-mail and password sign-in, one account per e-mail, MFA optional with TOTP authenticator apps,
 * request logging on, `prevent_destroy`. The web client is the project's Identity Platform API
 * key and auth domain (`AUTH_CLIENT_ID`, `AUTH_DOMAIN`); ID tokens are issued by
 * `https://securetoken.google.com/<project>` (`AUTH_ISSUER`) with the project id as audience.
 *
 * The configuration is the project's own: Google Cloud keeps one per project and never deletes it
 * (terraform-provider-google v6.50.0 google/services/identityplatform/resource_identity_platform_config.go:
 * delete only forgets it). So one stack per project may own it; a second ladder in the same app
 * and project is refused, and one in another Terraform state must switch `authentication` off and
 * share the first one's users (or import the configuration, `projects/<project>/config`, and drop
 * the first's). The project needs the Identity Toolkit API (`identitytoolkit.googleapis.com`) and
 * billing. Password strength rules are not exposed by the provider at this version; set them in
 * the console or the API (Config.passwordPolicyConfig).
 */
export class UserDirectory extends Construct {
  /**
   * Checks sign-in callback URLs (1-100 unique absolute URLs, `https://` or `http://localhost`,
   * no fragment) and returns their hosts: the domains Identity Platform must authorize.
   *
   * @param urls the URLs
   * @param prop the prop name to report
   */
  public static callbackDomains(urls: string[], prop: string = 'authCallbackUrls'): string[] {
    if (!Array.isArray(urls) || urls.length < 1 || urls.length > 100) {
      throw new ScaleLadderError(`${prop} must be a list of 1-100 URLs, got ${JSON.stringify(urls)}`);
    }
    const hosts: string[] = [];
    for (const url of urls) {
      const host = redirectHost(url);
      if (host === undefined) {
        throw new ScaleLadderError(`${prop} must hold absolute URLs with https:// (http:// only for localhost) and no fragment, ` +
          `such as 'https://shop.example.com/auth/callback', got ${JSON.stringify(url)}`);
      }
      hosts.push(host);
    }
    requireUnique(prop, urls);
    return [...new Set(hosts)];
  }

  /** The project's Identity Platform configuration (holds the users: protected). */
  public readonly config: IdentityPlatformConfig;
  /** The project. */
  public readonly project: string;
  /** `AUTH_ISSUER`: `https://securetoken.google.com/<project>`. */
  public readonly issuer: string;
  /** `AUTH_CLIENT_ID`: the Identity Platform web API key (a Terraform reference; sensitive in state). */
  public readonly clientId: string;
  /** `AUTH_DOMAIN`: `<project>.firebaseapp.com`. */
  public readonly authDomain: string;

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);
    const { project } = baseSettings(props);
    this.project = project;
    const other = this.node.root.node.findAll().find(c => c !== this && c instanceof UserDirectory && c.project === project);
    if (other) {
      throw new ScaleLadderError('authentication must be on for one ladder per Google Cloud project (Identity Platform keeps one configuration per project): ' +
        `project '${project}' already has one at ${other.node.path}, got a second at ${this.node.path}`);
    }
    const authorizedDomains = props.authorizedDomains === undefined ? undefined
      : [...new Set([`${project}.firebaseapp.com`, `${project}.web.app`, ...validDomains(props.authorizedDomains)])];

    // Every attribute but project updates in place: resourceIdentityPlatformConfigUpdate PATCHes
    // the changed ones by update mask (lib/gcp/upgrade/update-behaviour.ts cites it).
    this.config = new IdentityPlatformConfig(this, 'Config', {
      project,
      authorizedDomains,
      signIn: {
        email: { enabled: true, passwordRequired: true },
        allowDuplicateEmails: false,
      },
      mfa: {
        state: 'ENABLED',
        providerConfigs: [{ state: 'ENABLED', totpProviderConfig: { adjacentIntervals: 1 } }],
      },
      monitoring: { requestLogging: { enabled: true } },
      lifecycle: PROTECT,
    });
    this.issuer = `https://securetoken.google.com/${project}`;
    this.clientId = this.config.client.apiKey;
    // The web client's auth domain, `<project id>.firebaseapp.com` (the `authDomain` the web SDK is
    // configured with: cloud.google.com/identity-platform/docs/sign-in-user-email), which the
    // configuration always authorizes.
    this.authDomain = `${project}.firebaseapp.com`;
  }
}

function validDomains(domains: string[]): string[] {
  if (!Array.isArray(domains) || domains.length > 100) {
    throw new ScaleLadderError(`authorizedDomains must be a list of at most 100 domain names, got ${JSON.stringify(domains)}`);
  }
  for (const domain of domains) {
    if (typeof domain !== 'string' || !DOMAIN.test(domain)) {
      throw new ScaleLadderError(`authorizedDomains must hold lowercase domain names such as 'shop.example.com', got ${JSON.stringify(domain)}`);
    }
  }
  requireUnique('authorizedDomains', domains);
  return domains;
}

function redirectHost(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length > 1024 || url.includes('#') || url.includes('${')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol === 'https:' && parsed.hostname !== '') return parsed.hostname;
  return parsed.protocol === 'http:' && parsed.hostname === 'localhost' ? 'localhost' : undefined;
}
