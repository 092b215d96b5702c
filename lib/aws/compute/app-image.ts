import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { requirePattern, ScaleLadderError } from '../../core/errors';
import { requireImageReference } from '../../core/validation';

/**
 * The app's container image, usable both by the single server (`docker run`) and by
 * the Fargate fleet. The image must be built for arm64 (Graviton) — multi-arch images are.
 */
export class AppImage {
  /**
   * An image in a public registry, pinned to a version: `public.ecr.aws/docker/library/nginx:1.27`
   * or `…@sha256:<digest>` (no tag and `:latest` are refused: they move without a deploy).
   */
  public static fromRegistry(name: string): AppImage {
    requireImageReference('image', name);
    return new AppImage(name, ecs.ContainerImage.fromRegistry(name));
  }

  /**
   * An image in an ECR repository of the same account.
   * @param tag a fixed version (`latest` is refused: it moves without a deploy)
   */
  public static fromEcrRepository(repository: ecr.IRepository, tag: string): AppImage {
    if (typeof (repository as ecr.IRepository | undefined)?.repositoryUriForTag !== 'function') {
      throw new ScaleLadderError(`repository must be an ECR repository (e.g. ecr.Repository.fromRepositoryName(this, 'Repo', 'shop')), got ${repository === undefined ? 'undefined' : JSON.stringify(repository)}`);
    }
    requirePattern('tag', tag, /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'an image tag (letters, digits, _ . -; at most 128) naming a fixed version');
    if (tag === 'latest') throw new ScaleLadderError("tag must name a fixed version, not 'latest' (it moves without a deploy, and a rollback cannot name the old version), got 'latest'");
    return new AppImage(repository.repositoryUriForTag(tag), ecs.ContainerImage.fromEcrRepository(repository, tag), repository);
  }

  /** The reference `docker pull` takes. */
  public readonly imageName: string;
  /** The image for ECS task definitions. */
  public readonly containerImage: ecs.ContainerImage;
  /** The ECR repository, when the image lives in one (the server then logs in to pull). */
  public readonly repository?: ecr.IRepository;

  private constructor(imageName: string, containerImage: ecs.ContainerImage, repository?: ecr.IRepository) {
    this.imageName = imageName;
    this.containerImage = containerImage;
    this.repository = repository;
  }

  /** Lets `grantee` pull the image (a no-op for public registries). */
  public grantPull(grantee: iam.IGrantable): void {
    this.repository?.grantPull(grantee);
  }
}
