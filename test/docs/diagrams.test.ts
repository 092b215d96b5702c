import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DIAGRAMS_DIR, writeDiagrams } from '../../build-tools/diagrams';
import { CLOUDS } from '../../lib/cli/args';
import { Tier } from '../../lib/core/tier';
import { runCli } from '../cli/run-cli';

const ROOT = path.join(__dirname, '..', '..');
const COMBINATIONS = CLOUDS.flatMap(cloud => Tier.all().map(tier => `${cloud}-${tier.name}`));

function committed(): string[] {
  return fs.readdirSync(DIAGRAMS_DIR).filter(name => /\.(svg|mmd)$/.test(name)).sort();
}

/** The README section between its heading and the next `## ` heading. */
function readmeSection(heading: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('docs/diagrams (run `npx projen diagrams` after changing the ladder or the renderer)', () => {
  test('holds an SVG and its Mermaid source for each of the 14 rung × cloud combinations, nothing else', () => {
    expect(COMBINATIONS).toHaveLength(14);
    expect(committed()).toEqual(COMBINATIONS.flatMap(c => [`${c}.mmd`, `${c}.svg`]).sort());
  });

  test('regenerated into an empty directory, every file is byte for byte the committed one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-diagrams-'));
    try {
      const written = writeDiagrams(dir);
      expect(written.sort()).toEqual(committed());
      for (const name of written) {
        expect({ name, same: fs.readFileSync(path.join(dir, name)).equals(fs.readFileSync(path.join(DIAGRAMS_DIR, name))) })
          .toEqual({ name, same: true });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('regenerating removes a diagram that no rung draws any more', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-diagrams-'));
    try {
      fs.writeFileSync(path.join(dir, 'aws-2M.svg'), '<svg/>');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'kept');
      writeDiagrams(dir);
      expect(fs.existsSync(path.join(dir, 'aws-2M.svg'))).toBe(false);
      expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('kept');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('each file is what `scale-ladder diagram --cloud C --tier T --out docs/diagrams/C-T` writes', async () => {
    for (const cloud of CLOUDS) {
      for (const tier of Tier.all()) {
        const result = await runCli(['diagram', '--cloud', cloud, '--tier', tier.name, '--out', `out/${cloud}-${tier.name}`]);
        expect(result.code).toBe(0);
        for (const ext of ['mmd', 'svg']) {
          const name = `${cloud}-${tier.name}.${ext}`;
          expect({ name, content: fs.readFileSync(path.join(result.workdir, 'out', name), 'utf8') })
            .toEqual({ name, content: fs.readFileSync(path.join(DIAGRAMS_DIR, name), 'utf8') });
        }
        fs.rmSync(result.workdir, { recursive: true, force: true });
      }
    }
  });

  test('`npx projen diagrams` runs the generator', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    expect(tasks.diagrams.steps.map((s: { exec?: string }) => s.exec)).toEqual([
      'ts-node --transpile-only --project test/tsconfig.json build-tools/diagrams.ts',
    ]);
  });
});

describe('README "Architecture per rung"', () => {
  test('links the SVG and the Mermaid source of every combination, and every link resolves', () => {
    const section = readmeSection('Architecture per rung');
    const links = [...section.matchAll(/\]\((docs\/diagrams\/[^)]+)\)/g)].map(m => m[1]);
    for (const c of COMBINATIONS) {
      expect(links).toContain(`docs/diagrams/${c}.svg`);
      expect(links).toContain(`docs/diagrams/${c}.mmd`);
    }
    for (const link of links) expect({ link, exists: fs.existsSync(path.join(ROOT, link)) }).toEqual({ link, exists: true });
  });

  test('shows at most one picture inline per cloud', () => {
    const inline = [...readmeSection('Architecture per rung').matchAll(/!\[[^\]]*\]\(docs\/diagrams\/(aws|gcp)-[^)]+\.svg\)/g)].map(m => m[1]);
    for (const cloud of CLOUDS) expect(inline.filter(c => c === cloud).length).toBeLessThanOrEqual(1);
  });
});
