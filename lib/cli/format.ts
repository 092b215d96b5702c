/** Small text-formatting helpers for the command's human-readable output. */

export type Align = 'left' | 'right';

/** Renders rows as aligned columns (two spaces apart), no trailing spaces. */
export function table(rows: ReadonlyArray<readonly string[]>, align: readonly Align[] = [], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map(row => indent + row
    .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]) : i === row.length - 1 ? cell : cell.padEnd(widths[i])))
    .join('  ')
    .trimEnd());
}

/** `1234567` → `1,234,567`; fractions keep `digits` decimals. */
export function num(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A request rate with sensible precision: `0.69`, `6.9`, `694`, `6,944`. */
export function rate(value: number): string {
  if (value < 10) return num(value, 2);
  if (value < 100) return num(value, 1);
  return num(value, 0);
}

/** A byte count as `812 B`, `14.2 KB`, `1.30 MB` (1 KB = 1024 bytes, as the CloudFormation limit is stated). */
export function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KB`;
  return `${(value / 1024 / 1024).toFixed(2)} MB`;
}

/** Rounds to `digits` decimals for JSON output (no float noise such as 694.4444444444445). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${num(count)} ${count === 1 ? one : many}`;
}
