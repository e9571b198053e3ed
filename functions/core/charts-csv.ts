// Reads Spotify Charts CSV files: charts.spotify.com (rank,uri,…) and the older spotifycharts.com format.
import { ChartFormatError } from '../errors.js';
import { type Chart, type ChartEntry, type ChartProblem, trackIdFromUri } from './chart.js';
import { isIsoDate } from './dates.js';

/** `regional-au-daily-2024-02-05.csv`, `spotifycharts-regional-global-daily-2020-03-01.csv`, `regional-global-weekly-…`. */
const FILE_NAME = /regional-([a-z]{2}|global)-(daily|weekly)-(\d{4}-\d{2}-\d{2}|latest)/i;

export interface ChartFileName {
  readonly region: string;
  readonly period: 'daily' | 'weekly';
  /** null for `…-latest.csv`: the date must be given. */
  readonly date: string | null;
}

export function parseChartFileName(name: string): ChartFileName | null {
  const m = FILE_NAME.exec(name);
  if (!m) return null;
  const [, region = '', period = '', date = ''] = m;
  return {
    region: region.toLowerCase(),
    period: period.toLowerCase() as 'daily' | 'weekly',
    date: date === 'latest' ? null : date,
  };
}

/** The largest Charts CSV text accepted, in characters: a real daily or weekly chart is 20-60 KB. */
export const MAX_CHART_CSV_CHARS = 16 * 1024 * 1024;
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

// Artist names that contain ", " themselves; the CSV joins artists with ", " so these would be split wrongly.
const NAMES_WITH_COMMA = [
  'Tyler, The Creator',
  'Earth, Wind & Fire',
  'Crosby, Stills, Nash & Young',
  'Crosby, Stills & Nash',
  'Emerson, Lake & Palmer',
  'Peter, Paul and Mary',
  'Blood, Sweat & Tears',
];

