// `spotify-etl chart <song or artist>`: finds the matching songs in the lake and plots their rank history.
import { isIsoDate } from '#functions/core/dates.js';
import { sqlString } from '#functions/core/sql.js';
import { buildRankHistory, type RankHistory } from '#functions/core/rank-history.js';
import { EtlError } from '#functions/errors.js';
import type { QueryEngine } from '#functions/ports.js';
import { renderSvg, writeFileAtomically } from './plot-svg.js';
import { checkPlotSize, renderTerminalPlot } from './plot-terminal.js';
import { forTerminal } from './sanitize.js';

/** At most this many songs in one plot: more lines than that cannot be told apart. */
export const MAX_SONGS = 5;

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
const where = (...conditions: string[]): string => conditions.join(' AND ');

/** One matching song on one chart: its best rank there and how many days it was on it. */
interface Candidate {
  readonly chartId: string;
  readonly song: string;
  readonly artists: string;
  readonly peak: number;
  readonly days: number;
}

interface ChartTally {
  readonly entries: number;
  readonly songs: number;
  readonly peak: number;
}

/** The SQL conditions of one search: songs or artists matching the term, and the date range. */
interface Search {
  readonly needle: string;
  readonly matches: string;
  readonly range: readonly string[];
}

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
  const search = searchOf(term, options);
  const candidates = await findCandidates(engine, search, options);
  const { chartId, perChart, onChart, chosen } = chooseSongs(candidates);
  const history = await loadHistory(engine, search, chartId, chosen, options);
  // Raw: each renderer escapes it for its own sink (forTerminal, forXml).
  const title = `Rank on ${chartId}, ${history.dates[0]} to ${history.dates.at(-1)}: "${search.needle}"`;

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
  if (options.format === 'json') {
    for (const line of notes) options.note?.(line.trim());
    return historyJson(chartId, history);
  }
  const plot = renderTerminalPlot(history, {
    title,
    color: options.color === true,
    ...(options.width !== undefined ? { width: options.width } : {}),
    ...(options.height !== undefined ? { height: options.height } : {}),
  });
  return [plot, ...notes].join('\n');
}

/** Checks the term, dates and sizes before any query, so that a typo fails fast, and builds the SQL conditions. */
function searchOf(term: string, options: ChartCommandOptions): Search {
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
  if (options.width !== undefined) checkPlotSize('width', options.width);
  if (options.height !== undefined) checkPlotSize('height', options.height);
  if (options.from && options.to && options.from > options.to) {
    throw new EtlError(`--from ${options.from} is after --to ${options.to}.`);
  }
  const range = [
    ...(options.from ? [`snapshot_date >= DATE '${options.from}'`] : []),
    ...(options.to ? [`snapshot_date <= DATE '${options.to}'`] : []),
  ];
  const pattern = containsPattern(needle.toLowerCase());
  const matches = [
    `(lower(song_name) LIKE ${pattern} ESCAPE '\\'`,
    `OR EXISTS (SELECT 1 FROM unnest(artist_names) AS t(artist) WHERE lower(t.artist) LIKE ${pattern} ESCAPE '\\'))`,
  ].join(' ');
  return { needle, matches, range };
}

/** Every matching song on every chart (or on `options.chartId`); none is an EtlError saying where it looked. */
async function findCandidates(
  engine: QueryEngine,
  { needle, matches, range }: Search,
  options: ChartCommandOptions,
): Promise<Candidate[]> {
  const chartFilter = options.chartId ? [`chart_id = ${sqlString(options.chartId)}`] : [];
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
  return candidates;
}

/** One chart per plot: the one where the matching songs have the most entries; on it, the MAX_SONGS best peaks. */
function chooseSongs(candidates: readonly Candidate[]): {
  readonly chartId: string;
  readonly perChart: ReadonlyMap<string, ChartTally>;
  readonly onChart: readonly Candidate[];
  readonly chosen: readonly Candidate[];
} {
  const perChart = new Map<string, ChartTally>();
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
  return { chartId, perChart, onChart, chosen: onChart.slice(0, MAX_SONGS) };
}

/** The chosen songs' entries on the chart and the chart's dates in the range, as a rank history. */
async function loadHistory(
  engine: QueryEngine,
  { matches, range }: Search,
  chartId: string,
  chosen: readonly Candidate[],
  options: ChartCommandOptions,
): Promise<RankHistory> {
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
  return buildRankHistory(entries, {
    chartDates,
    maxSongs: MAX_SONGS,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  });
}

/** The rank history as the `--format json` document. */
function historyJson(chartId: string, { dates, series, datesWithoutData }: RankHistory): string {
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
