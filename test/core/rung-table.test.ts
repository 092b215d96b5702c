import * as fs from 'fs';
import * as path from 'path';
import { rungTableMarkdown, withRungTable } from '../../lib/core/rung-table';

describe('the README rung table', () => {
  test('is the one generated from the tier data (run `npx projen readme` after changing it)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(withRungTable(readme)).toBe(readme);
  });

  test('states the capacity model peak figures', () => {
    const table = rungTableMarkdown();
    expect(table).toContain('| 1K | 1K | 0.7 |');
    expect(table).toContain('| 1M | 1M | 694 |');
    expect(table).toContain('| 1B | 1B | 694.4K |');
  });
});
