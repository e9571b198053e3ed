// Terminal output: tables, CSV and JSON for query results, and the run summary.
import type { Row } from '../adapters/local/duckdb-query.js';

const cell = (v: unknown): string =>
  v === null || v === undefined
    ? ''
    : Array.isArray(v)
      ? v.join(', ')
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

export function formatTable(columns: readonly string[], rows: readonly Row[], maxWidth = 40): string {
  const cut = (s: string): string => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const body = rows.map((r) => columns.map((c) => cut(cell(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((r) => (r[i] ?? '').length)));
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === 'number'),
  );
  const line = (vals: readonly string[]): string =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A two-column table of named figures: the run and backfill summaries. */
export function formatFigures(
  title: string,
  figures: readonly (readonly [string, string | number])[],
): string {
  return formatTable(
    [title, 'value'],
    figures.map(([name, value]) => ({ [title]: name, value })),
  );
}

export function formatCsv(columns: readonly string[], rows: readonly Row[]): string {
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [columns.map(q).join(','), ...rows.map((r) => columns.map((c) => q(cell(r[c]))).join(','))].join(
    '\n',
  );
}

export function formatJson(rows: readonly Row[]): string {
  return JSON.stringify(rows, null, 2);
}
