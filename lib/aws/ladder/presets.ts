import { Construct } from 'constructs';
import { ScaleLadder, ScaleLadderOptions } from './scale-ladder';
import { Tier } from '../../core/tier';

/** Rung 1K: one server running the app and PostgreSQL. */
export class Tier1K extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(scope, id, { ...props, tier: Tier.USERS_1K });
  }
}

/** Rung 10K: the database moves to Aurora; the server stays. */
export class Tier10K extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(scope, id, { ...props, tier: Tier.USERS_10K });
  }
}

/** Rung 100K: ALB + Fargate over three zones, one Aurora reader. */
export class Tier100K extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(scope, id, { ...props, tier: Tier.USERS_100K });
  }
}

/** Rung 1M: cache, CloudFront + S3 static assets, WAF, two readers. */
export class Tier1M extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(scope, id, { ...props, tier: Tier.USERS_1M });
  }
}

/** Rung 10M: hash shards, queue workers, several services, canary releases, tracing and SLO alarms. */
export class Tier10M extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(scope, id, { ...props, tier: Tier.USERS_10M });
  }
}

/** Rung 100M: event streams, a warm-standby region (Aurora Global Database), chaos experiments. */
export class Tier100M extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(scope, id, { ...props, tier: Tier.USERS_100M });
  }
}

/** Rung 1B: three active regions behind Route 53 latency routing and CloudFront origin failover. */
export class Tier1B extends ScaleLadder {
  constructor(scope: Construct, id: string, props: ScaleLadderOptions) {
    super(scope, id, { ...props, tier: Tier.USERS_1B });
  }
}
