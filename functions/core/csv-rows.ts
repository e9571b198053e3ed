// RFC 4180 CSV records with the recovery rules for damaged rows: the tokenizer under the Spotify Charts reader.
import { ChartFormatError } from '#functions/errors.js';

/** The longest physical line accepted: a chart row is under 300 characters; a file without line breaks is not a chart. */
export const MAX_CSV_LINE_CHARS = 64 * 1024;
/** A quoted field may span line breaks (RFC 4180), but a record over more physical lines than this is a stray quote. */
export const MAX_CSV_RECORD_LINES = 4;

/**
 * One CSV record with the physical line it starts on, or a physical line set aside because a quote opened on it
 * never closes within a well-formed record.
 */
export type CsvRow =
  | { readonly line: number; readonly fields: readonly string[] }
  | { readonly line: number; readonly unbalancedQuote: string };

export interface CsvRowsOptions {
  /**
   * A record may span line breaks only when it then has exactly this many fields (the header's count); by default
   * the first record's count.
   */
  readonly fieldCount?: number;
  /** The physical line number of the text's first line (when the text is the rest of a file). Default 1. */
  readonly firstLine?: number;
  /** Names the text in the error for an over-long line. */
  readonly origin?: string;
  readonly maxLineChars?: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

function lineTooLong(origin: string, line: number, max: number): ChartFormatError {
  return new ChartFormatError(
    `${origin} line ${line} is longer than ${max} characters: it is not a Spotify Charts CSV row (one short line per entry).`,
    {
      hint: 'Check that the file is a chart CSV as downloaded from charts.spotify.com and that its line breaks were kept.',
    },
  );
}

/**
 * RFC 4180 rows: quoted fields, "" escapes, CRLF, LF or CR, commas and line breaks inside quotes. A quote that is
 * still open at a line break may continue the field on the next lines only if the record then closes within
 * MAX_CSV_RECORD_LINES lines with exactly `fieldCount` fields; otherwise only that physical line is set aside
 * (`unbalancedQuote`) and reading resumes at the next line, so one damaged row cannot swallow the rest of a file.
 * One pass over the text (a set-aside line re-reads at most MAX_CSV_RECORD_LINES - 1 lines); throws
 * ChartFormatError for a physical line longer than `maxLineChars`.
 */
export function parseCsvRows(text: string, options: CsvRowsOptions = {}): CsvRow[] {
  // Long: one character-level state machine whose dozen loop variables would otherwise cross a call per record.
  const n = text.length;
  const maxLine = options.maxLineChars ?? MAX_CSV_LINE_CHARS;
  const origin = options.origin ?? 'The CSV text';
  let fieldCount = options.fieldCount;
  const rows: CsvRow[] = [];
  let pos = 0; // where the current record starts: always the start of a physical line
  let line = options.firstLine ?? 1;
  while (pos < n) {
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let run = pos; // start of the characters not yet copied into `field`
    let lineStart = pos;
    let lines = 1;
    let firstBreak = -1; // end of the record's first physical line, and where the next one starts
    let firstNext = n;
    let recordEnd = -1; // where the next record starts, once this one ended well
    let i = pos;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        if (quoted && text.charCodeAt(i + 1) === QUOTE) {
          field += text.slice(run, i + 1);
          i++;
        } else {
          field += text.slice(run, i);
          quoted = !quoted;
        }
        run = i + 1;
      } else if (c === COMMA) {
        if (!quoted) {
          fields.push(field + text.slice(run, i));
          field = '';
          run = i + 1;
        }
      } else if (c === LF || c === CR) {
        if (i - lineStart > maxLine) throw lineTooLong(origin, line + lines - 1, maxLine);
        const next = c === CR && text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
        if (firstBreak < 0) {
          firstBreak = i;
          firstNext = next;
        }
        if (!quoted) {
          fields.push(field + text.slice(run, i));
          recordEnd = next;
          break;
        }
        // Inside quotes the line break belongs to the field (it stays in the uncopied run).
        if (++lines > MAX_CSV_RECORD_LINES) break;
        lineStart = next;
        i = next - 1;
      }
    }
    if (i >= n) {
      if (n - lineStart > maxLine) throw lineTooLong(origin, line + lines - 1, maxLine);
      if (firstBreak < 0) firstBreak = n;
      if (!quoted) {
        fields.push(field + text.slice(run, n));
        recordEnd = n;
      }
    }
    const wellFormed =
      recordEnd >= 0 && (lines === 1 || fieldCount === undefined || fields.length === fieldCount);
    if (wellFormed) {
      rows.push({ line, fields });
      fieldCount ??= fields.length;
      pos = recordEnd;
      line += lines;
    } else {
      rows.push({ line, unbalancedQuote: text.slice(pos, firstBreak) });
      pos = firstNext;
      line += 1;
    }
  }
  return rows;
}

/**
 * The physical line starting at `pos`: where it ends (at its line break or the text's end) and where the next one
 * starts. Throws ChartFormatError, naming `origin` and `line`, for a line longer than MAX_CSV_LINE_CHARS; reads at
 * most one character past that limit.
 */
export function physicalLine(
  text: string,
  pos: number,
  origin: string,
  line: number,
): { readonly end: number; readonly next: number } {
  let end = pos;
  for (; end < text.length && end - pos <= MAX_CSV_LINE_CHARS; end++) {
    const c = text.charCodeAt(end);
    if (c === LF || c === CR) break;
  }
  if (end - pos > MAX_CSV_LINE_CHARS) throw lineTooLong(origin, line, MAX_CSV_LINE_CHARS);
  const next = text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
  return { end, next };
}
