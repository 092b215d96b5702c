import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionalLadder } from './regional-ladder';
import { appCompute } from './serving-layers';
import { ScaleLadderError } from '../../core/errors';
import { RegionalCredentials } from '../data/regional-credentials';
import { UserDirectory } from '../data/user-directory';

/*
 * How the composer wires the production-hardening pieces into the app contract: the boolean
 * switches, the user directory's default callback URL, and the variables that the primary stack
 * owns and the other regions' apps need too (DATABASE_SECRET, and AUTH_* where the user directory
 * is on). Internal: not exported from the package.
 */

/** `value` when it is a boolean or undefined; a ScaleLadderError naming `prop` otherwise. */
export function requireBoolean(prop: string, value: boolean | undefined): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new ScaleLadderError(`${prop} must be a boolean (true or false), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The path the app's front end receives the authorization code on, by default. */
export const AUTH_CALLBACK_PATH = '/auth/callback';

/** The SSM path the primary publishes the user directory's ids under. */
export function authParameterPrefix(primaryStackName: string): string {
  return `/scale-ladder/${primaryStackName}/auth`;
}

export interface RegionalContractOptions {
  readonly primaryStackName: string;
  readonly primaryRegion: string;
  readonly account: string;
  /** The primary's user directory, when authentication is on. */
  readonly identity?: UserDirectory;
}

/**
 * Adds the primary-owned contract variables to every app container of `regions`. Nothing is
 * imported across stacks: the credentials copy is found by its deterministic name, the
 * directory's generated ids through SSM parameters of the primary region that ECS reads by full
 * ARN, and the hosted UI's address is built from its prefix.
 */
export function shareContractWithRegions(regions: RegionalLadder[], o: RegionalContractOptions): void {
  if (regions.length === 0) return;
  if (o.identity) o.identity.publishParameters(authParameterPrefix(o.primaryStackName));
  for (const region of regions) {
    const compute = appCompute({ fleet: region.fleet, services: region.services, queue: region.queue, stream: region.stream });
    // The copy of shard 0's credentials this region's DATABASE_PASSWORD comes from, by name.
    const databaseSecret = RegionalCredentials.secretNameFor(o.primaryStackName, 0);
    region.environment.set('DATABASE_SECRET', databaseSecret);
    for (const { container } of compute) container.addEnvironment('DATABASE_SECRET', databaseSecret);
    if (!o.identity) continue;
    // CDK's UserPoolDomain.baseUrl() refers to the domain resource; the address is the prefix's.
    const domainUrl = `https://${o.identity.domainPrefix}.auth.${o.primaryRegion}.amazoncognito.com`;
    region.environment.set('AUTH_DOMAIN', domainUrl);
    const issuer = new PrimaryRegionParameter(parameterArn(o, 'issuer'));
    const clientId = new PrimaryRegionParameter(parameterArn(o, 'client-id'));
    region.environment.setParameter('AUTH_ISSUER', issuer).setParameter('AUTH_CLIENT_ID', clientId);
    for (const { container } of compute) {
      container.addEnvironment('AUTH_DOMAIN', domainUrl);
      container.addSecret('AUTH_ISSUER', issuer);
      container.addSecret('AUTH_CLIENT_ID', clientId);
    }
  }
}

function parameterArn(o: RegionalContractOptions, name: string): string {
  if (!/^\d{12}$/.test(o.account)) {
    throw new ScaleLadderError(`stack account must be concrete for other regions to read the user directory's ids, got '${o.account}'`);
  }
  return `arn:aws:ssm:${o.primaryRegion}:${o.account}:parameter${authParameterPrefix(o.primaryStackName)}/${name}`;
}

/**
 * An SSM parameter of the primary region as an ECS secret, by full ARN: ECS reads a parameter of
 * another region when the task definition names its full ARN ("Pass Systems Manager parameters
 * to Amazon ECS containers", Amazon ECS Developer Guide); CDK's own factory allows only the
 * stack's region.
 */
class PrimaryRegionParameter extends ecs.Secret {
  public readonly hasField = false;

  constructor(public readonly arn: string) {
    super();
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameters'], resourceArns: [this.arn] });
  }
}
