// `spotify-etl chart <song or artist>`: the rank history of matching songs as a terminal plot and an SVG file.
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { isIsoDate } from '../core/dates.js';
import { sqlString } from '../core/sql.js';
import { buildRankHistory, segmentsOf, type RankHistory } from '../core/rank-history.js';
import { EtlError } from '../errors.js';
import type { QueryEngine } from '../ports.js';
import { forTerminal, forXml } from './sanitize.js';

/** At most this many songs in one plot: more lines than that cannot be told apart. */
export const MAX_SONGS = 5;
/** One marker per song, in legend order; ASCII so that every terminal shows them. */
export const MARKERS = ['o', 'x', '*', '#', '@'] as const;
const ANSI = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[31m'] as const;
const ANSI_RESET = '\x1b[0m';
export const SVG_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'] as const;

const LINE = '.';
const WIDTH_RANGE = [10, 500] as const;
const HEIGHT_RANGE = [5, 200] as const;
const NICE_MAX_RANKS = [10, 20, 50, 100, 150, 200];

/** The bottom of the y axis: the worst rank shown, rounded up to 10, 20, 50, 100, 150 or 200 (a chart's length). */
export function axisMaxRank(history: RankHistory): number {
  const worst = Math.max(1, ...history.series.flatMap((s) => s.ranks.filter((r): r is number => r !== null)));
  return NICE_MAX_RANKS.find((n) => n >= worst) ?? Math.ceil(worst / 100) * 100;
}

/** 1, then steps of 5, 10, 25, 50… up to the axis maximum: at most six labels. */
export function rankTicks(maxRank: number): number[] {
  const step = [5, 10, 25, 50, 100, 250, 500].find((s) => maxRank / s <= 5) ?? Math.ceil(maxRank / 5);
  const ticks = [1];
  for (let r = step; r <= maxRank; r += step) ticks.push(r);
  if (ticks.at(-1) !== maxRank) ticks.push(maxRank);
  return ticks;
}

/** Dates as `MM-DD` when the history stays within one year (the year is then said once), else in full. */
function dateLabeller(dates: readonly string[]): { label: (d: string) => string; axis: string } {
  const years = new Set(dates.map((d) => d.slice(0, 4)));
  return years.size === 1
    ? { label: (d) => d.slice(5), axis: `date (${[...years][0]})` }
    : { label: (d) => d, axis: 'date' };
}

function checkSize(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const given = Number.isFinite(value) ? ` (not ${value})` : '';
    throw new EtlError(`--${name} must be a whole number from ${min} to ${max}${given}.`, {
      hint: `e.g. --${name} ${name === 'width' ? 60 : 20}`,
    });
  }
}

export interface TerminalPlotOptions {
  /** Columns of the plot area (default 60) and rows (default 20). */
  readonly width?: number;
  readonly height?: number;
  /** ANSI colours, one per song: the command's `io.color` (a terminal, without NO_COLOR or --no-color). */
  readonly color?: boolean;
  /** Shown through forTerminal, like the songs' labels: lake text never reaches the terminal raw. */
  readonly title?: string;
  /** The bottom of the y axis; by default from the data (see axisMaxRank). */
  readonly maxRank?: number;
}

/**
 * A text plot: dates left to right, rank 1 on the top row, one marker per song and day with a dotted line between
 * consecutive days on the chart; a day off the chart is left blank, so gaps show. Legend and notes follow.
 */
