import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { requirePattern } from '../core/errors';

/**
 * The app's container image, usable both by the single server (`docker run`) and by
 * the Fargate fleet. The image must be built for arm64 (Graviton) — multi-arch images are.
 */
export class AppImage {
  /** An image in a public registry, e.g. `public.ecr.aws/docker/library/nginx:1.27`. */
  public static fromRegistry(name: string): AppImage {
    requirePattern('image', name, /^[a-z0-9][a-z0-9._\-/:@]*$/i, 'a container image reference such as public.ecr.aws/docker/library/nginx:1.27');
    return new AppImage(name, ecs.ContainerImage.fromRegistry(name));
  }

  /** An image in an ECR repository of the same account. */
  public static fromEcrRepository(repository: ecr.IRepository, tag: string = 'latest'): AppImage {
    requirePattern('tag', tag, /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'a valid image tag');
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
