// Regenerates the architecture diagrams of every rung on both clouds (`npx projen diagrams`):
// docs/diagrams/<cloud>-<rung>.svg and .mmd, exactly what `scale-ladder diagram --cloud <cloud>
// --tier <rung> --out docs/diagrams/<cloud>-<rung>` writes. Drawn from the tier data alone, so the
// files change only when the ladder or the renderer does; test/docs/diagrams.test.ts regenerates
// them into a temporary directory and compares byte for byte, and .ci/run checks git for drift.
//
//   ts-node build-tools/diagrams.ts [DIR]     (DIR defaults to docs/diagrams)
import * as fs from 'fs';
import * as path from 'path';
import { CLOUDS } from '../lib/cli/args';
import { architectureOf } from '../lib/cli/diagram/architecture';
import { toMermaid } from '../lib/cli/diagram/mermaid';
import { toSvg } from '../lib/cli/diagram/svg';
import { Tier } from '../lib/core/tier';

export const DIAGRAMS_DIR = path.join(__dirname, '..', 'docs', 'diagrams');

/** Every diagram file by name, in a stable order: cloud, then rung, then .mmd before .svg. */
export function diagramFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const cloud of CLOUDS) {
    for (const tier of Tier.all()) {
      const arch = architectureOf(cloud, tier);
      files.set(`${cloud}-${tier.name}.mmd`, toMermaid(arch));
      files.set(`${cloud}-${tier.name}.svg`, toSvg(arch));
    }
  }
  return files;
}

/** Writes every diagram into `dir` and removes any other .svg or .mmd there; returns the names written. */
export function writeDiagrams(dir: string = DIAGRAMS_DIR): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files = diagramFiles();
  for (const name of fs.readdirSync(dir)) {
    if (/\.(svg|mmd)$/.test(name) && !files.has(name)) fs.rmSync(path.join(dir, name));
  }
  for (const [name, content] of files) fs.writeFileSync(path.join(dir, name), content);
  return [...files.keys()];
}

if (require.main === module) {
  const dir = process.argv[2] ? path.resolve(process.argv[2]) : DIAGRAMS_DIR;
  const written = writeDiagrams(dir);
  process.stdout.write(`wrote ${written.length} files to ${path.relative(process.cwd(), dir) || '.'}\n`);
}
