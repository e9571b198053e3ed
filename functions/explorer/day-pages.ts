// The day page: one chart on one date, read from that date's partition only, with the chart days before and after
// it (from the search index), its biggest climbs and falls against previous_rank, and its new entries.
import { sqlString } from '#functions/core/sql.js';
import { count, strings, text } from './lake-values.js';
import type { ExplorerLake } from './ports.js';
import type { ArtistCredit, ChartDays, SearchIndex } from './search.js';

/** Movers shown per list. */
export const MOVERS = 10;

export interface DayEntry {
  readonly position: number;
  readonly songId: string | null;
  readonly name: string;
  readonly artists: readonly ArtistCredit[];
  readonly streams: number | null;
  /** null: new on the chart, or back on it (a re-entry: days_on_chart above 1). */
  readonly previousRank: number | null;
  readonly peakRank: number | null;
  readonly daysOnChart: number | null;
}

export interface Mover extends DayEntry {
  /** Places gained since the previous chart (negative: lost). */
  readonly change: number;
}

export type DayPage =
  | {
      readonly kind: 'chart';
      readonly chart: ChartDays;
      readonly date: string;
      readonly previous: string | undefined;
      readonly next: string | undefined;
      readonly entries: readonly DayEntry[];
      readonly climbs: readonly Mover[];
      readonly falls: readonly Mover[];
      readonly newEntries: readonly DayEntry[];
    }
  /** The chart exists but has no data for the date: the nearest days it has. */
  | {
      readonly kind: 'no-data';
      readonly chart: ChartDays;
      readonly date: string;
      readonly previous: string | undefined;
      readonly next: string | undefined;
    };

const entryOf = (r: Record<string, unknown>): DayEntry => {
  const ids = strings(r.artist_ids);
  return {
    position: count(r.position) ?? 0,
    songId: text(r.song_id),
    name: text(r.song_name) ?? '',
    artists: strings(r.artist_names).map((name, i) => ({ id: ids[i] ?? null, name })),
    streams: count(r.streams),
    previousRank: count(r.previous_rank),
    peakRank: count(r.peak_rank),
    daysOnChart: count(r.days_on_chart),
  };
};

/** The chart's entries on `date`, best position first (at most `limit`). Both values are checked by the caller. */
export async function dayChart(
  lake: ExplorerLake,
  chartId: string,
  date: string,
  limit?: number,
): Promise<DayEntry[]> {
  const { rows } = await lake.query(
    `SELECT position, song_id, song_name, artist_ids, artist_names, streams, previous_rank, peak_rank, days_on_chart
     FROM song_data
     WHERE snapshot_date = DATE ${sqlString(date)} AND chart_id = ${sqlString(chartId)}
     ORDER BY position, song_id${limit !== undefined ? ` LIMIT ${Math.trunc(limit)}` : ''}`,
  );
  return rows.map(entryOf);
}

/** The chart day before and after `date` that the chart has (gaps in the lake are skipped). */
export function neighbours(
  chart: ChartDays,
  date: string,
): { readonly previous: string | undefined; readonly next: string | undefined } {
  const later = chart.dates.findIndex((d) => d > date);
  const after = later < 0 ? chart.dates.length : later;
  const before = chart.dates[after - 1] === date ? after - 2 : after - 1;
  return { previous: before >= 0 ? chart.dates[before] : undefined, next: chart.dates[after] };
}

/** Climbs (most places gained first) and falls (most lost first) against previous_rank; ties by position. */
export function movers(entries: readonly DayEntry[]): { climbs: Mover[]; falls: Mover[] } {
  const moved = entries
    .filter((e) => e.previousRank !== null && e.previousRank !== e.position)
    .map((e) => ({ ...e, change: e.previousRank! - e.position }));
  return {
    climbs: moved
      .filter((m) => m.change > 0)
      .sort((a, b) => b.change - a.change || a.position - b.position)
      .slice(0, MOVERS),
    falls: moved
      .filter((m) => m.change < 0)
      .sort((a, b) => a.change - b.change || a.position - b.position)
      .slice(0, MOVERS),
  };
}

/** Entries without a previous rank: new on the chart, or re-entries (days_on_chart above 1). */
export const newEntries = (entries: readonly DayEntry[]): DayEntry[] =>
  entries.filter((e) => e.previousRank === null);

/** The page for a chart and a checked date; undefined when the lake has no such chart. */
export async function dayPage(
  lake: ExplorerLake,
  index: SearchIndex,
  chartId: string,
  date: string,
): Promise<DayPage | undefined> {
  const chart = index.chart(chartId);
  if (!chart) return undefined;
  const around = neighbours(chart, date);
  if (!chart.dates.includes(date)) return { kind: 'no-data', chart, date, ...around };
  const entries = await dayChart(lake, chartId, date);
  return {
    kind: 'chart',
    chart,
    date,
    ...around,
    entries,
    ...movers(entries),
    newEntries: newEntries(entries),
  };
}
