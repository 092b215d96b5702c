#!/usr/bin/env node
/*
 * The shard router's cost per key (it runs on the app's request path): ShardRouter.shardFor
 * against a BigInt transcription of the same algorithm (the class description's steps, as the
 * router computed them before it moved to 32-bit halves), alternated in one process, medians
 * of 5 rounds over 200,000 keys.
 *
 *   npx projen compile && node bench/shard-router.js
 */
'use strict';
const path = require('path');
const { ShardRouter } = require(path.join(__dirname, '..', 'dist', 'core', 'shard-router.js'));

const M64 = x => BigInt.asUintN(64, x);
const utf8 = new TextEncoder();
function bigintBucket(key) {
  let h = 0xcbf29ce484222325n;
  for (const byte of utf8.encode(key)) h = M64((h ^ BigInt(byte)) * 0x100000001b3n);
  h ^= h >> 33n;
  h = M64(h * 0xff51afd7ed558ccdn);
  h ^= h >> 33n;
  h = M64(h * 0xc4ceb9fe1a85ec53n);
  h ^= h >> 33n;
  let b = -1;
  let j = 0;
  while (j < 256) {
    b = j;
    h = M64(h * 2862933555777941757n + 1n);
    j = Math.floor((b + 1) * (2 ** 31 / (Number(h >> 33n) + 1)));
  }
  return b;
}

const keys = Array.from({ length: 200_000 }, (_, i) => `user-${i}@example.com`);
const router = new ShardRouter(8);
const ms = f => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e6; };
const rounds = [];
let sink = 0;
for (let r = 0; r < 5; r++) {
  const subject = ms(() => { for (const k of keys) sink += router.shardFor(k); });
  const baseline = ms(() => { for (const k of keys) sink += bigintBucket(k); });
  rounds.push([subject, baseline]);
}
const median = v => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const subject = median(rounds.map(r => r[0]));
const baseline = median(rounds.map(r => r[1]));
const perKey = t => `${Math.round((t * 1e6) / keys.length)} ns/key`;
console.log(`ShardRouter.shardFor ${perKey(subject)} / BigInt transcription ${perKey(baseline)} = ${(subject / baseline).toFixed(2)}× (${keys.length} keys, medians of ${rounds.length} rounds)`);
if (Number.isNaN(sink)) process.exitCode = 1; // keeps the loops' results alive
