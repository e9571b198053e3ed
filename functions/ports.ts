// The small interfaces the domain code talks through; AWS and local adapters implement them.
import type { SpotifyAlbum, SpotifyArtist, SpotifyTrack, PlaylistItem } from './core/spotify-types.js';

/** Object storage: an S3 bucket on AWS, a folder on a laptop. Keys use `/` separators. */
export interface Storage {
  /** The whole object, or undefined when the key does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** The object as a stream of chunks (for large raw objects), or undefined when the key does not exist. */
  read(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Every key under the prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Copy then delete; a missing source is an error. */
  move(from: string, to: string): Promise<void>;
}

export interface DeliveryReport {
  readonly delivered: number;
  readonly batches: number;
  /** Records re-sent after a partial failure. */
  readonly retried: number;
}

/** Kinesis Data Firehose semantics: records in, buffered objects out somewhere else. */
export interface DeliveryStream {
  /** Sends JSON records (without trailing newline); resolves when every record is accepted, throws otherwise. */
  put(records: readonly string[]): Promise<DeliveryReport>;
  /** Forces buffered records out (a no-op where the service buffers on its own). */
  flush(): Promise<void>;
}

/**
 * SQL over the lake's tables (song_data, album_data, artist_data): DuckDB on a laptop (LakeQueryEngine), Athena on
 * AWS (AthenaSqlEngine). The data-quality checks, the lake status and `spotify-etl chart` talk through it.
 */
export interface QueryEngine {
  /** The result's rows, one object per row keyed by column name; throws when the engine cannot run the query. */
  query(sql: string): Promise<{ readonly rows: readonly Record<string, unknown>[] }>;
}

export interface CatalogStats {
  /** HTTP requests sent to the Web API (retries included). */
  readonly apiCalls: number;
  readonly retries: number;
  readonly tokenRequests: number;
}

/** The Spotify Web API as the extractor needs it: one call per id, pages of playlist items. */
export interface SpotifyCatalog {
  /** undefined when Spotify answers 404 (track removed or unknown). */
  getTrack(id: string): Promise<SpotifyTrack | undefined>;
  getAlbum(id: string): Promise<SpotifyAlbum | undefined>;
  getArtist(id: string): Promise<SpotifyArtist | undefined>;
  playlistItems(playlistId: string): AsyncIterable<PlaylistItem>;
  stats(): CatalogStats;
}

/**
 * Mutual exclusion over one lake's committed data, across processes: a folder lake used by a cron job and a
 * hand run at once. `hold` runs `fn` when no other holder runs; it says when it has to wait.
 */
export interface LakeLock {
  hold<T>(fn: () => Promise<T>): Promise<T>;
}

/** For stores whose writers are serialised otherwise (the transformer Lambda's reserved concurrency of 1). */
export const unlocked: LakeLock = { hold: (fn) => fn() };

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Structured log lines; the CLI prints them for humans, Lambda as JSON. */
export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
