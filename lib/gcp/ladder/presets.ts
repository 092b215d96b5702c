import { Construct } from 'constructs';
import { ScaleLadder, ScaleLadderOptions } from './scale-ladder';
import { Tier } from '../../core/tier';
import { requireFreeId } from '../../core/validation';

/** Rung 1K on Google Cloud: one VM running the app and PostgreSQL (data on a protected disk). */
export class Tier1K extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(requireFreeId(scope, id, 255, 'a Google Cloud ladder'), id, { ...props, tier: Tier.USERS_1K });
  }
}

/** Rung 10K: the VM stays; PostgreSQL moves to Cloud SQL on a private IP (a migration from 1K). */
export class Tier10K extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(requireFreeId(scope, id, 255, 'a Google Cloud ladder'), id, { ...props, tier: Tier.USERS_10K });
  }
}

/** Rung 100K: Cloud Run behind a global load balancer, HA Cloud SQL and a read replica. */
export class Tier100K extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(requireFreeId(scope, id, 255, 'a Google Cloud ladder'), id, { ...props, tier: Tier.USERS_100K });
  }
}

/** Rung 1M: Memorystore, Cloud CDN + static bucket, Cloud Armor, two replicas. */
export class Tier1M extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(requireFreeId(scope, id, 255, 'a Google Cloud ladder'), id, { ...props, tier: Tier.USERS_1M });
  }
}

/** Rung 10M: four Cloud SQL shards (shard 0 the original), Pub/Sub with dead letters and workers. */
export class Tier10M extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(requireFreeId(scope, id, 255, 'a Google Cloud ladder'), id, { ...props, tier: Tier.USERS_10M });
  }
}

/** Rung 100M: event stream, a warm-standby region with cross-region replicas, SLOs. */
export class Tier100M extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(requireFreeId(scope, id, 255, 'a Google Cloud ladder'), id, { ...props, tier: Tier.USERS_100M });
  }
}

/** Rung 1B: three regions active behind the one global load balancer, geo-routed readers. */
export class Tier1B extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(requireFreeId(scope, id, 255, 'a Google Cloud ladder'), id, { ...props, tier: Tier.USERS_1B });
  }
}
