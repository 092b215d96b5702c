import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { all, rung } from './support';
import { applyMoves, expectedAssignments, movesArgument, rebalanceBatches } from '../../lib/core/shard-rebalance';
import { ShardRouter } from '../../lib/core/shard-router';
import { planGcp } from '../../lib/gcp/upgrade/planner';

/*
 * The rebalance step's shell helpers, run against a stand-in `gcloud` that answers like the real
 * one would (an execution that completes after a few polls, a log line that arrives late or
 * wrong): only an exact match of the pre-computed assignment is ever published.
 */

const text = (from: string, to: string) => planGcp(from, to).migrations.find(m => m.title.startsWith('Rebalance'))!.instructions;

function helpers(instructions: string): string {
  const lines = instructions.split('\n').map(l => l.trim());
  return [lines.find(l => l.startsWith('run_job() {'))!, lines.find(l => l.startsWith('publish_if_logged() {'))!].join('\n');
}

const FAKE_GCLOUD = `#!/bin/bash
echo "$*" >> "$STUB/calls"
n() { local c; c=$(cat "$STUB/$1" 2>/dev/null || echo 0); c=$((c + 1)); echo "$c" > "$STUB/$1"; echo "$c"; }
case "$*" in
  "run jobs execute "*) [ "$START_OK" = 1 ] && echo exec-1 ;;
  "run jobs executions describe "*completionTime*) [ "$(n describe)" -ge 3 ] && echo 2026-01-01T00:00:00Z ;;
  "run jobs executions describe "*succeededCount*) echo "$SUCCEEDED" ;;
  "logging read "*) [ "$(n logs)" -gt "$LOG_LATE" ] && printf '%s\\n' "$LOG_LINE" ;;
  "secrets versions add "*) cat > "$STUB/published" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
exit 0
`;

interface Outcome { status: number; stderr: string; published?: string; calls: string[] }

function runBatch(script: string, moves: string, expected: string, env: Record<string, string>): Outcome {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-rebalance-'));
  fs.writeFileSync(path.join(dir, 'gcloud'), FAKE_GCLOUD, { mode: 0o755 });
  const body = `set -u\nsleep() { :; }\n${script}\nrun_job '^@^ACTION=move@MOVES=${moves}' && publish_if_logged '${expected}'\n`;
  const r = spawnSync('bash', ['-c', body], {
    env: { PATH: `${dir}:${process.env.PATH}`, STUB: dir, START_OK: '1', SUCCEEDED: '1', LOG_LATE: '0', LOG_LINE: '', ...env },
    encoding: 'utf8',
  });
  const published = fs.existsSync(path.join(dir, 'published')) ? fs.readFileSync(path.join(dir, 'published'), 'utf8') : undefined;
  const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n') : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status ?? -1, stderr: r.stderr, published, calls };
}

describe('rebalance publish: only the pre-computed assignment, only when the job logged exactly it', () => {
  const instructions = text('1M', '10M');
  const script = helpers(instructions);
  const batch = rebalanceBatches(1, 4)[0];
  const expected = JSON.stringify(applyMoves(ShardRouter.balancedAssignment(1), batch));
  const moves = movesArgument(batch);

  test('the plan names each batch\'s expected assignment (applyMoves over the balanced start)', () => {
    const all4 = expectedAssignments(1, 4);
    expect(all4).toHaveLength(3);
    expect(all4[2]).toEqual(ShardRouter.balancedAssignment(4));
    for (const a of all4) expect(instructions).toContain(`publish_if_logged '${JSON.stringify(a)}'`);
    expect(instructions).not.toMatch(/--wait/);
    expect(instructions).not.toMatch(/sed 's\/\^new SHARD_BUCKETS/);
  });

  test('a log line that arrives late but is exact is waited for and published byte for byte', () => {
    const r = runBatch(script, moves, expected, { LOG_LATE: '4', LOG_LINE: `new SHARD_BUCKETS: ${expected}` });
    expect(r.stderr).not.toContain('NOT PUBLISHED');
    expect(r.status).toBe(0);
    expect(r.published).toBe(expected);
    // The execution was started asynchronously and polled until it had a completion time.
    expect(r.calls.filter(c => c.startsWith('run jobs executions describe') && c.includes('completionTime'))).toHaveLength(3);
    expect(r.calls[0]).toContain('--async');
  });

  test.each([
    ['no line within the wait', { LOG_LATE: '1000', LOG_LINE: '' }],
    ['a partial line', { LOG_LINE: `new SHARD_BUCKETS: ${expected.slice(0, 100)}` }],
    ['an empty assignment', { LOG_LINE: 'new SHARD_BUCKETS: ' }],
    ['a different assignment', { LOG_LINE: `new SHARD_BUCKETS: ${JSON.stringify(ShardRouter.balancedAssignment(1))}` }],
  ])('%s publishes nothing and fails loudly', (_, env) => {
    const r = runBatch(script, moves, expected, env);
    expect(r.status).not.toBe(0);
    expect(r.published).toBeUndefined();
    expect(r.stderr).toContain('NOT PUBLISHED');
  });

  test('a failed or unstarted execution publishes nothing', () => {
    const failures: Array<Record<string, string>> = [{ SUCCEEDED: '0', LOG_LINE: `new SHARD_BUCKETS: ${expected}` }, { START_OK: '0', LOG_LINE: `new SHARD_BUCKETS: ${expected}` }];
    for (const env of failures) {
      const r = runBatch(script, moves, expected, env);
      expect(r.status).not.toBe(0);
      expect(r.published).toBeUndefined();
      expect(r.calls.some(c => c.startsWith('secrets versions add'))).toBe(false);
    }
  });
});

describe('rebalance rollout: every region before cleanup, and the plan says what the app sees', () => {
  test('10M → 100M rolls every key-routing service in both regions, and checks them, before each cleanup', () => {
    const instructions = text('10M', '100M');
    const services = all(rung('100M'), 'google_cloud_run_v2_service').filter(s => s.template.containers[0].env.some((e: any) => e.name === 'SHARD_MAP'));
    expect(new Set(services.map(s => s.location)).size).toBeGreaterThan(1);
    const lines = instructions.split('\n');
    const cleanups = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim().startsWith('e. ') && l.includes('run_job ACTION=cleanup')).map(([, i]) => i);
    expect(cleanups).toHaveLength(rebalanceBatches(4, 8).length);
    let previous = 0;
    for (const cleanup of cleanups) {
      const before = lines.slice(previous, cleanup).join('\n');
      for (const s of services) {
        expect(before).toContain(`gcloud run services update ${s.name} --region ${s.location}`);
        expect(before).toContain(`gcloud run services describe ${s.name} --region ${s.location}`);
      }
      previous = cleanup + 1;
    }
  });

  test('the plan states the fence and the frozen reads plainly', () => {
    const instructions = text('10M', '100M');
    expect(instructions).toContain('from the fence until every instance in every region (us-central1, us-east1) runs the new assignment, writes to the moving buckets are refused');
    expect(instructions).toContain('An instance not yet rolled keeps the old assignment and reads the moved buckets from their old shard, a frozen copy');
  });
});
