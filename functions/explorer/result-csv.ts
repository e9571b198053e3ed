// A query result as a CSV download: the CLI's CSV writer (format.ts), so the rules are the same everywhere — NULL is
// an empty field and the empty string "", lists are JSON arrays, a cell a spreadsheet would run as a formula
// (= + - @) starts with ' (sanitize.ts, after OWASP).
import { formatCsv } from '#functions/cli/format.js';
import type { SandboxedResult } from './ports.js';

export interface CsvDownload {
  readonly fileName: string;
  readonly body: string;
}

/** A file name from a saved query's name (or `query`), safe in a Content-Disposition header. */
export function csvFileName(name: string | undefined, truncatedAt?: number): string {
  const base =
    (name ?? '')
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 60) || 'query';
  return `${base}${truncatedAt === undefined ? '' : `-first-${truncatedAt}-rows`}.csv`;
}

/** The CSV of a result, header line first, as `spotify-etl query --format csv` writes it. */
export function resultCsv(result: SandboxedResult, name?: string): CsvDownload {
  return {
    fileName: csvFileName(name, result.truncated ? result.rows.length : undefined),
    body: `${formatCsv(result.columns, result.rows)}\n`,
  };
}