export function renderTerminalPlot(history: RankHistory, options: TerminalPlotOptions = {}): string {
  const width = options.width ?? 60;
  const height = options.height ?? 20;
  checkSize('width', width, ...WIDTH_RANGE);
  checkSize('height', height, ...HEIGHT_RANGE);
  const { dates } = history;
  const series = history.series.slice(0, MARKERS.length);
  const maxRank = options.maxRank ?? axisMaxRank(history);
  const n = dates.length;
  const colOf = (i: number): number => (n <= 1 ? 0 : Math.round((i * (width - 1)) / (n - 1)));
  const rowOf = (rank: number): number => Math.round(((rank - 1) * (height - 1)) / Math.max(1, maxRank - 1));

  // Each cell: a character and the song it belongs to (for the colour); lines first, markers on top of them.
  const grid: { ch: string; song: number }[][] = Array.from({ length: height }, () =>
    Array.from({ length: width }, () => ({ ch: ' ', song: -1 })),
  );
  const put = (row: number, col: number, ch: string, song: number): void => {
    const cell = grid[row]?.[col];
    if (cell) [cell.ch, cell.song] = [ch, song];
  };
  // Worst-peaked song first, so that the best one ends on top where songs share a cell.
  for (let s = series.length - 1; s >= 0; s--) {
    for (const seg of segmentsOf(series[s]!.ranks)) {
      seg.ranks.forEach((rank, k) => {
        const next = seg.ranks[k + 1];
        if (next === undefined || rank > maxRank || next > maxRank) return;
        const [c0, c1] = [colOf(seg.start + k), colOf(seg.start + k + 1)];
        for (let c = c0 + 1; c < c1; c++) {
          put(Math.round(rowOf(rank) + ((rowOf(next) - rowOf(rank)) * (c - c0)) / (c1 - c0)), c, LINE, s);
        }
      });
    }
  }
  for (let s = series.length - 1; s >= 0; s--) {
    series[s]!.ranks.forEach((rank, i) => {
      if (rank !== null && rank <= maxRank) put(rowOf(rank), colOf(i), MARKERS[s]!, s);
    });
  }
  const paint = (text: string, song: number): string =>
    options.color && song >= 0 ? `${ANSI[song]}${text}${ANSI_RESET}` : text;

  const tickRows = new Map<number, number>();
  for (const t of rankTicks(maxRank)) if (!tickRows.has(rowOf(t))) tickRows.set(rowOf(t), t);
  const labelWidth = String(maxRank).length + 1;
  const lines: string[] = [];
  if (options.title) lines.push(forTerminal(options.title), '');
  lines.push(`${'rank'.padStart(labelWidth + 1)}`);
  grid.forEach((cells, row) => {
    const tick = tickRows.get(row);
    const axis =
      tick === undefined ? `${' '.repeat(labelWidth)} │` : `${String(tick).padStart(labelWidth)} ┤`;
    lines.push((axis + cells.map((c) => paint(c.ch, c.song)).join('')).trimEnd());
  });

  // Date ticks at least one label plus two spaces apart.
  const dl = dateLabeller(dates);
  const labelLength = dl.label(dates[0] ?? '0000-00-00').length;
  const perDay = n <= 1 ? width : (width - 1) / (n - 1);
  const every = Math.max(1, Math.ceil((labelLength + 2) / perDay));
  const axisLine = Array.from({ length: width }, () => '─');
  const labels: string[] = [];
  for (let i = 0; i < n; i += every) {
    const c = colOf(i);
    axisLine[c] = '┬';
    const at = labelWidth + 2 + c;
    while (labels.length < at) labels.push(' ');
    labels.push(...dl.label(dates[i]!));
  }
  lines.push(`${' '.repeat(labelWidth + 1)}└${axisLine.join('')}`);
  lines.push(labels.join('').trimEnd());
  lines.push(`${' '.repeat(labelWidth + 2)}${dl.axis}`, '');

  series.forEach((s, i) => {
    lines.push(
      `  ${paint(MARKERS[i]!, i)} ${forTerminal(s.label)}  (peak ${s.peak} on ${s.peakDate}, ${s.daysOnChart} of ${n} days on the chart)`,
    );
  });
  if (history.series.length > series.length) {
    lines.push(`  … ${history.series.length - series.length} more songs not drawn`);
  }
  if (history.datesWithoutData.length > 0) {
    const shown = history.datesWithoutData.slice(0, 5).join(', ');
    const more =
      history.datesWithoutData.length > 5 ? ` and ${history.datesWithoutData.length - 5} more` : '';
    lines.push(`  no chart in the lake on ${shown}${more}: gaps there say nothing about the songs`);
  }
  return lines.join('\n');
}

export interface SvgOptions {
  /** Pixels (default 900 × 500). */
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  readonly maxRank?: number;
}

const xml = forXml;
const px = (v: number): string => String(Math.round(v * 10) / 10);

/**
 * A standalone SVG: rank 1 at the top, one polyline per run of consecutive days on the chart (so gaps stay gaps),
 * a circle per chart day with a tooltip, date and rank ticks, a legend under the plot and a title.
 */
