import * as fs from 'fs';
import * as path from 'path';
import { expectUsageError, runCli, tempDir } from './run-cli';
import { Cloud } from '../../lib/cli/args';
import { architectureOf, CLOUD_LABELS } from '../../lib/cli/diagram/architecture';
import { toMermaid } from '../../lib/cli/diagram/mermaid';
import { toSvg } from '../../lib/cli/diagram/svg';
import { Tier } from '../../lib/core/tier';

const CLOUDS: Cloud[] = ['aws', 'gcp'];
const RUNGS = Tier.all().map(t => t.name);

interface Rect { id: string; x: number; y: number; w: number; h: number }

/** The node boxes of an SVG this renderer wrote (`<g id="node-…"><rect x y width height …>`). */
function nodeRects(svg: string): Rect[] {
  return [...svg.matchAll(/<g id="node-([^"]+)">\n<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)]
    .map(m => ({ id: m[1], x: +m[2], y: +m[3], w: +m[4], h: +m[5] }));
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('scale-ladder diagram', () => {
  test('--out FILE writes FILE.mmd and FILE.svg', async () => {
    const workdir = tempDir();
    const result = await runCli(['diagram', '--cloud', 'aws', '--tier', '1M', '--out', 'docs/arch.svg'], workdir);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('wrote docs/arch.mmd\nwrote docs/arch.svg\n');
    expect(fs.readFileSync(path.join(workdir, 'docs/arch.mmd'), 'utf8')).toBe(toMermaid(architectureOf('aws', Tier.USERS_1M)));
    expect(fs.readFileSync(path.join(workdir, 'docs/arch.svg'), 'utf8')).toBe(toSvg(architectureOf('aws', Tier.USERS_1M)));
  });

  test('without --out it prints the Mermaid text and writes the SVG to scale-ladder.out/<cloud>-<tier>.svg', async () => {
    const workdir = tempDir();
    const result = await runCli(['diagram', '--cloud', 'gcp', '--tier', '10k'], workdir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${toMermaid(architectureOf('gcp', Tier.USERS_10K))}%% SVG written to scale-ladder.out/gcp-10K.svg\n`);
    expect(fs.readFileSync(path.join(workdir, 'scale-ladder.out/gcp-10K.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  describe.each(CLOUDS)('%s', cloud => {
    test.each(RUNGS)('rung %s renders a well-formed picture: no overlapping boxes, every edge between drawn boxes', rung => {
      const arch = architectureOf(cloud, Tier.fromName(rung));
      const svg = toSvg(arch);
      expect(svg).not.toMatch(/NaN|undefined|Infinity/);
      expect(svg.match(/<g[ >]/g)!.length).toBe(svg.match(/<\/g>/g)!.length);
      expect(svg.match(/<text[ >]/g)!.length).toBe(svg.match(/<\/text>/g)!.length);
      const rects = nodeRects(svg);
      expect(rects.map(r => r.id).sort()).toEqual(arch.nodes.map(n => n.id).sort());
      const [, width, height] = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg)!.map(Number);
      for (const r of rects) {
        expect(r.x).toBeGreaterThanOrEqual(0);
        expect(r.y).toBeGreaterThanOrEqual(0);
        expect(r.x + r.w).toBeLessThanOrEqual(width);
        expect(r.y + r.h).toBeLessThanOrEqual(height);
        for (const other of rects.filter(o => o !== r)) {
          expect({ [r.id]: other.id, overlaps: overlaps(r, other) }).toEqual({ [r.id]: other.id, overlaps: false });
        }
      }
      const ids = new Set(arch.nodes.map(n => n.id));
      for (const edge of arch.edges) expect([ids.has(edge.from), ids.has(edge.to)]).toEqual([true, true]);
      expect(svg.match(/marker-end="url\(#arrow\)"/g)!.length).toBe(arch.edges.length + (arch.standby ? 1 : 0));

      const mermaid = toMermaid(arch);
      expect(mermaid.split('\n')[1]).toBe('flowchart LR');
      for (const node of arch.nodes) expect(mermaid).toContain(`${node.id}`);
      expect(mermaid).not.toMatch(/undefined/);
    });
  });

  test('the picture follows the tier data: layers, replicas, shards, cache shards, fleet min-max, regions', () => {
    const text = (cloud: Cloud, rung: string) => {
      const arch = architectureOf(cloud, Tier.fromName(rung));
      return arch.nodes.map(n => [n.title, ...n.details].join(' | ')).join('\n') + `\n${arch.regionLabel}\n${arch.standby?.title ?? ''}\n${arch.operations}`;
    };
    // 1K: one server with PostgreSQL on its own volume, nothing else.
    expect(architectureOf('aws', Tier.USERS_1K).nodes.map(n => n.id)).toEqual(['users', 'server', 'volume']);
    expect(text('aws', '1K')).toContain('EC2 instance | t4g.small, 2 vCPU | app container + PostgreSQL');
    // 10K: the managed writer, and the old volume with the one-off copy.
    expect(text('aws', '10K')).toContain('Aurora PostgreSQL | Serverless v2, 0.5-4 ACU | writer | backups kept 7 days');
    expect(architectureOf('aws', Tier.USERS_10K).edges).toContainEqual({ from: 'volume', to: 'db', label: 'one-off copy (SSM document)', dashed: true });
    // 100K: the fleet replaces the server; one reader.
    expect(architectureOf('aws', Tier.USERS_100K).nodes.map(n => n.id)).not.toContain('server');
    expect(text('aws', '100K')).toContain('ECS Fargate service | 2-10 tasks × 1 vCPU / 2 GiB');
    expect(text('aws', '100K')).toContain('writer + 1 reader |');
    expect(text('gcp', '1M')).toContain('writer + 2 read replicas |');
    // 1M: cache and CDN.
    expect(text('aws', '1M')).toContain('ElastiCache (Valkey) | cluster mode, cache.r7g.large | 1 shard × 3 nodes, TLS');
    expect(text('gcp', '1M')).toContain('Memorystore for Redis | 5 GiB, HA');
    // 10M: 4 shards, queue and workers.
    expect(text('aws', '10M')).toContain('× 4 hash shards (shard 0 = original)');
    expect(text('aws', '10M')).toContain('Fargate workers | 2-20 tasks');
    expect(text('aws', '10M')).toContain('3 shards × 3 nodes');
    // 100M: stream and warm standby.
    expect(text('aws', '100M')).toContain('Kinesis Data Streams');
    expect(text('aws', '100M')).toContain('AWS region (warm standby)');
    expect(text('aws', '100M')).toContain('FIS experiment templates');
    // 1B: three active regions behind DNS routing, 40-1,000 tasks.
    expect(text('aws', '1B')).toContain('AWS region × 3, active-active');
    expect(text('aws', '1B')).toContain('Route 53 | latency records + health checks');
    expect(text('gcp', '1B')).toContain('Cloud Run service | 40-1,000 instances × 4 vCPU / 8 GiB');
    expect(nodeRects(toSvg(architectureOf('aws', Tier.USERS_1B))).length).toBe(architectureOf('aws', Tier.USERS_1B).nodes.length);
  });

  test('each cloud names the pieces from its own label table', () => {
    const aws = JSON.stringify(architectureOf('aws', Tier.USERS_1B)) + JSON.stringify(architectureOf('aws', Tier.USERS_10K));
    const gcp = JSON.stringify(architectureOf('gcp', Tier.USERS_1B)) + JSON.stringify(architectureOf('gcp', Tier.USERS_10K));
    for (const word of ['Application Load Balancer', 'Fargate', 'Aurora', 'ElastiCache', 'CloudFront', 'SQS', 'Route 53', 'Secrets Manager']) {
      expect(aws).toContain(word);
      expect(gcp).not.toContain(word);
    }
    for (const word of ['Cloud Run', 'global', 'Cloud SQL', 'Memorystore', 'Cloud CDN', 'Pub/Sub', 'Cloud DNS', 'Secret Manager']) {
      expect(gcp).toContain(word);
      expect(aws).not.toContain(word);
    }
    expect(Object.keys(CLOUD_LABELS.gcp).sort()).toEqual(Object.keys(CLOUD_LABELS.aws).filter(k => k !== 'chaos').sort());
  });

  test('the Google load balancer is global, so it sits outside the region frame', () => {
    expect(architectureOf('gcp', Tier.USERS_1M).nodes.find(n => n.id === 'lb')!.regional).toBe(false);
    expect(architectureOf('aws', Tier.USERS_1M).nodes.find(n => n.id === 'lb')!.regional).toBe(true);
    expect(toMermaid(architectureOf('gcp', Tier.USERS_1M)).indexOf('  lb[')).toBeLessThan(toMermaid(architectureOf('gcp', Tier.USERS_1M)).indexOf('subgraph region'));
  });

  test('text is escaped for SVG and Mermaid', () => {
    const arch = { ...architectureOf('aws', Tier.USERS_1K), title: 'a <b> & "c"' };
    expect(toSvg(arch)).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    const node = { ...arch.nodes[0], title: 'say "hi" <now>' };
    expect(toMermaid({ ...arch, nodes: [node, ...arch.nodes.slice(1)] })).toContain('say #quot;hi#quot; #lt;now#gt;');
  });

  describe('bad usage', () => {
    test('missing --cloud', async () => {
      expectUsageError(await runCli(['diagram', '--tier', '1K']), 'scale-ladder diagram: --cloud is required (aws or gcp)');
    });
    test('--tier 2K', async () => {
      expectUsageError(await runCli(['diagram', '--cloud', 'gcp', '--tier', '2K']), "scale-ladder diagram: --tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2K'");
    });
    test('missing --tier', async () => {
      expectUsageError(await runCli(['diagram', '--cloud', 'gcp']), 'scale-ladder diagram: --tier is required (1K 10K 100K 1M 10M 100M 1B)');
    });
  });
});
