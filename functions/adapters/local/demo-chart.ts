// The demo's daily chart: ranking the pool by streams, the history behind peak rank and days on chart, the
// local-file entry, and the charts.spotify.com CSV form.
import { demoId } from './demo-ids.js';
import { labelOf } from './demo-names.js';
import { albumOf, demoTrack } from './demo-objects.js';
import { DEBUTS_PER_DAY, WINDOW_DAYS, dateOf, streamsOn } from './demo-streams.js';

const CHART_SIZE = 200;
/** Fixed position of the local-file entry, a case real playlists have and the pipeline must carry. */
export const DEMO_LOCAL_FILE_POSITION = 137;

export interface DemoChartRow {
  readonly position: number;
  readonly uri: string;
  readonly trackName: string;
  readonly artistNames: readonly string[];
  readonly label: string;
  readonly streams: number;
  readonly peakRank: number;
  readonly previousRank: number | null;
  readonly daysOnChart: number;
}

/** Published position of natural rank i (0-based): the songs from the local file's position down move one lower. */
const published = (i: number): number => (i + 1 < DEMO_LOCAL_FILE_POSITION ? i + 1 : i + 2);

/** The rankings of one region's charts, day by day, with the caches a forward pass over the days needs. */
export class DemoRanking {
  private readonly charts = new Map<number, readonly number[]>();
  private readonly ranks = new Map<number, ReadonlyMap<number, number>>();
  /** Days on chart and peak of every track charted so far, as of `cursor` (a forward pass over the days). */
  private history = new Map<number, { days: number; peak: number }>();
  private cursor = -1;

  /** `salt` is 0 for the global chart; regional charts reorder the same songs. */
  constructor(private readonly salt: number) {}

  /** Pool track → rank (0-based) on the chart of `day`. */
  rankOf(day: number): ReadonlyMap<number, number> {
    let map = this.ranks.get(day);
    if (!map) {
      map = new Map(this.ranking(day).map((k, i) => [k, i]));
      this.ranks.set(day, map);
    }
    return map;
  }

  /** The pool tracks on the chart of `day`, best first. */
  ranking(day: number): readonly number[] {
    const cached = this.charts.get(day);
    if (cached) return cached;
    const from = Math.max(0, (day - WINDOW_DAYS) * DEBUTS_PER_DAY);
    const to = (day + 1) * DEBUTS_PER_DAY;
    const scored: [number, number][] = [];
    for (let k = from; k < to; k++) scored.push([k, streamsOn(k, day, this.salt)]);
    scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const top = scored.slice(0, CHART_SIZE - 1).map(([k]) => k); // the local file takes the 200th place
    this.charts.set(day, top);
    return top;
  }

  /**
   * Stats as of `day`. Charts are mostly asked for in date order (a run, a backfill), so one forward pass serves
   * them all; asking for an earlier day starts a new pass WINDOW_DAYS back (no song charts longer than that).
   */
  historyAt(day: number): ReadonlyMap<number, { readonly days: number; readonly peak: number }> {
    if (day <= this.cursor || this.cursor < day - WINDOW_DAYS - 1) {
      this.history = new Map();
      this.cursor = Math.max(0, day - WINDOW_DAYS - 1);
    }
    for (let d = this.cursor + 1; d <= day; d++) {
      this.ranking(d).forEach((k, i) => {
        const h = this.history.get(k);
        if (h) {
          h.days++;
          h.peak = Math.min(h.peak, published(i));
        } else this.history.set(k, { days: 1, peak: published(i) });
      });
      this.charts.delete(d - 2); // rankings older than yesterday are not needed again in a forward pass
      this.ranks.delete(d - 2);
    }
    this.cursor = day;
    return this.history;
  }

  /** The published rows of `day`'s chart, the local file included. */
  chartRows(day: number): DemoChartRow[] {
    if (day < 1) throw new Error(`the demo chart starts on ${dateOf(1)}`);
    const history = this.historyAt(day);
    const rows: DemoChartRow[] = this.ranking(day).map((k, i) => {
      const position = published(i);
      const { days, peak } = history.get(k) ?? { days: 1, peak: position };
      const prev = this.rankOf(day - 1).get(k);
      const t = demoTrack(k);
      return {
        position,
        uri: `spotify:track:${demoId('track', k)}`,
        trackName: t.name,
        artistNames: t.artists?.map((a) => a.name) ?? [],
        label: labelOf(albumOf(k)),
        streams: streamsOn(k, day, this.salt),
        peakRank: peak,
        previousRank: prev === undefined ? null : published(prev),
        daysOnChart: days,
      };
    });
    rows.splice(DEMO_LOCAL_FILE_POSITION - 1, 0, localFileRow(rows, day));
    return rows;
  }
}

/**
 * A local file, as a user's playlist can hold: no Spotify id, so no enrichment. It sits at the same position
 * every day and pushes the songs below it down one, so previous_rank stays consistent from day to day.
 */
function localFileRow(rows: readonly DemoChartRow[], day: number): DemoChartRow {
  const above = rows[DEMO_LOCAL_FILE_POSITION - 2]?.streams ?? 0;
  const below = rows[DEMO_LOCAL_FILE_POSITION - 1]?.streams ?? 0;
  return {
    position: DEMO_LOCAL_FILE_POSITION,
    uri: 'spotify:local:Garage+Tapes:Basement+Sessions:Demo+Song+%231:184',
    trackName: 'Demo Song #1',
    artistNames: ['Garage Tapes'],
    label: 'self-released',
    streams: Math.round((above + below) / 2),
    peakRank: DEMO_LOCAL_FILE_POSITION,
    previousRank: day > 1 ? DEMO_LOCAL_FILE_POSITION : null,
    daysOnChart: day,
  };
}

/** Chart rows as a charts.spotify.com CSV (BOM, quoted fields, -1 for new entries). */
export function chartCsvOf(rows: readonly DemoChartRow[]): string {
  const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const lines = [
    '\uFEFFrank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams',
  ];
  for (const r of rows) {
    lines.push(
      [
        r.position,
        q(r.uri),
        q(r.artistNames.join(', ')),
        q(r.trackName),
        q(r.label),
        r.peakRank,
        r.previousRank ?? -1,
        r.daysOnChart,
        q(String(r.streams)),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}
