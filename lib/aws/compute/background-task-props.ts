import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AppEnvironment } from './app-environment';
import { AppImage } from './app-image';

/** What every background service of the app (queue workers, stream consumers) takes. */
export interface BackgroundTaskProps {
  /** The ECS cluster the tasks run in. */
  readonly cluster: ecs.ICluster;
  /** The app's image; the tasks run it with `command`. */
  readonly image: AppImage;
  /**
   * What the app receives (the app contract); each construct adds its own variable.
   * @default - only the construct's own variable
   */
  readonly environment?: AppEnvironment;
  /**
   * Command that starts the background process in the image.
   * @default - the image's own entrypoint and command
   */
  readonly command?: string[];
  /**
   * vCPUs per task (0.25, 0.5, 1, 2, 4, 8, 16).
   * @default 0.5
   */
  readonly vcpu?: number;
  /**
   * Memory per task in GiB, within Fargate's range for the vCPU size.
   * @default 1
   */
  readonly memoryGib?: number;
  /**
   * Topic the alarms notify (on alarm and on recovery).
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Days the tasks' logs are kept.
   * @default 90
   */
  readonly logRetentionDays?: number;
}
