import { AppImage } from '../compute/app-image';

/** One more service on the fleet, routed by path (from rung 10M). */
export interface FleetServiceOptions {
  /** Lower-case name (letters, digits, dashes). */
  readonly name: string;
  /** Paths routed to it, e.g. `['/api/*']` (at most 5). */
  readonly pathPatterns: string[];
  /**
   * The service's image.
   * @default - the app's image
   */
  readonly image?: AppImage;
  /**
   * Listener rule priority (1-50000, unique per load balancer).
   * @default - 10 × (position in the list + 1)
   */
  readonly priority?: number;
  /**
   * Path its health check requests.
   * @default - the app's health-check path
   */
  readonly healthCheckPath?: string;
  /**
   * vCPUs per task.
   * @default - the rung's fleet size
   */
  readonly vcpu?: number;
  /**
   * Memory per task in GiB.
   * @default - the rung's fleet size
   */
  readonly memoryGib?: number;
  /**
   * Fewest tasks.
   * @default - the rung's fleet minimum
   */
  readonly minInstances?: number;
  /**
   * Most tasks.
   * @default - the rung's fleet maximum
   */
  readonly maxInstances?: number;
}
