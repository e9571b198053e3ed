// Rank history: chart entries of one chart → one series of daily ranks per song, with gaps where it was off the chart.
import { everyDay, isIsoDate } from './dates.js';

/** One chart entry as the history needs it: the chart date, the position and who the song is. */
export interface RankEntry {
  readonly snapshot_date: string;
  readonly position: number;
  readonly song_name: string;
  /** The credited artists, as a list or already joined with ", ". */
  readonly artists: readonly string[] | string;
}

export interface RankSeries {
  readonly song: string;
  readonly artists: string;
  /** "song — artists", what a legend shows. */
  readonly label: string;
  /** One rank per date of the history, null on days the song was not on the chart. */
  readonly ranks: readonly (number | null)[];
  /** The best (smallest) position in the history and its first day. */
  readonly peak: number;
  readonly peakDate: string;
  readonly daysOnChart: number;
}

export interface RankHistory {
  /** Every calendar day from the first to the last, so that the x axis is time. */
  readonly dates: readonly string[];
  /** Songs, best peak first. */
  readonly series: readonly RankSeries[];
  /** Days of `dates` on which the chart itself has no data (so an absence there says nothing about a song). */
  readonly datesWithoutData: readonly string[];
}

export interface RankHistoryOptions {
  /** First and last day of the x axis; by default the first and last day of the entries. */
  readonly from?: string;
  readonly to?: string;
  /** The days the chart has data for; without it every day of the range is assumed to have a chart. */
  readonly chartDates?: readonly string[];
  /** Keep the songs with the best peak only. */
  readonly maxSongs?: number;
}

/** Every calendar day from `from` to `to`, both included: the history's x axis. */
export { everyDay as daysBetween } from './dates.js';

const artistText = (artists: readonly string[] | string): string =>
  typeof artists === 'string' ? artists : artists.join(', ');

/** Builds one series per song (a song is its name with its artists) over every day of the range. */
export function buildRankHistory(
  entries: readonly RankEntry[],
  options: RankHistoryOptions = {},
): RankHistory {
  for (const d of [options.from, options.to]) {
    if (d !== undefined && !isIsoDate(d)) throw new RangeError(`${d} is not a YYYY-MM-DD date`);
  }
  const entryDates = entries.map((e) => e.snapshot_date).sort();
  const from = options.from ?? entryDates[0];
  const to = options.to ?? entryDates.at(-1);
  const dates = from !== undefined && to !== undefined ? everyDay(from, to) : [];
  const index = new Map(dates.map((d, i) => [d, i]));

  const songs = new Map<string, { song: string; artists: string; ranks: (number | null)[] }>();
  for (const e of entries) {
    const i = index.get(e.snapshot_date);
    if (i === undefined) continue; // outside the range
    const artists = artistText(e.artists);
    const key = `${e.song_name}\u0000${artists}`;
    let s = songs.get(key);
    if (!s) {
      s = { song: e.song_name, artists, ranks: dates.map(() => null) };
      songs.set(key, s);
    }
    const current = s.ranks[i];
    // Two entries of one song on one day (two releases under one name): the better position counts.
    s.ranks[i] = current === null || current === undefined ? e.position : Math.min(current, e.position);
  }

  const series: RankSeries[] = [...songs.values()].map((s) => {
    let peak = Infinity;
    let peakDate = '';
    s.ranks.forEach((r, i) => {
      if (r !== null && r < peak) [peak, peakDate] = [r, dates[i]!];
    });
    return {
      song: s.song,
      artists: s.artists,
      label: s.artists ? `${s.song} — ${s.artists}` : s.song,
      ranks: s.ranks,
      peak,
      peakDate,
      daysOnChart: s.ranks.filter((r) => r !== null).length,
    };
  });
  series.sort((a, b) => a.peak - b.peak || b.daysOnChart - a.daysOnChart || a.label.localeCompare(b.label));

  const withData = options.chartDates ? new Set(options.chartDates) : undefined;
  return {
    dates,
    series: options.maxSongs === undefined ? series : series.slice(0, options.maxSongs),
    datesWithoutData: withData ? dates.filter((d) => !withData.has(d)) : [],
  };
}

/** The runs of consecutive days on the chart: where a line may be drawn (never across a gap). */
export function segmentsOf(
  ranks: readonly (number | null)[],
): { readonly start: number; readonly ranks: readonly number[] }[] {
  const out: { start: number; ranks: number[] }[] = [];
  let current: { start: number; ranks: number[] } | undefined;
  ranks.forEach((r, i) => {
    if (r === null) {
      current = undefined;
      return;
    }
    if (!current) {
      current = { start: i, ranks: [] };
      out.push(current);
    }
    current.ranks.push(r);
  });
  return out;
}
