import { Construct } from 'constructs';
import { ScaleLadder, ScaleLadderOptions } from './scale-ladder';
import { Tier } from '../core/tier';

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
