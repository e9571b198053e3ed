// What the song, artist, album and home pages show, read from the search index and, for histories, from the lake
// through its port: every value in the SQL is checked by the caller and quoted with sqlString; the date range comes
// from the index, so a query reads the days the song or artist charted only.
import { everyDay } from '#functions/core/dates.js';
import { sqlString } from '#functions/core/sql.js';
import { count } from './lake-values.js';
import type { ExplorerLake } from './ports.js';
import type { AlbumEntity, ArtistEntity, ChartDays, SearchIndex, SongEntity } from './search.js';
import { dayChart, type DayEntry } from './day-pages.js';

/** A series per chart over every calendar day of `dates`: null where there is no value (off the chart). */
export interface PlotSeries {
  readonly dates: readonly string[];
  readonly series: readonly { readonly label: string; readonly values: readonly (number | null)[] }[];
}

/** One chart's part of a history: its entries (date, position, streams) and their totals. */
export interface ChartHistory {
  readonly chartId: string;
  readonly region: string | null;
  readonly entries: readonly {
    readonly date: string;
    readonly position: number;
    readonly streams: number | null;
  }[];
  readonly peak: number;
  readonly days: number;
  readonly streams: number | null;
  /** Days this chart has data for, between the first and last entry, on which the song was not on it. */
  readonly offChart: readonly string[];
}

export interface SongPage {
  readonly song: SongEntity;
  readonly album: AlbumEntity | undefined;
  readonly charts: readonly ChartHistory[];
  readonly ranks: PlotSeries;
}

export interface ArtistPage {
  readonly artist: ArtistEntity;
  readonly songs: readonly SongEntity[];
  readonly charts: readonly ChartHistory[];
  /** Per chart, the artist's share (percent) of the streams of each day's whole chart. */
  readonly shares: PlotSeries;
  /** The same by month, for the page's table. */
  readonly months: readonly MonthShare[];
}

export interface MonthShare {
  readonly chartId: string;
  /** YYYY-MM */
  readonly month: string;
  readonly days: number;
  readonly peak: number;
  readonly streams: number | null;
  /** Percent of all the chart's streams that month; null when the chart has no streams (playlists). */
  readonly share: number | null;
}

export interface HomePage {
  readonly charts: readonly ChartDays[];
  readonly songs: number;
  readonly artists: number;
  readonly albums: number;
  /** The main chart (global if the lake has it, else the one with the most days) on its latest day. */
  readonly latest:
    { readonly chart: ChartDays; readonly date: string; readonly top: readonly DayEntry[] } | undefined;
}

const dateLiteral = (date: string): string => `DATE ${sqlString(date)}`;

interface EntryRow {
  readonly chartId: string;
  readonly date: string;
  readonly position: number;
  readonly streams: number | null;
}

const entryRows = (rows: readonly Record<string, unknown>[]): EntryRow[] =>
  rows.map((r) => ({
    chartId: String(r.chart_id),
    date: String(r.day),
    position: count(r.position) ?? 0,
    streams: count(r.streams),
  }));

/** Entries grouped by chart, with each chart's peak, days, streams and the chart days it missed. */
function byChart(index: SearchIndex, rows: readonly EntryRow[]): ChartHistory[] {
  const charts = new Map<string, EntryRow[]>();
  for (const r of rows) {
    const list = charts.get(r.chartId);
    if (list) list.push(r);
    else charts.set(r.chartId, [r]);
  }
  return [...charts.entries()].map(([chartId, entries]) => {
    const chart = index.chart(chartId);
    const on = new Set(entries.map((e) => e.date));
    const [first, last] = [entries[0]!.date, entries.at(-1)!.date];
    const streams = entries.filter((e) => e.streams !== null);
    return {
      chartId,
      region: chart?.region ?? null,
      entries: entries.map(({ date, position, streams }) => ({ date, position, streams })),
      peak: Math.min(...entries.map((e) => e.position)),
      days: entries.length,
      streams: streams.length > 0 ? streams.reduce((n, e) => n + e.streams!, 0) : null,
      offChart: (chart?.dates ?? []).filter((d) => d > first && d < last && !on.has(d)),
    };
  });
}

/** One series per chart over every day from the first entry to the last; `value` gives a day's point. */
function seriesOf(
  charts: readonly ChartHistory[],
  value: (chart: ChartHistory, entry: ChartHistory['entries'][number]) => number | null,
): PlotSeries {
  const all = charts.flatMap((c) => c.entries.map((e) => e.date)).sort();
  const dates = all.length > 0 ? everyDay(all[0]!, all.at(-1)!) : [];
  const at = new Map(dates.map((d, i) => [d, i]));
  return {
    dates,
    series: charts.map((c) => {
      const values: (number | null)[] = dates.map(() => null);
      for (const e of c.entries) values[at.get(e.date)!] = value(c, e);
      return { label: c.chartId, values };
    }),
  };
}

