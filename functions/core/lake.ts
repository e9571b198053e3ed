// The lake's layout: every key prefix the pipeline reads or writes, in one place, and how its files are named.
import type { Storage } from '../ports.js';
export const ROOT = 'top_200_global';
export const INBOX = `${ROOT}/inbox/`;
export const INBOX_DONE = `${ROOT}/inbox/done/`;
export const INBOX_FAILED = `${ROOT}/inbox/failed/`;
export const TO_PROCESS = `${ROOT}/raw_data/to_process/`;
export const PROCESSED = `${ROOT}/raw_data/processed/`;
export const REJECTED = `${ROOT}/raw_data/rejected/`;
export const TRANSFORMED = `${ROOT}/transformed_data/`;
export const CACHE = `${ROOT}/cache/`;
/** Chart dates written and not yet checked: `<date>/<raw object name>`, one empty object per transform. */
export const CHECKS_PENDING = `${ROOT}/checks/pending/`;
/** Absences and short charts declared by hand (a day Spotify published no chart); both the CLI and the checker read it. */
export const KNOWN_GAPS = `${ROOT}/checks/known-gaps.json`;
export const TABLES = ['album_data', 'artist_data', 'song_data'] as const;
export type TableName = (typeof TABLES)[number];

export function partitionPrefix(table: TableName, snapshotDate: string): string {
  return `${TRANSFORMED}${table}/snapshot_date=${snapshotDate}/`;
}

/** The last path segment of a key. */
export function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/**
 * `playlist:abc` → `playlist-abc`: a chart id as file names carry it. The schema's chart id pattern keeps this
 * one-to-one (no chart id may start with `playlist-`).
 */
export function fileSafeChartId(chartId: string): string {
  return chartId.replace(/[^0-9A-Za-z_-]+/g, '-');
}

/** Whether an object exists: another process may have moved it since it was listed or read. */
export async function keyExists(storage: Storage, key: string): Promise<boolean> {
  return (await storage.list(key)).includes(key);
}

/** The non-empty lines of a stored NDJSON text (none when the object is gone). */
export function ndjsonLines(body: Uint8Array | undefined): string[] {
  if (!body) return [];
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Rows as newline-delimited JSON, the lake's file format: one JSON text per row, each ended by a newline. */
export function ndjson(rows: Iterable<unknown>): string {
  let out = '';
  for (const row of rows) out += JSON.stringify(row) + '\n';
  return out;
}
