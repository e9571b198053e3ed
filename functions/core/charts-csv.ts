// Reads Spotify Charts CSV files: charts.spotify.com (rank,uri,…) and the older spotifycharts.com format.
import { ChartFormatError } from '#functions/errors.js';
import { type Chart, type ChartEntry, type ChartProblem, trackIdFromUri } from './chart.js';
import { parseCsvRows, physicalLine } from './csv-rows.js';
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
  const { date, region, period } = chartIdentity(text, options);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  const found = findHeader(body, options.fileName);
  if (!found) {
    throw new ChartFormatError(`${options.fileName} is not a Spotify Charts CSV: no header found.`, {
      hint: `Expected "${NEW_HEADER.join(',')},days_on_chart|weeks_on_chart,streams" (charts.spotify.com) or "Position,Track Name,Artist,Streams,URL" (spotifycharts.com).`,
    });
  }
  const header = found.fields.map((h) => h.trim().toLowerCase());
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
    const entry = entryOf(r, header, seenRanks);
    if (typeof entry === 'string') {
      problems.push({ line, reason: entry, text: r.join(',') });
      continue;
    }
    seenRanks.add(entry.position);
    entries.push(entry);
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

/** The chart date, region and period from the options and the file name; refuses a text too large to be a chart. */
function chartIdentity(
  text: string,
  options: ParseChartCsvOptions,
): { readonly date: string; readonly region: string; readonly period: 'daily' | 'weekly' } {
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
  return {
    date,
    region: options.region ?? fromName?.region ?? 'global',
    period: fromName?.period ?? 'daily',
  };
}

/** One row's fields as a chart entry, or the reason it cannot be one (a rank in `seenRanks` is a duplicate). */
function entryOf(
  r: readonly string[],
  header: readonly string[],
  seenRanks: ReadonlySet<number>,
): ChartEntry | string {
  const isNew = header[0] === 'rank';
  const get = (name: string): string | undefined => {
    const idx = header.indexOf(name);
    return idx < 0 ? undefined : r[idx];
  };
  if (r.length < header.length) return `expected ${header.length} fields, found ${r.length}`;
  const position = intOrNull(isNew ? get('rank') : get('position'));
  if (position === null || Number.isNaN(position) || position < 1) {
    return `rank "${isNew ? get('rank') : get('position')}" is not a positive integer`;
  }
  if (seenRanks.has(position)) return `rank ${position} appears twice`;
  const uri = ((isNew ? get('uri') : get('url')) ?? '').trim();
  const trackId = trackIdFromUri(uri);
  if (!trackId && !uri.startsWith('spotify:local:')) return `"${uri}" is not a Spotify track uri or URL`;
  const numbers = {
    streams: intOrNull(get('streams')),
    peakRank: intOrNull(get('peak_rank')),
    previousRank: intOrNull(get('previous_rank')),
    daysOnChart: intOrNull(get('days_on_chart')),
    weeksOnChart: intOrNull(get('weeks_on_chart')),
  };
  const bad = Object.entries(numbers).find(([, v]) => Number.isNaN(v));
  if (bad) return `${bad[0]} is not an integer`;
  return {
    position,
    trackId,
    uri,
    trackName: (isNew ? get('track_name') : get('track name')) ?? '',
    artistNames: splitArtistNames((isNew ? get('artist_names') : get('artist')) ?? ''),
    ...numbers,
    // charts.spotify.com writes -1 for "not on the previous chart"; null says the same without a fake rank.
    previousRank: numbers.previousRank !== null && numbers.previousRank < 1 ? null : numbers.previousRank,
    addedAt: null,
  };
}

/** The header is on one of the first three physical lines: the older format may open with a note line. */
function findHeader(
  body: string,
  origin: string,
): { readonly fields: readonly string[]; readonly line: number; readonly next: number } | null {
  let pos = 0;
  for (let line = 1; line <= 3 && pos < body.length; line++) {
    const { end, next } = physicalLine(body, pos, origin, line);
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
