// Reads Spotify Charts CSV files: charts.spotify.com (rank,uri,…) and the older spotifycharts.com format.
import { ChartFormatError } from '../errors.js';
import { type Chart, type ChartEntry, type ChartProblem, isIsoDate, trackIdFromUri } from './chart.js';

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

/** RFC 4180 rows: quoted fields, "" escapes, CRLF or LF, commas and newlines inside quotes. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
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
  const fromName = parseChartFileName(options.fileName);
  const date = options.date ?? fromName?.date ?? null;
  if (!date || !isIsoDate(date)) {
    throw new ChartFormatError(`Cannot tell the chart date of ${options.fileName}.`, {
      hint: 'Name the file regional-<region>-daily-YYYY-MM-DD.csv as charts.spotify.com does, or pass --date YYYY-MM-DD.',
    });
  }
  const region = options.region ?? fromName?.region ?? 'global';
  const period = fromName?.period ?? 'daily';
  const rows = parseCsvRows(text.replace(/^\uFEFF/, ''));

  // The older format may start with a note line before its header.
  const headerIndex = rows.findIndex((r, i) => i < 3 && isHeader(r));
  if (headerIndex < 0) {
    throw new ChartFormatError(`${options.fileName} is not a Spotify Charts CSV: no header found.`, {
      hint: `Expected "${NEW_HEADER.join(',')},days_on_chart|weeks_on_chart,streams" (charts.spotify.com) or "Position,Track Name,Artist,Streams,URL" (spotifycharts.com).`,
    });
  }
  const header = (rows[headerIndex] ?? []).map((h) => h.trim().toLowerCase());
  const isNew = header[0] === 'rank';
  const col = (name: string): number => header.indexOf(name);
  const entries: ChartEntry[] = [];
  const problems: ChartProblem[] = [];
  const seenRanks = new Set<number>();

  for (let i = headerIndex + 1; i < rows.length; i++) {
    const r = rows[i] ?? [];
    const line = i + 1;
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

function isHeader(row: readonly string[]): boolean {
  const h = row.map((c) => c.trim().toLowerCase());
  return NEW_HEADER.every((name, i) => h[i] === name) || OLD_HEADER.every((name, i) => h[i] === name);
}
