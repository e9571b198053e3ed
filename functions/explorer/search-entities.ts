// The search index's entities (songs, artists, albums, the charts' days) as read from the aggregate rows of
// search-load.ts's queries, and how their chart success compares.
import { count, strings, text } from './lake-values.js';
import { nameKey } from './search-text.js';

/** An artist as a song credits them: lakes without Spotify enrichment (a Charts CSV alone) know names only. */
export interface ArtistCredit {
  readonly id: string | null;
  readonly name: string;
}

/** How well something did, over every chart: best position, days with an entry, streams, first and last day. */
export interface ChartSuccess {
  readonly peak: number | null;
  readonly days: number;
  readonly streams: number | null;
  readonly firstDate: string;
  readonly latestDate: string;
}

export interface SongEntity extends ChartSuccess {
  readonly kind: 'song';
  readonly id: string;
  readonly name: string;
  readonly artists: readonly ArtistCredit[];
  readonly albumId: string | null;
  readonly url: string | null;
}

export interface ArtistEntity extends ChartSuccess {
  readonly kind: 'artist';
  /** null: known by name only (no chart entry of theirs was enriched). */
  readonly id: string | null;
  readonly name: string;
  readonly songs: number;
}

/** An album's success is its songs': best peak, summed streams, and the days of its longest-charting song. */
export interface AlbumEntity extends ChartSuccess {
  readonly kind: 'album';
  readonly id: string;
  readonly name: string;
  readonly artists: readonly ArtistCredit[];
  readonly songs: number;
  readonly releaseDate: string | null;
  readonly albumType: string | null;
  readonly url: string | null;
}

export type Entity = SongEntity | ArtistEntity | AlbumEntity;
export type EntityKind = Entity['kind'];

/** One chart's days in the lake, oldest first, with the day's entries and total streams. */
export interface ChartDays {
  readonly chartId: string;
  readonly region: string | null;
  readonly dates: readonly string[];
  readonly entries: readonly number[];
  readonly streams: readonly (number | null)[];
}

/** The aggregate rows the index is built from (search-load.ts says which query gives each). */
export interface IndexRows {
  readonly songs: readonly Record<string, unknown>[];
  readonly artists: readonly Record<string, unknown>[];
  readonly albums: readonly Record<string, unknown>[];
  readonly chartDays: readonly Record<string, unknown>[];
}

/** The key of an artist in `songsOf`: the Spotify id, or the name for an artist known by name only. */
export const artistKey = (a: { readonly id: string | null; readonly name: string }): string =>
  a.id ?? byName(a.name);

/** Names compare folded; a name of punctuation only (`¥$`) as it is. */
export const byName = (name: string): string => `name:${nameKey(name) || name}`;

const success = (r: Record<string, unknown>): ChartSuccess => ({
  peak: count(r.peak),
  days: count(r.days) ?? 0,
  streams: count(r.streams),
  firstDate: text(r.first_date) ?? '',
  latestDate: text(r.latest_date) ?? '',
});

const credits = (names: unknown, ids: unknown): ArtistCredit[] => {
  const idList = strings(ids);
  return strings(names).map((name, i) => ({ id: idList[i] ?? null, name }));
};

export const songOf = (r: Record<string, unknown>): SongEntity => ({
  kind: 'song',
  id: String(r.song_id),
  name: text(r.name) ?? '',
  artists: credits(r.artist_names, r.artist_ids),
  albumId: text(r.album_id),
  url: text(r.url),
  ...success(r),
});

export const artistOf = (r: Record<string, unknown>): ArtistEntity => ({
  kind: 'artist',
  id: text(r.artist_id),
  name: text(r.name) ?? '',
  songs: count(r.songs) ?? 0,
  ...success(r),
});

export function albumOf(r: Record<string, unknown>, songs: readonly SongEntity[]): AlbumEntity {
  const peaks = songs.map((s) => s.peak).filter((p): p is number => p !== null);
  const streams = songs.map((s) => s.streams).filter((s): s is number => s !== null);
  const artists = new Map<string, ArtistCredit>();
  for (const a of songs.flatMap((s) => s.artists.slice(0, 1))) artists.set(artistKey(a), a);
  const dates = songs.flatMap((s) => [s.firstDate, s.latestDate]).sort();
  return {
    kind: 'album',
    id: String(r.album_id),
    name: text(r.name) ?? '',
    artists: [...artists.values()],
    songs: songs.length,
    releaseDate: text(r.release_date),
    albumType: text(r.album_type),
    url: text(r.url),
    peak: peaks.length > 0 ? Math.min(...peaks) : null,
    days: Math.max(0, ...songs.map((s) => s.days)),
    streams: streams.length > 0 ? streams.reduce((a, b) => a + b, 0) : null,
    firstDate: dates[0] ?? '',
    latestDate: dates.at(-1) ?? '',
  };
}

export function chartDaysOf(rows: readonly Record<string, unknown>[]): ChartDays[] {
  const charts = new Map<string, { region: string | null; days: Record<string, unknown>[] }>();
  for (const r of rows) {
    const id = String(r.chart_id);
    const chart = charts.get(id) ?? { region: text(r.region), days: [] };
    chart.days.push(r);
    charts.set(id, chart);
  }
  return [...charts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([chartId, { region, days }]) => {
      days.sort((a, b) => String(a.snapshot_date).localeCompare(String(b.snapshot_date)));
      return {
        chartId,
        region,
        dates: days.map((d) => String(d.snapshot_date)),
        entries: days.map((d) => count(d.entries) ?? 0),
        streams: days.map((d) => count(d.streams)),
      };
    });
}

/** Better first: peak (1 is best), then more days, then more streams, then the name. */
export function bySuccess(a: Entity, b: Entity): number {
  return (
    (a.peak ?? Infinity) - (b.peak ?? Infinity) ||
    b.days - a.days ||
    (b.streams ?? -1) - (a.streams ?? -1) ||
    a.name.localeCompare(b.name)
  );
}
