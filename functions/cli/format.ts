// Terminal output: tables, CSV, JSON and NDJSON for query results (whole, or streamed chunk by chunk), and the run
// summary. Every sink escapes for itself (sanitize.ts): tables for a terminal, CSV for a spreadsheet; JSON needs
// nothing, JSON.stringify escapes control characters. The lake keeps the original text.
import type { Row } from '../adapters/local/duckdb-query.js';
import { forSpreadsheet, forTerminal } from './sanitize.js';

/** The formats `query` writes. */
export const RESULT_FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/**
 * Writes a result as its chunks arrive: `chunk` turns one chunk of rows into text (lines without the last line
 * break, or '' for nothing yet), `end` gives the text that closes the output.
 */
export interface ResultWriter {
  chunk(rows: readonly Row[]): string;
  end(): string;
}

const text = (v: unknown): string =>
  Array.isArray(v)
    ? v.map(text).join(', ')
    : typeof v === 'object' && v !== null
      ? JSON.stringify(v)
      : String(v);

/** A table cell: NULL shown as `nullText` (the query table says NULL, so it differs from the empty string). */
const tableCell = (v: unknown, nullText: string): string =>
  v === null || v === undefined ? nullText : forTerminal(text(v));

export interface TableOptions {
  readonly maxWidth?: number;
  readonly nullText?: string;
}

/**
 * A table written chunk by chunk. The column widths (and which columns are right-aligned numbers) are computed from
 * the first chunk, up to `maxWidth`: a streamed table cannot wait for the last row, so later cells are cut to those
 * widths.
 */
export function tableWriter(columns: readonly string[], options: TableOptions = {}): ResultWriter {
  const maxWidth = options.maxWidth ?? 40;
  const nullText = options.nullText ?? 'NULL';
  const cut = (s: string, width: number): string => (s.length > width ? `${s.slice(0, width - 1)}…` : s);
  const heads = columns.map(forTerminal);
  let widths: number[] | undefined;
  let numeric: boolean[] = [];
  const line = (vals: readonly string[]): string =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths![i]!) : v.padEnd(widths![i]!)))
      .join('  ')
      .trimEnd();
  const start = (rows: readonly Row[]): string[] => {
    // Loops, not Math.max(...cells): a spread of a large chunk would overflow the call stack.
    widths = heads.map((h) => h.length);
    numeric = columns.map(() => rows.length > 0);
    for (const r of rows) {
      columns.forEach((c, i) => {
        const v = r[c];
        const width = Math.min(tableCell(v, nullText).length, maxWidth);
        if (width > widths![i]!) widths![i] = width;
        if (v !== null && v !== undefined && typeof v !== 'number') numeric[i] = false;
      });
    }
    return [line(heads), widths.map((w) => '─'.repeat(w)).join('  ')];
  };
  return {
    chunk(rows) {
      const head = widths ? [] : start(rows);
      const body = rows.map((r) => line(columns.map((c, i) => cut(tableCell(r[c], nullText), widths![i]!))));
      return [...head, ...body].join('\n');
    },
    end() {
      return widths ? '' : start([]).join('\n');
    },
  };
}

export function formatTable(columns: readonly string[], rows: readonly Row[], maxWidth = 40): string {
  // The summaries (run, backfill, transform) leave a missing value blank; `query` says NULL.
  const writer = tableWriter(columns, { maxWidth, nullText: '' });
  return [writer.chunk(rows), writer.end()].filter((t) => t !== '').join('\n');
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

const quote = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * A CSV field: NULL is an empty, unquoted field and the empty string is `""`, so the two read back apart; a list
 * is a JSON array (`["Tyler, The Creator","Kali Uchis"]`) so it splits back; formulas are defused (forSpreadsheet).
 */
export function csvField(v: unknown, terminal = false): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (s === '') return '""';
  // Control characters and escape sequences before a formula sign (ESC]0;title BEL ESC[31m=HYPERLINK…) must not hide it from
  // the OWASP rule: the rule is applied to the text without them.
  const visible = s.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
    /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b\[[0-9;?]*[ -/]*[@-~]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g,
    '',
  );
  const defused =
    forSpreadsheet(s) !== s || forSpreadsheet(visible) === visible ? forSpreadsheet(s) : `'${s}`;
  return quote(terminal ? forTerminal(defused) : defused);
}

/** CSV; `terminal`: stdout is a terminal, so control characters are shown as escapes there too. */
export function csvWriter(columns: readonly string[], terminal = false): ResultWriter {
  let started = false;
  return {
    chunk(rows) {
      const lines = rows.map((r) => columns.map((c) => csvField(r[c], terminal)).join(','));
      if (!started) lines.unshift(columns.map((c) => csvField(c, terminal)).join(','));
      started = true;
      return lines.join('\n');
    },
    end() {
      return started ? '' : columns.map((c) => csvField(c, terminal)).join(',');
    },
  };
}

export function formatCsv(columns: readonly string[], rows: readonly Row[]): string {
  const writer = csvWriter(columns);
  return [writer.chunk(rows), writer.end()].filter((t) => t !== '').join('\n');
}

/**
 * A JSON array, one row object a line. The last row of each chunk is held back until the next chunk (or the end)
 * says whether a comma follows it.
 */
export function jsonWriter(): ResultWriter {
  let held: string | undefined;
  let started = false;
  return {
    chunk(rows) {
      if (rows.length === 0) return '';
      const lines = started ? [] : ['['];
      started = true;
      if (held !== undefined) lines.push(`${held},`);
      for (let i = 0; i < rows.length - 1; i++) lines.push(`  ${JSON.stringify(rows[i])},`);
      held = `  ${JSON.stringify(rows[rows.length - 1])}`;
      return lines.join('\n');
    },
    end() {
      return started ? `${held}\n]` : '[]';
    },
  };
}

/** NDJSON: one JSON object a line, nothing around them. */
export function ndjsonWriter(): ResultWriter {
  return {
    chunk: (rows) => rows.map((r) => JSON.stringify(r)).join('\n'),
    end: () => '',
  };
}

export function resultWriter(
  format: ResultFormat,
  columns: readonly string[],
  terminal = false,
): ResultWriter {
  switch (format) {
    case 'csv':
      return csvWriter(columns, terminal);
    case 'json':
      return jsonWriter();
    case 'ndjson':
      return ndjsonWriter();
    default:
      return tableWriter(columns);
  }
}
