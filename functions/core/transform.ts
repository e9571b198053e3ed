// Transformation: a raw object (NDJSON, plain or gzip) → album/artist/song rows partitioned by chart date,
// invalid lines set aside with their reason, the raw object moved to processed/.
//
// Double counting rule: a chart day holds the rows of ONE extraction run — the latest (greatest run id).
//  - the same line twice in an object: the second is a duplicate and is dropped;
//  - the same S3 event twice: the raw object is already in processed/, so the second delivery does nothing,
//    and output names derive from the raw object, so a retried object overwrites its own files;
//  - the same chart extracted twice on one day: writing run B deletes run A's files for that chart day; lines
//    of a run older than one already written are counted as duplicates ("superseded") and not written.
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { Logger, Storage } from '../ports.js';
import { describeErrors, validators } from './schemas.js';
import { splitRecord } from './split.js';
import {
  PROCESSED,
  REJECTED,
  TABLES,
  TO_PROCESS,
  type TableName,
  baseName,
  partitionPrefix,
} from './lake.js';
import type { AlbumRow, ArtistRow, RawTrackRecord, SongRow } from './spotify-types.js';

export interface TransformDeps {
  readonly storage: Storage;
  readonly logger: Logger;
}

export interface ObjectReport {
  readonly key: string;
  readonly status: 'transformed' | 'already processed' | 'missing' | 'ignored' | 'failed';
  /** Non-empty lines read; always = rowsWritten + duplicates + rejected. */
  readonly linesIn: number;
  readonly rowsWritten: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly albumRows: number;
  readonly artistRows: number;
  readonly filesWritten: readonly string[];
  readonly rejectedKey?: string;
  readonly error?: string;
}

export interface TransformReport {
  readonly objects: readonly ObjectReport[];
  readonly linesIn: number;
  readonly rowsWritten: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly filesWritten: number;
  readonly failedObjects: readonly { readonly key: string; readonly error: string }[];
}

export interface RejectedLine {
  readonly raw_key: string;
  readonly line: number;
  readonly reason: string;
  readonly text: string;
}

interface Group {
  readonly date: string;
  readonly chartId: string;
  readonly runId: string;
  readonly songs: SongRow[];
  readonly albums: Map<string, AlbumRow>;
  readonly artists: Map<string, ArtistRow>;
}

/** `playlist:abc` → `playlist-abc`: chart ids become file-name safe. */
const slug = (chartId: string): string => chartId.replace(/[^0-9A-Za-z_-]+/g, '-');

/** Output file name inside a partition: `<chart>__<run id>__<raw object name>.json`. */
export function outputName(chartId: string, runId: string, rawKey: string): string {
  return `${slug(chartId)}__${runId}__${baseName(rawKey).replace(/\.gz$/, '')}.json`;
}

function parseOutputName(name: string): { chart: string; runId: string } | undefined {
  const [chart, runId] = name.split('__');
  return chart && runId ? { chart, runId } : undefined;
}

/** Lines of a stored object, gunzipped when it starts with the gzip magic bytes. */
async function* linesOf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => {
      let sentFirst = false;
      return {
        next: async () => {
          if (!sentFirst) {
            sentFirst = true;
            return first;
          }
          return iterator.next();
        },
      };
    },
  };
  const head = first.value;
  const gzipped = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const input = gzipped ? Readable.from(rest).pipe(createGunzip()) : Readable.from(rest);
  yield* createInterface({ input, crlfDelay: Infinity });
}

/** JSON + schema check of one raw line: the record, or the reason it is not one. */
export function parseRawLine(
  line: string,
): { readonly record: RawTrackRecord } | { readonly reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { reason: `malformed JSON: ${(error as Error).message}` };
  }
  if (!validators.rawTrackRecord(value)) {
    return {
      reason: `does not match schemas/raw-track-record.schema.json: ${describeErrors(validators.rawTrackRecord.errors)}`,
    };
  }
  return { record: value };
}

const ndjson = (rows: Iterable<unknown>): string => {
  let out = '';
  for (const row of rows) out += JSON.stringify(row) + '\n';
  return out;
};

