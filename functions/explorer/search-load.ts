// The search index kept current: built from aggregate SQL over the lake (DuckDB groups; a few thousand rows reach
// JavaScript, not the millions of chart entries), checked against the lake's version at most every few seconds and
// rebuilt in the background while searches go on answering from the previous index.
import type { Clock } from '#functions/ports.js';
import type { ExplorerLake } from './ports.js';
import { SearchIndex, type IndexRows } from './search.js';

/** A lake's version is looked at no more often than this; a rebuild starts when it changed. */
export const CHECK_EVERY_MS = 5_000;

/** Each song once: its latest name, credits and album, and its success over every chart. */
const SONGS_SQL = `SELECT song_id,
    max_by(song_name, snapshot_date) AS name, max_by(artist_ids, snapshot_date) AS artist_ids,
    max_by(artist_names, snapshot_date) AS artist_names, max_by(album_id, snapshot_date) AS album_id,
    max_by(url, snapshot_date) AS url, min(position) AS peak, count(DISTINCT snapshot_date) AS days,
    sum(streams) AS streams, min(snapshot_date) AS first_date, max(snapshot_date) AS latest_date
  FROM song_data WHERE song_id IS NOT NULL GROUP BY song_id`;

/**
 * Each credited artist once: by Spotify id where the entry was enriched, by name where it was not (a chart CSV
 * alone gives names only). The two lists of a row are unnested side by side (DuckDB zips them, padding with NULL).
 */
const ARTISTS_SQL = `WITH credits AS (
    SELECT unnest(artist_names) AS name, unnest(artist_ids) AS artist_id, song_id, snapshot_date, position, streams
    FROM song_data WHERE song_id IS NOT NULL)
  SELECT artist_id, max_by(name, snapshot_date) AS name, count(DISTINCT song_id) AS songs,
    count(DISTINCT snapshot_date) AS days, min(position) AS peak, sum(streams) AS streams,
    min(snapshot_date) AS first_date, max(snapshot_date) AS latest_date
  FROM credits WHERE name IS NOT NULL
  GROUP BY artist_id, CASE WHEN artist_id IS NULL THEN name END`;

const ALBUMS_SQL = `SELECT album_id, max_by(name, snapshot_date) AS name,
    max_by(release_date, snapshot_date) AS release_date, max_by(album_type, snapshot_date) AS album_type,
    max_by(url, snapshot_date) AS url
  FROM album_data GROUP BY album_id`;

/** Every chart day: what the day page's previous/next links and the artist page's shares of streams need. */
const CHART_DAYS_SQL = `SELECT chart_id, any_value(region) AS region, snapshot_date, count(*) AS entries,
    sum(streams) AS streams
  FROM song_data GROUP BY chart_id, snapshot_date`;

/** The index of the lake as it is now, `version` being the lake's version read before the queries ran. */
export async function loadSearchIndex(lake: ExplorerLake, version: string): Promise<SearchIndex> {
  const rows: IndexRows = {
    songs: (await lake.query(SONGS_SQL)).rows,
    artists: (await lake.query(ARTISTS_SQL)).rows,
    albums: (await lake.query(ALBUMS_SQL)).rows,
    chartDays: (await lake.query(CHART_DAYS_SQL)).rows,
  };
  return new SearchIndex(rows, version);
}

export interface LiveIndexOptions {
  readonly checkEveryMs?: number;
  /** Where a failed background rebuild is told (the previous index stays in use). */
  readonly onError?: (error: unknown) => void;
}

/**
 * The index in use, refreshed when the lake changes. The first search waits for the first build; later ones get the
 * index at hand at once, and at most every `checkEveryMs` (by the injected clock) one of them starts a check of the
 * lake's version, and a rebuild when it changed, in the background.
 */
export class LiveSearchIndex {
  private index: SearchIndex | undefined;
  private first: Promise<SearchIndex> | undefined;
  private running: Promise<void> | undefined;
  private checkedAt = 0;
  private readonly checkEveryMs: number;

  constructor(
    private readonly lake: ExplorerLake,
    private readonly clock: Clock,
    private readonly options: LiveIndexOptions = {},
  ) {
    this.checkEveryMs = options.checkEveryMs ?? CHECK_EVERY_MS;
  }

  async current(): Promise<SearchIndex> {
    if (!this.index) {
      this.first ??= this.build().finally(() => (this.first = undefined));
      return this.first;
    }
    const now = this.clock.now().getTime();
    if (!this.running && now - this.checkedAt >= this.checkEveryMs) {
      this.checkedAt = now;
      this.running = this.refresh()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => (this.running = undefined));
    }
    return this.index;
  }

  /** Resolves when no check or rebuild is running (tests and shutdown wait for it). */
  async idle(): Promise<void> {
    await this.running;
    await this.first?.catch(() => undefined);
  }

  private async build(): Promise<SearchIndex> {
    this.checkedAt = this.clock.now().getTime();
    const index = await loadSearchIndex(this.lake, await this.lake.version());
    this.index = index;
    return index;
  }

  private async refresh(): Promise<void> {
    const version = await this.lake.version();
    if (version === this.index?.version) return;
    this.index = await loadSearchIndex(this.lake, version);
  }
}

const live = new WeakMap<ExplorerLake, LiveSearchIndex>();

/** One live index per lake: the pages and the search share it. */
export function liveSearchIndex(
  lake: ExplorerLake,
  clock: Clock,
  options?: LiveIndexOptions,
): LiveSearchIndex {
  let index = live.get(lake);
  if (!index) {
    index = new LiveSearchIndex(lake, clock, options);
    live.set(lake, index);
  }
  return index;
}
