// The lake's layout: every key prefix the pipeline reads or writes, in one place.
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

/** Rows as newline-delimited JSON, the lake's file format: one JSON text per row, each ended by a newline. */
export function ndjson(rows: Iterable<unknown>): string {
  let out = '';
  for (const row of rows) out += JSON.stringify(row) + '\n';
  return out;
}