/** The counts of an object that wrote nothing. */
const empty = {
  linesIn: 0,
  rowsWritten: 0,
  duplicates: 0,
  rejected: 0,
  albumRows: 0,
  artistRows: 0,
  filesWritten: [],
};

export async function transformObject(key: string, deps: TransformDeps): Promise<ObjectReport> {
  const { storage } = deps;
  if (!key.startsWith(TO_PROCESS)) return { key, status: 'ignored', ...empty };
  const processedKey = PROCESSED + key.slice(TO_PROCESS.length);
  const chunks = await storage.read(key);
  if (!chunks) {
    // A duplicate S3 event: the first delivery already moved the object.
    const done = (await storage.list(processedKey)).includes(processedKey);
    return { key, status: done ? 'already processed' : 'missing', ...empty };
  }

  const groups = new Map<string, Group>();
  const seen = new Map<string, string>();
  const rejectedLines: RejectedLine[] = [];
  let linesIn = 0;
  let duplicates = 0;
  let lineNo = 0;
  for await (const line of linesOf(chunks)) {
    lineNo++;
    if (line === '' || line.trim() === '') continue; // the cheap test first: most lines are not blank
    linesIn++;
    const reject = (reason: string): void => {
      rejectedLines.push({ raw_key: key, line: lineNo, reason, text: line });
    };
    const checked = parseRawLine(line);
    if ('reason' in checked) {
      reject(checked.reason);
      continue;
    }
    const { record } = checked;
    const entryKey = `${record.snapshot_date}|${record.source.id}|${record.run_id}|${record.position}`;
    const before = seen.get(entryKey);
    if (before !== undefined) {
      if (before === line) duplicates++;
      else
        reject(
          `position ${record.position} of ${record.source.id} on ${record.snapshot_date} already has another entry in run ${record.run_id}`,
        );
      continue;
    }
    seen.set(entryKey, line);
    const split = splitRecord(record);
    if ('reject' in split) {
      reject(split.reject);
      continue;
    }
    const groupKey = `${record.snapshot_date}|${record.source.id}|${record.run_id}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = {
        date: record.snapshot_date,
        chartId: record.source.id,
        runId: record.run_id,
        songs: [],
        albums: new Map(),
        artists: new Map(),
      };
      groups.set(groupKey, group);
    }
    group.songs.push(split.rows.song);
    if (split.rows.album) group.albums.set(split.rows.album.album_id, split.rows.album);
    for (const a of split.rows.artists)
      if (!group.artists.has(a.artist_id)) group.artists.set(a.artist_id, a);
  }

  let rowsWritten = 0;
  let albumRows = 0;
  let artistRows = 0;
  const filesWritten: string[] = [];
  // One listing per table and chart date for the whole object (a backfill object holds many charts of a day),
  // kept current as this object writes and deletes, so a later group of the same chart day sees an earlier one.
  const partitions = new Map<string, Set<string>>();
  const partition = async (table: TableName, date: string): Promise<Set<string>> => {
    const prefix = partitionPrefix(table, date);
    let keys = partitions.get(prefix);
    if (!keys) {
      keys = new Set(await storage.list(prefix));
      partitions.set(prefix, keys);
    }
    return keys;
  };
  // Latest run first: an older run of the same chart day in this object then counts as superseded, not written.
  const ordered = [...groups.values()].sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
  for (const group of ordered) {
    const name = outputName(group.chartId, group.runId, key);
    const mine = `${slug(group.chartId)}__`;
    const existing = new Map<TableName, string[]>();
    for (const table of TABLES) {
      const keys = [...(await partition(table, group.date))];
      existing.set(
        table,
        keys.filter((k) => baseName(k).startsWith(mine) && baseName(k) !== name),
      );
    }
    const runs = (existing.get('song_data') ?? []).map((k) => parseOutputName(baseName(k))?.runId ?? '');
    if (runs.some((r) => r > group.runId)) {
      duplicates += group.songs.length; // superseded: a later extraction of this chart day is already written
      continue;
    }
    // Firehose delivers at least once, so a record can reach two objects of the same run: songs (by position),
    // albums and artists already written by another object of this run are not written twice.
    const rowsOfRun = async (table: TableName): Promise<Record<string, unknown>[]> => {
      const rows: Record<string, unknown>[] = [];
      for (const other of existing.get(table) ?? []) {
        if (parseOutputName(baseName(other))?.runId !== group.runId) continue;
        const body = await storage.get(other);
        for (const row of Buffer.from(body ?? new Uint8Array())
          .toString('utf8')
          .split('\n')) {
          if (row !== '') rows.push(JSON.parse(row) as Record<string, unknown>);
        }
      }
      return rows;
    };
    const takenPositions = new Set((await rowsOfRun('song_data')).map((r) => r.position));
    const songs = group.songs.filter((song) => !takenPositions.has(song.position));
    duplicates += group.songs.length - songs.length;
    for (const r of await rowsOfRun('album_data')) group.albums.delete(r.album_id as string);
    for (const r of await rowsOfRun('artist_data')) group.artists.delete(r.artist_id as string);
    const outputs: [TableName, readonly unknown[]][] = [
      ['song_data', songs],
      ['album_data', [...group.albums.values()]],
      ['artist_data', [...group.artists.values()]],
    ];
    for (const [table, rows] of outputs) {
      if (rows.length === 0) continue;
      const outKey = partitionPrefix(table, group.date) + name;
      await storage.put(outKey, ndjson(rows), 'application/x-ndjson');
      (await partition(table, group.date)).add(outKey);
      filesWritten.push(outKey);
    }
    // Written first, deleted after: a crash in between leaves a duplicate that the retry removes, never a loss.
    for (const table of TABLES) {
      for (const old of existing.get(table) ?? []) {
        if ((parseOutputName(baseName(old))?.runId ?? '') < group.runId) {
          await storage.delete(old);
          (await partition(table, group.date)).delete(old);
        }
      }
    }
    rowsWritten += songs.length;
    albumRows += group.albums.size;
    artistRows += group.artists.size;
  }

  let rejectedKey: string | undefined;
  if (rejectedLines.length > 0) {
    rejectedKey = `${REJECTED}${baseName(key).replace(/\.gz$/, '')}.rejected.ndjson`;
    await storage.put(rejectedKey, ndjson(rejectedLines), 'application/x-ndjson');
    deps.logger.warn('lines rejected', {
      key,
      rejected: rejectedLines.length,
      rejectedKey,
      first: rejectedLines[0]?.reason,
    });
  }
  await storage.move(key, processedKey);
  return {
    key,
    status: 'transformed',
    linesIn,
    rowsWritten,
    duplicates,
    rejected: rejectedLines.length,
    albumRows,
    artistRows,
    filesWritten,
    ...(rejectedKey ? { rejectedKey } : {}),
  };
}

/** The totals of a set of object reports (one event, or every event of a local run). */
export function summarize(objects: readonly ObjectReport[]): TransformReport {
  const sum = (f: (o: ObjectReport) => number): number => objects.reduce((n, o) => n + f(o), 0);
  return {
    objects,
    linesIn: sum((o) => o.linesIn),
    rowsWritten: sum((o) => o.rowsWritten),
    duplicates: sum((o) => o.duplicates),
    rejected: sum((o) => o.rejected),
    filesWritten: sum((o) => o.filesWritten.length),
    failedObjects: objects
      .filter((o) => o.status === 'failed')
      .map((o) => ({ key: o.key, error: o.error ?? '' })),
  };
}

/** Transforms each object; one object's failure does not stop the others, and is reported. */
export async function transformObjects(
  keys: readonly string[],
  deps: TransformDeps,
): Promise<TransformReport> {
  const objects: ObjectReport[] = [];
  for (const key of keys) {
    try {
      objects.push(await transformObject(key, deps));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.logger.error('transform failed', { key, error: message });
      objects.push({ key, status: 'failed', ...empty, error: message });
    }
  }
  return summarize(objects);
}

/** Object keys in an S3 event, decoded as S3 encodes them (form encoding: '+' is a space). */
export function objectKeysOf(event: {
  readonly Records?: readonly { readonly s3: { readonly object: { readonly key: string } } }[];
}): string[] {
  return (event.Records ?? []).map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
}