/** Splits `artist_names` on ", " except inside the known names that contain a comma. */
export function splitArtistNames(joined: string): string[] {
  const placeholders: string[] = [];
  let text = joined;
  for (const name of NAMES_WITH_COMMA) {
    if (text.includes(name)) {
      text = text.split(name).join(`\u{E000}${placeholders.length}\u{E000}`);
      placeholders.push(name);
    }
  }
  return text
    .split(', ')
    .map((part) => part.replace(/\u{E000}(\d+)\u{E000}/gu, (_, i: string) => placeholders[Number(i)] ?? ''))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const NEW_HEADER = ['rank', 'uri', 'artist_names', 'track_name', 'source', 'peak_rank', 'previous_rank'];
const OLD_HEADER = ['position', 'track name', 'artist', 'streams', 'url'];

function intOrNull(value: string | undefined): number | null {
  if (value === undefined) return null;
  const t = value.trim().replace(/,/g, '');
  if (t === '') return null;
  return /^-?\d+$/.test(t) ? Number(t) : Number.NaN;
}

export interface ParseChartCsvOptions {
  /** The file name: gives region, period and date when it follows Spotify's naming. */
  readonly fileName: string;
  /** Overrides the date in the file name (required for `…-latest.csv` and unnamed files). */
  readonly date?: string;
  /** Overrides the region in the file name. */
  readonly region?: string;
}

/**
 * Parses one Spotify Charts CSV into a chart. Rows that cannot become entries are kept in
 * `problems` with their line number and reason; a file that is not a chart at all throws ChartFormatError.
 */
export function parseChartCsv(text: string, options: ParseChartCsvOptions): Chart {
  // Refused before any parsing: a 200 MB text is a wrong file, not a chart to read row by row.
  if (text.length > MAX_CHART_CSV_CHARS) {
    throw new ChartFormatError(
      `${options.fileName} is ${(text.length / 2 ** 20).toFixed(1)} MiB; a Spotify Charts CSV is under 100 KB and at most ${MAX_CHART_CSV_CHARS / 2 ** 20} MiB is read.`,
      {
        hint: 'Give one chart per file, as charts.spotify.com downloads it (one file per region and chart date).',
      },
    );
  }
  const fromName = parseChartFileName(options.fileName);
  const date = options.date ?? fromName?.date ?? null;
  if (!date || !isIsoDate(date)) {
    throw new ChartFormatError(`Cannot tell the chart date of ${options.fileName}.`, {
      hint: 'Name the file regional-<region>-daily-YYYY-MM-DD.csv as charts.spotify.com does, or pass --date YYYY-MM-DD.',
    });
  }
  const region = options.region ?? fromName?.region ?? 'global';
  const period = fromName?.period ?? 'daily';
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  const found = findHeader(body, options.fileName);
  if (!found) {
    throw new ChartFormatError(`${options.fileName} is not a Spotify Charts CSV: no header found.`, {
      hint: `Expected "${NEW_HEADER.join(',')},days_on_chart|weeks_on_chart,streams" (charts.spotify.com) or "Position,Track Name,Artist,Streams,URL" (spotifycharts.com).`,
    });
  }
  const header = found.fields.map((h) => h.trim().toLowerCase());
  const isNew = header[0] === 'rank';
  const col = (name: string): number => header.indexOf(name);
  const entries: ChartEntry[] = [];
  const problems: ChartProblem[] = [];
  const seenRanks = new Set<number>();
  const rows = parseCsvRows(body.slice(found.next), {
    fieldCount: header.length,
    firstLine: found.line + 1,
    origin: options.fileName,
  });

  for (const row of rows) {
    const { line } = row;
    if ('unbalancedQuote' in row) {
      problems.push({ line, reason: 'unbalanced quote', text: row.unbalancedQuote });
      continue;
    }
    const r = row.fields;
    if (r.length === 1 && (r[0] ?? '').trim() === '') continue; // blank line
    const get = (name: string): string | undefined => {
      const idx = col(name);
      return idx < 0 ? undefined : r[idx];
    };
    const problem = (reason: string): void => {
      problems.push({ line, reason, text: r.join(',') });
    };
    if (r.length < header.length) {
      problem(`expected ${header.length} fields, found ${r.length}`);
      continue;
    }
    const position = intOrNull(isNew ? get('rank') : get('position'));
    if (position === null || Number.isNaN(position) || position < 1) {
      problem(`rank "${isNew ? get('rank') : get('position')}" is not a positive integer`);
      continue;
    }
    if (seenRanks.has(position)) {
      problem(`rank ${position} appears twice`);
      continue;
    }
    const uri = ((isNew ? get('uri') : get('url')) ?? '').trim();
    const trackId = trackIdFromUri(uri);
    if (!trackId && !uri.startsWith('spotify:local:')) {
      problem(`"${uri}" is not a Spotify track uri or URL`);
      continue;
    }
    const numbers = {
      streams: intOrNull(get('streams')),
      peakRank: intOrNull(get('peak_rank')),
      previousRank: intOrNull(get('previous_rank')),
      daysOnChart: intOrNull(get('days_on_chart')),
      weeksOnChart: intOrNull(get('weeks_on_chart')),
    };
    const bad = Object.entries(numbers).find(([, v]) => Number.isNaN(v));
    if (bad) {
      problem(`${bad[0]} is not an integer`);
      continue;
    }
    seenRanks.add(position);
    entries.push({
      position,
      trackId,
      uri,
      trackName: (isNew ? get('track_name') : get('track name')) ?? '',
      artistNames: splitArtistNames((isNew ? get('artist_names') : get('artist')) ?? ''),
      ...numbers,
      // charts.spotify.com writes -1 for "not on the previous chart"; null says the same without a fake rank.
      previousRank: numbers.previousRank !== null && numbers.previousRank < 1 ? null : numbers.previousRank,
      addedAt: null,
    });
  }
  entries.sort((a, b) => a.position - b.position);
  return {
    kind: 'charts-csv',
    chartId: `regional-${region}-${period}`,
    region,
    date,
    entries,
    problems,
    origin: options.fileName,
  };
}

/** The size of every Spotify Charts regional chart, daily and weekly: the Top 200. */
export const SPOTIFY_CHART_SIZE = 200;

export interface ChartCompleteness {
  readonly complete: boolean;
  /** How many entries the chart should hold, from the evidence in it (see chartCompleteness). */
  readonly expected: number;
  readonly held: number;
  /** One sentence naming the chart, its date, held/expected and the first problem; absent when complete. */
  readonly reason?: string;
}

/**
 * Whether a chart holds every entry it should. Complete means: at least one entry, no rows set aside, and ranks
 * exactly 1..N with no gap or duplicate, where N is also the expected size. The expected size is the largest of
 * - the highest rank among the entries,
 * - the highest rank readable from a row set aside (its first field),
 * - the highest previous_rank of an entry (the chart had at least that many places the day or week before),
 * - 200 (SPOTIFY_CHART_SIZE) for a Spotify Charts file (kind charts-csv or demo) that shows damage: rows set aside,
 *   a gap, a duplicate, no entries, or a previous_rank above every rank in the file (a file cut off at its end).
 * A clean file of ranks 1..N with N < 200 (a small market, a test fixture) thus proves its own size.
 */
export function chartCompleteness(chart: Chart): ChartCompleteness {
  const held = chart.entries.length;
  const seen = new Set<number>();
  let top = 0;
  let duplicate: number | null = null;
  let previous: { readonly position: number; readonly previousRank: number } | null = null;
  for (const e of chart.entries) {
    if (seen.has(e.position)) duplicate ??= e.position;
    seen.add(e.position);
    top = Math.max(top, e.position);
    if (e.previousRank !== null && e.previousRank > (previous?.previousRank ?? 0)) {
      previous = { position: e.position, previousRank: e.previousRank };
    }
  }
  let problemTop = 0;
  for (const p of chart.problems) problemTop = Math.max(problemTop, leadingRank(p.text));
  const gapless = seen.size === top && [...seen].every((r) => Number.isInteger(r) && r >= 1);
  // An entry that was lower on the previous chart than the last rank here says the file lost its tail.
  const cutOff = (previous?.previousRank ?? 0) > Math.max(top, problemTop);
  const damaged = held === 0 || chart.problems.length > 0 || duplicate !== null || !gapless || cutOff;
  const nominal = damaged && chart.kind !== 'playlist' ? SPOTIFY_CHART_SIZE : 1;
  const expected = Math.max(top, problemTop, previous?.previousRank ?? 0, nominal);
  if (!damaged && held === expected) return { complete: true, expected, held };

  const name = `${chart.chartId} ${chart.date}`;
  const holds =
    held === expected ? `holds all ${expected} entries, but` : `holds ${held} of ${expected} entries:`;
  const first = chart.problems[0];
  let why: string;
  if (first) {
    const more = chart.problems.length - 1;
    why = `line ${first.line} was set aside (${first.reason})${more > 0 ? ` and ${more} more row${more > 1 ? 's' : ''}` : ''}`;
  } else if (duplicate !== null) {
    why = `rank ${duplicate} appears twice`;
  } else {
    why = missingRanks(seen, expected);
    // Say where an expected size above every rank in the file comes from.
    if (previous && cutOff) {
      why += ` (rank ${previous.position} was at ${previous.previousRank} on the previous chart)`;
    }
  }
  return { complete: false, expected, held, reason: `${name} ${holds} ${why}.` };
}

/** The first run of ranks in 1..expected that no entry has: "rank 5 is missing", "ranks 50-199 are missing". */
function missingRanks(seen: ReadonlySet<number>, expected: number): string {
  let from = 1;
  while (from <= expected && seen.has(from)) from++;
  if (from > expected) return 'its ranks are not 1 to N';
  let to = from;
  while (to < expected && !seen.has(to + 1)) to++;
  return from === to ? `rank ${from} is missing` : `ranks ${from}-${to} are missing`;
}

/** The rank at the start of a row set aside (rank and Position are the first column of both formats), or 0. */
function leadingRank(text: string): number {
  const comma = text.indexOf(',');
  const first = (comma < 0 ? text : text.slice(0, comma)).trim().replace(/^"(.*)"$/, '$1');
  return /^\d{1,6}$/.test(first) ? Number(first) : 0;
}

/** The header is on one of the first three physical lines: the older format may open with a note line. */
function findHeader(
  body: string,
  origin: string,
): { readonly fields: readonly string[]; readonly line: number; readonly next: number } | null {
  let pos = 0;
  for (let line = 1; line <= 3 && pos < body.length; line++) {
    let end = pos;
    for (; end < body.length && end - pos <= MAX_CSV_LINE_CHARS; end++) {
      const c = body.charCodeAt(end);
      if (c === LF || c === CR) break;
    }
    if (end - pos > MAX_CSV_LINE_CHARS) throw lineTooLong(origin, line, MAX_CSV_LINE_CHARS);
    const next = body.charCodeAt(end) === CR && body.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
    const [row] = parseCsvRows(body.slice(pos, end));
    if (row && 'fields' in row && isHeader(row.fields)) return { fields: row.fields, line, next };
    pos = next;
  }
  return null;
}

function isHeader(row: readonly string[]): boolean {
  const h = row.map((c) => c.trim().toLowerCase());
  return NEW_HEADER.every((name, i) => h[i] === name) || OLD_HEADER.every((name, i) => h[i] === name);
}
