import * as fs from 'fs';
import * as path from 'path';
import { CliIo, displayPath, parseCloud, parseTier, resolvePath, UsageError } from './args';
import { Command, writeLines } from './command';
import { architectureOf } from './diagram/architecture';
import { toMermaid } from './diagram/mermaid';
import { toSvg } from './diagram/svg';

function write(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** Refuses an --out whose directory cannot be made: a file stands where a directory of the path must be. */
function requireWritableParent(io: CliIo, base: string, given: string): void {
  for (let dir = path.dirname(base); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(dir)) {
      if (!fs.statSync(dir).isDirectory()) {
        throw new UsageError(`--out must be a path in a directory, got '${given}': '${displayPath(io, dir)}' is a file`);
      }
      return;
    }
  }
}

export const diagramCommand: Command = {
  name: 'diagram',
  summary: 'an architecture picture of a rung (Mermaid and SVG)',
  synopsis: '--cloud aws|gcp --tier T [--out FILE]',
  description: [
    'Draws the rung from the tier data: the layers switched on and their counts (replicas, shards,',
    'regions, cache shards, fleet min-max). Without --out, prints the Mermaid flowchart and writes the',
    'SVG to scale-ladder.out/<cloud>-<tier>.svg; with --out FILE, writes FILE.mmd and FILE.svg.',
  ].join('\n'),
  options: {
    cloud: { type: 'string', value: 'aws|gcp', description: 'the cloud (required)' },
    tier: { type: 'string', value: 'T', description: 'the rung: 1K 10K 100K 1M 10M 100M 1B (required)' },
    out: { type: 'string', value: 'FILE', description: 'write FILE.mmd and FILE.svg (a .mmd or .svg extension is dropped)' },
  },
  run(values, io) {
    const cloud = parseCloud(values);
    const tier = parseTier(values, 'tier');
    const arch = architectureOf(cloud, tier);
    const mermaid = toMermaid(arch);
    const svg = toSvg(arch);
    if (values.out !== undefined) {
      const base = resolvePath(io, String(values.out)).replace(/\.(svg|mmd)$/i, '');
      requireWritableParent(io, base, String(values.out));
      write(`${base}.mmd`, mermaid);
      write(`${base}.svg`, svg);
      writeLines(io, [`wrote ${displayPath(io, `${base}.mmd`)}`, `wrote ${displayPath(io, `${base}.svg`)}`]);
      return 0;
    }
    const svgFile = resolvePath(io, `scale-ladder.out/${cloud}-${tier.name}.svg`);
    write(svgFile, svg);
    io.stdout.write(mermaid);
    io.stdout.write(`%% SVG written to ${displayPath(io, svgFile)}\n`);
    return 0;
  },
};