export function renderSvg(history: RankHistory, options: SvgOptions = {}): string {
  const W = options.width ?? 900;
  const H = options.height ?? 500;
  const { dates } = history;
  const series = history.series.slice(0, SVG_COLORS.length);
  const maxRank = options.maxRank ?? axisMaxRank(history);
  const n = dates.length;
  const legendHeight = 20 * series.length + 10;
  const [left, right, top] = [60, 30, 50];
  const bottom = H - 50 - legendHeight;
  const plotWidth = W - left - right;
  const x = (i: number): number => (n <= 1 ? left + plotWidth / 2 : left + (i * plotWidth) / (n - 1));
  const y = (rank: number): number => top + ((rank - 1) * (bottom - top)) / Math.max(1, maxRank - 1);
  const dl = dateLabeller(dates);

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
  ];
  if (options.title) {
    out.push(
      `<text x="${px(W / 2)}" y="28" text-anchor="middle" font-size="18" font-weight="bold">${xml(options.title)}</text>`,
    );
  }
  out.push('<g class="axes" font-size="11" fill="#333333">');
  for (const t of rankTicks(maxRank)) {
    out.push(
      `<line x1="${left}" y1="${px(y(t))}" x2="${W - right}" y2="${px(y(t))}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${px(y(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(80 / (n <= 1 ? plotWidth : plotWidth / (n - 1))));
  for (let i = 0; i < n; i += every) {
    out.push(
      `<line x1="${px(x(i))}" y1="${bottom}" x2="${px(x(i))}" y2="${bottom + 5}" stroke="#333333"/>`,
      `<text x="${px(x(i))}" y="${bottom + 18}" text-anchor="middle">${xml(dl.label(dates[i]!))}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333333"/>`,
    `<line x1="${left}" y1="${bottom}" x2="${W - right}" y2="${bottom}" stroke="#333333"/>`,
    `<text x="${px(left + plotWidth / 2)}" y="${bottom + 36}" text-anchor="middle">${xml(dl.axis)}</text>`,
    `<text x="16" y="${px((top + bottom) / 2)}" text-anchor="middle" transform="rotate(-90 16 ${px((top + bottom) / 2)})">rank (1 = top)</text>`,
    '</g>',
  );

  series.forEach((s, k) => {
    const color = SVG_COLORS[k]!;
    out.push(`<g class="series" stroke="${color}" fill="${color}">`);
    for (const seg of segmentsOf(s.ranks)) {
      const points = seg.ranks.map((r, j) => `${px(x(seg.start + j))},${px(y(Math.min(r, maxRank)))}`);
      out.push(`<polyline fill="none" stroke-width="2" points="${points.join(' ')}"/>`);
    }
    s.ranks.forEach((r, i) => {
      if (r === null) return;
      out.push(
        `<circle cx="${px(x(i))}" cy="${px(y(Math.min(r, maxRank)))}" r="3"><title>${xml(`${s.label}: #${r} on ${dates[i]}`)}</title></circle>`,
      );
    });
    out.push('</g>');
  });

  out.push('<g class="legend" font-size="12">');
  series.forEach((s, k) => {
    const ly = bottom + 58 + 20 * k;
    out.push(
      `<line x1="${left}" y1="${ly - 4}" x2="${left + 24}" y2="${ly - 4}" stroke="${SVG_COLORS[k]}" stroke-width="3"/>`,
      `<text x="${left + 32}" y="${ly}" fill="#333333">${xml(`${s.label} (peak ${s.peak} on ${s.peakDate})`)}</text>`,
    );
  });
  out.push('</g>', '</svg>', '');
  return out.join('\n');
}

export interface ChartCommandOptions {
  /** e.g. regional-global-daily; by default the chart with the most entries of matching songs. */
  readonly chartId?: string;
  readonly from?: string;
  readonly to?: string;
  /** Also write the plot as an SVG file at this path. */
  readonly svg?: string;
  /** The terminal plot's columns and rows. */
  readonly width?: number;
  readonly height?: number;
  /** ANSI colours: the command's `io.color`; off unless asked (this module never looks at the terminal itself). */
  readonly color?: boolean;
  /** `text` (default): the plot. `json`: the rank history as JSON, raw (JSON.stringify escapes), no plot. */
  readonly format?: 'text' | 'json';
  /** Where notes go with `json` (matches left out, other charts, the SVG written), so stdout stays JSON. */
  readonly note?: (line: string) => void;
}

