import { ShardRouter } from './shard-router';

/*
 * Which buckets a rebalance moves, from one bucket assignment to another. Used by both
 * clouds' planners to print the exact `MOVES` the shipped rebalance script takes. Not part
 * of the jsii API.
 */

/** Buckets moving from one shard to another in one batch. */
export interface BucketMove {
  readonly from: number;
  readonly to: number;
  readonly buckets: number[];
}

/** The moves that turn `current` into `target`, one per (from, to) pair, in shard order. */
export function bucketMoves(current: readonly number[], target: readonly number[]): BucketMove[] {
  const byPair = new Map<string, BucketMove>();
  current.forEach((from, bucket) => {
    const to = target[bucket];
    if (from === to) return;
    const key = `${from}>${to}`;
    if (!byPair.has(key)) byPair.set(key, { from, to, buckets: [] });
    byPair.get(key)!.buckets.push(bucket);
  });
  return [...byPair.values()].sort((a, b) => a.from - b.from || a.to - b.to);
}

/** The rebalance script's `MOVES` value: `FROM>TO:b1,b2,…` groups separated by spaces. */
export function movesArgument(moves: readonly BucketMove[]): string {
  return moves.map(m => `${m.from}>${m.to}:${m.buckets.join(',')}`).join(' ');
}

/**
 * The batches that spread the buckets from an even layout over `fromShards` to an even layout
 * over `toShards`, one batch per new shard, so each pause of writes covers one shard's share.
 */
export function rebalanceBatches(fromShards: number, toShards: number): BucketMove[][] {
  const moves = bucketMoves(ShardRouter.balancedAssignment(fromShards), ShardRouter.balancedAssignment(toShards));
  const targets = [...new Set(moves.map(m => m.to))].sort((a, b) => a - b);
  return targets.map(to => moves.filter(m => m.to === to));
}

/** The assignment after applying `moves` to `current`. */
export function applyMoves(current: readonly number[], moves: readonly BucketMove[]): number[] {
  const next = [...current];
  for (const move of moves) for (const bucket of move.buckets) next[bucket] = move.to;
  return next;
}

/** The assignment in force after each of `rebalanceBatches(fromShards, toShards)`, starting from the even layout. */
export function expectedAssignments(fromShards: number, toShards: number): number[][] {
  let assignment = ShardRouter.balancedAssignment(fromShards);
  return rebalanceBatches(fromShards, toShards).map(batch => (assignment = applyMoves(assignment, batch)));
}