/** The song's page, or undefined when the index does not know the id (a checked base62 id). */
export async function songPage(
  lake: ExplorerLake,
  index: SearchIndex,
  songId: string,
): Promise<SongPage | undefined> {
  const song = index.songs.get(songId);
  if (!song) return undefined;
  const { rows } = await lake.query(
    `SELECT chart_id, CAST(snapshot_date AS VARCHAR) AS day, min(position) AS position, max(streams) AS streams
     FROM song_data
     WHERE song_id = ${sqlString(songId)}
       AND snapshot_date BETWEEN ${dateLiteral(song.firstDate)} AND ${dateLiteral(song.latestDate)}
     GROUP BY chart_id, snapshot_date ORDER BY chart_id, snapshot_date`,
  );
  const charts = byChart(index, entryRows(rows));
  return {
    song,
    album: song.albumId ? index.albums.get(song.albumId) : undefined,
    charts,
    ranks: seriesOf(charts, (_c, e) => e.position),
  };
}

/** The SQL condition for an artist's entries: by id (and by name where entries carry no ids), or by name. */
const creditedTo = (artist: ArtistEntity): string => {
  const byName = `(len(artist_ids) = 0 AND list_contains(artist_names, ${sqlString(artist.name)}))`;
  return artist.id ? `(list_contains(artist_ids, ${sqlString(artist.id)}) OR ${byName})` : byName;
};

export async function artistPage(
  lake: ExplorerLake,
  index: SearchIndex,
  artist: ArtistEntity,
): Promise<ArtistPage> {
  const { rows } = await lake.query(
    `SELECT chart_id, CAST(snapshot_date AS VARCHAR) AS day, min(position) AS position, sum(streams) AS streams
     FROM song_data
     WHERE ${creditedTo(artist)}
       AND snapshot_date BETWEEN ${dateLiteral(artist.firstDate)} AND ${dateLiteral(artist.latestDate)}
     GROUP BY chart_id, snapshot_date ORDER BY chart_id, snapshot_date`,
  );
  const charts = byChart(index, entryRows(rows));
  const totals = new Map(
    index.charts.map((c) => [c.chartId, new Map(c.dates.map((d, i) => [d, c.streams[i] ?? null]))]),
  );
  const shares = seriesOf(charts, (c, e) => {
    const total = totals.get(c.chartId)?.get(e.date);
    return percent(e.streams, total);
  });
  return { artist, songs: index.songsOf(artist), charts, shares, months: monthsOf(charts, totals) };
}

const percent = (part: number | null, whole: number | null | undefined): number | null =>
  part !== null && whole ? Math.round((part / whole) * 10_000) / 100 : null;

/** Each chart's entries by month: days, best position, streams and their share of the month's chart streams. */
function monthsOf(
  charts: readonly ChartHistory[],
  totals: ReadonlyMap<string, ReadonlyMap<string, number | null>>,
): MonthShare[] {
  return charts.flatMap((c) => {
    const months = new Map<string, { days: number; peak: number; streams: number | null }>();
    for (const e of c.entries) {
      const m = months.get(e.date.slice(0, 7)) ?? { days: 0, peak: Infinity, streams: null };
      m.days++;
      m.peak = Math.min(m.peak, e.position);
      if (e.streams !== null) m.streams = (m.streams ?? 0) + e.streams;
      months.set(e.date.slice(0, 7), m);
    }
    const whole = new Map<string, number>();
    for (const [date, total] of totals.get(c.chartId) ?? []) {
      whole.set(date.slice(0, 7), (whole.get(date.slice(0, 7)) ?? 0) + (total ?? 0));
    }
    return [...months.entries()].map(([month, m]) => ({
      chartId: c.chartId,
      month,
      ...m,
      share: percent(m.streams, whole.get(month)),
    }));
  });
}

export const albumPage = (
  index: SearchIndex,
  album: AlbumEntity,
): { album: AlbumEntity; songs: readonly SongEntity[] } => ({ album, songs: index.songsOf(album) });

/** The chart the home and day pages open on: global when the lake has it, else the one with the most days. */
export function mainChart(index: SearchIndex): ChartDays | undefined {
  return [...index.charts].sort(
    (a, b) =>
      Number(b.region === 'global') - Number(a.region === 'global') ||
      b.dates.length - a.dates.length ||
      a.chartId.localeCompare(b.chartId),
  )[0];
}

export async function homePage(lake: ExplorerLake, index: SearchIndex): Promise<HomePage> {
  const chart = mainChart(index);
  const date = chart?.dates.at(-1);
  const latest =
    chart && date
      ? { chart, date, top: (await dayChart(lake, chart.chartId, date, 10)).slice(0, 10) }
      : undefined;
  return {
    charts: index.charts,
    songs: index.songs.size,
    artists: index.artistCount,
    albums: index.albums.size,
    latest,
  };
}