/** A LIKE pattern matching `s` anywhere, `%`, `_` and `\` taken literally (used with ESCAPE '\'). */
const containsPattern = (s: string): string => sqlString(`%${s.replace(/[\\%_]/g, '\\$&')}%`);
const ARTISTS = "array_to_string(artist_names, ', ')";
const dateOf = (v: unknown): string => String(v).slice(0, 10);

/**
 * Finds the songs whose name contains `term`, or one of whose artists' names does (case-insensitive), keeps the
 * ≤ 5 with the best peak on one chart, and returns their rank history as a terminal plot (also as an SVG file when
 * `options.svg` is set). Nothing matching is an EtlError with a hint.
 */
export async function chartCommand(
  engine: QueryEngine,
  term: string,
  options: ChartCommandOptions = {},
): Promise<string> {
  const needle = term.trim();
  if (!needle) {
    throw new EtlError('chart needs a song or an artist to look for.', {
      hint: 'e.g. spotify-etl chart "Noah Kahan" or spotify-etl chart "stick season"',
    });
  }
  for (const [flag, value] of [
    ['from', options.from],
    ['to', options.to],
  ] as const) {
    if (value !== undefined && !isIsoDate(value)) {
      throw new EtlError(`--${flag} ${forTerminal(value)} is not a date.`, {
        hint: `Use YYYY-MM-DD, e.g. --${flag} 2024-02-05.`,
      });
    }
  }
  // Sizes are checked before any query, so that a typo fails fast.
  if (options.width !== undefined) checkSize('width', options.width, ...WIDTH_RANGE);
  if (options.height !== undefined) checkSize('height', options.height, ...HEIGHT_RANGE);
  if (options.from && options.to && options.from > options.to) {
    throw new EtlError(`--from ${options.from} is after --to ${options.to}.`);
  }
  const range = [
    ...(options.from ? [`snapshot_date >= DATE '${options.from}'`] : []),
    ...(options.to ? [`snapshot_date <= DATE '${options.to}'`] : []),
  ];
  const chartFilter = options.chartId ? [`chart_id = ${sqlString(options.chartId)}`] : [];
  const pattern = containsPattern(needle.toLowerCase());
  const matches = [
    `(lower(song_name) LIKE ${pattern} ESCAPE '\\'`,
    `OR EXISTS (SELECT 1 FROM unnest(artist_names) AS t(artist) WHERE lower(t.artist) LIKE ${pattern} ESCAPE '\\'))`,
  ].join(' ');
  const where = (...conditions: string[]): string => conditions.join(' AND ');

  const candidates = (
    await engine.query(
      `SELECT chart_id, song_name, ${ARTISTS} AS artists, min(position) AS peak, count(*) AS days
       FROM song_data
       WHERE ${where(matches, ...range, ...chartFilter)}
       GROUP BY chart_id, song_name, ${ARTISTS}`,
    )
  ).rows.map((r) => ({
    chartId: String(r.chart_id),
    song: String(r.song_name),
    artists: String(r.artists ?? ''),
    peak: Number(r.peak),
    days: Number(r.days),
  }));
  if (candidates.length === 0) {
    const searched = [
      options.chartId ? `on ${forTerminal(options.chartId)}` : 'on any chart',
      options.from || options.to ? `from ${options.from ?? 'the start'} to ${options.to ?? 'the end'}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    // The message reaches the terminal (runCli prints it): the term shown through forTerminal.
    throw new EtlError(`No song or artist ${searched} matches "${forTerminal(needle)}".`, {
      hint:
        'Try a shorter term (one word of the title, or the artist’s surname); matching ignores case. ' +
        `Charts and dates in the lake: spotify-etl query "select chart_id, min(snapshot_date), max(snapshot_date) from song_data group by chart_id"`,
    });
  }

  // One chart per plot: the one where the matching songs have the most entries.
  const perChart = new Map<string, { entries: number; songs: number; peak: number }>();
  for (const c of candidates) {
    const p = perChart.get(c.chartId) ?? { entries: 0, songs: 0, peak: Infinity };
    perChart.set(c.chartId, {
      entries: p.entries + c.days,
      songs: p.songs + 1,
      peak: Math.min(p.peak, c.peak),
    });
  }
  const [chartId] = [...perChart.entries()].sort(
    ([a, x], [b, y]) => y.entries - x.entries || x.peak - y.peak || a.localeCompare(b),
  )[0]!;
  const onChart = candidates
    .filter((c) => c.chartId === chartId)
    .sort((a, b) => a.peak - b.peak || b.days - a.days || a.song.localeCompare(b.song));
  const chosen = onChart.slice(0, MAX_SONGS);

  const chart = `chart_id = ${sqlString(chartId)}`;
  // The chosen songs are picked out here rather than in SQL, so that no song name (which may hold anything,
  // a NUL included) is ever put into a query's text.
  const songKey = (song: string, artists: string): string => `${song}\u0000${artists}`;
  const chosenKeys = new Set(chosen.map((c) => songKey(c.song, c.artists)));
  const entries = (
    await engine.query(
      `SELECT snapshot_date, position, song_name, ${ARTISTS} AS artists
       FROM song_data
       WHERE ${where(chart, matches, ...range)}
       ORDER BY snapshot_date, position`,
    )
  ).rows
    .map((r) => ({
      snapshot_date: dateOf(r.snapshot_date),
      position: Number(r.position),
      song_name: String(r.song_name),
      artists: String(r.artists ?? ''),
    }))
    .filter((e) => chosenKeys.has(songKey(e.song_name, e.artists)));
  const chartDates = (
    await engine.query(
      `SELECT DISTINCT snapshot_date FROM song_data WHERE ${where(chart, ...range)} ORDER BY snapshot_date`,
    )
  ).rows.map((r) => dateOf(r.snapshot_date));

  const from = options.from ?? entries[0]?.snapshot_date;
  const to = options.to ?? chartDates.at(-1);
  const history = buildRankHistory(entries, {
    chartDates,
    maxSongs: MAX_SONGS,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  });
  // Raw: each renderer escapes it for its own sink (forTerminal, forXml).
  const title = `Rank on ${chartId}, ${history.dates[0]} to ${history.dates.at(-1)}: "${needle}"`;
  const json = options.format === 'json';

  // Notes are terminal text (forTerminal); with JSON they go to `note`, so that stdout stays one JSON document.
  const notes: string[] = [];
  if (onChart.length > chosen.length) {
    notes.push(`  ${onChart.length} songs match; the ${chosen.length} with the best peak are drawn.`);
  }
  const elsewhere = [...perChart.entries()].filter(([id]) => id !== chartId);
  if (elsewhere.length > 0) {
    notes.push(
      `  Also on ${elsewhere.map(([id, p]) => `${forTerminal(id)} (${p.songs} songs)`).join(', ')}: choose with --chart <chart_id>.`,
    );
  }
  if (options.svg) {
    await writeFileAtomically(options.svg, renderSvg(history, { title }));
    notes.push(`  SVG written to ${forTerminal(options.svg)}`);
  }
  if (json) {
    for (const line of notes) options.note?.(line.trim());
    const { dates, series, datesWithoutData } = history;
    return JSON.stringify(
      {
        chartId,
        dates,
        series: series.map((s) => ({
          song: s.song,
          artists: s.artists,
          ranks: s.ranks,
          peak: s.peak,
          peakDate: s.peakDate,
          daysOnChart: s.daysOnChart,
        })),
        datesWithoutData,
      },
      null,
      2,
    );
  }
  const plot = renderTerminalPlot(history, {
    title,
    color: options.color === true,
    ...(options.width !== undefined ? { width: options.width } : {}),
    ...(options.height !== undefined ? { height: options.height } : {}),
  });
  return [plot, ...notes].join('\n');
}

/**
 * Writes a temporary file beside `path`, then renames it over `path`: a reader (a browser reloading the SVG) sees
 * the old file or the new one, never half of one, and a failed write leaves the old file as it was.
 */
async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, path);
  } catch (caught) {
    await unlink(temp).catch(() => undefined);
    const e = caught as NodeJS.ErrnoException;
    throw new EtlError(`Cannot write ${forTerminal(path)}: ${e.code ?? e.message}.`, {
      hint: 'Check that the folder exists and is writable (and that the path is not a folder).',
      cause: e,
    });
  }
}
