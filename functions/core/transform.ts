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
import { StringDecoder } from 'node:string_decoder';
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
  ndjson,
  partitionPrefix,
} from './lake.js';
import { mapLimit } from './limit.js';
import { markPending } from './pending-checks.js';
import type { AlbumRow, ArtistRow, RawTrackRecord } from './spotify-types.js';

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
  /** position → the line that gave it (a second line for a position is a duplicate or a conflict). */
  readonly lines: Map<number, string>;
  /**
   * Song rows as NDJSON lines, serialized as they are made: one flat string per row lives until the write,
   * instead of a row object and its strings, which the garbage collector would have to move.
   */
  readonly songs: string[];
  readonly songPositions: number[];
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

/**
 * The text of a stored object in chunks, gunzipped when it starts with the gzip magic bytes. Lines are cut
 * from whole chunks by the caller: a generator step per chunk, not per line, is what keeps this fast.
 */
async function* textOf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = first.value;
  const gzipped = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const all = (async function* () {
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
  const decoder = new StringDecoder('utf8');
  for await (const chunk of gzipped ? Readable.from(all).pipe(createGunzip()) : all) {
    yield decoder.write(chunk as Uint8Array);
  }
  const tail = decoder.end();
  if (tail !== '') yield tail;
}

/** The lines of a stored object in batches (one per chunk read), as readline cuts them: \n or \r\n. */
async function* lineBatchesOf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  let partial = '';
  for await (const text of textOf(chunks)) {
    const cut = text.lastIndexOf('\n');
    if (cut === -1) {
      partial += text; // a line longer than a chunk: joined once, when its end arrives
      continue;
    }
    const lines = (partial + text.slice(0, cut)).split('\n');
    partial = text.slice(cut + 1);
    yield lines;
  }
  if (partial !== '') yield [partial];
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

/** Partition writes in flight at once for one raw object (S3 PUTs are slow one by one, fast side by side). */
const WRITE_CONCURRENCY = 16;

/** What reading one raw object gives: its rows grouped by chart day and run, and the lines set aside. */
interface ReadResult {
  readonly groups: readonly Group[];
  readonly rejectedLines: readonly RejectedLine[];
  readonly linesIn: number;
  readonly duplicates: number;
}

async function readRawObject(key: string, chunks: AsyncIterable<Uint8Array>): Promise<ReadResult> {
  const groups = new Map<string, Group>();
  const rejectedLines: RejectedLine[] = [];
  let linesIn = 0;
  let duplicates = 0;
  let lineNo = 0;
  let last: Group | undefined; // lines come in runs of one chart day: most lines reuse the previous line's group
  const accept = (raw: string): void => {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // The cheap test first: a record line starts with '{', so only other lines pay for trim().
    if (line.charCodeAt(0) !== 0x7b && line.trim() === '') return;
    linesIn++;
    const reject = (reason: string): void => {
      rejectedLines.push({ raw_key: key, line: lineNo, reason, text: line });
    };
    const checked = parseRawLine(line);
    if ('reason' in checked) {
      reject(checked.reason);
      return;
    }
    const { record } = checked;
    let group = last;
    if (
      group?.date !== record.snapshot_date ||
      group.chartId !== record.source.id ||
      group.runId !== record.run_id
    ) {
      const groupKey = `${record.snapshot_date}|${record.source.id}|${record.run_id}`;
      group = groups.get(groupKey);
      if (!group) {
        group = {
          date: record.snapshot_date,
          chartId: record.source.id,
          runId: record.run_id,
          lines: new Map(),
          songs: [],
          songPositions: [],
          albums: new Map(),
          artists: new Map(),
        };
        groups.set(groupKey, group);
      }
      last = group;
    }
    const before = group.lines.get(record.position);
    if (before !== undefined) {
      if (before === line) duplicates++;
      else
        reject(
          `position ${record.position} of ${record.source.id} on ${record.snapshot_date} already has another entry in run ${record.run_id}`,
        );
      return;
    }
    group.lines.set(record.position, line);
    const split = splitRecord(record);
    if ('reject' in split) {
      reject(split.reject);
      return;
    }
    group.songs.push(JSON.stringify(split.rows.song));
    group.songPositions.push(record.position);
    if (split.rows.album) group.albums.set(split.rows.album.album_id, split.rows.album);
    for (const a of split.rows.artists)
      if (!group.artists.has(a.artist_id)) group.artists.set(a.artist_id, a);
  };
  for await (const lines of lineBatchesOf(chunks)) for (const line of lines) accept(line);
  return { groups: [...groups.values()], rejectedLines, linesIn, duplicates };
}

interface WriteResult {
  /** Chart dates this object wrote files for. */
  readonly dates: Set<string>;
  rowsWritten: number;
  duplicates: number;
  albumRows: number;
  artistRows: number;
  readonly filesWritten: string[];
}

/**
 * Writes the groups of one raw object into their partitions. Chart days are written side by side; the runs of
 * one chart day one after another, latest first, so that an older run in the same object counts as superseded.
 */
async function writeGroups(key: string, groups: readonly Group[], storage: Storage): Promise<WriteResult> {
  const result: WriteResult = {
    dates: new Set(),
    rowsWritten: 0,
    duplicates: 0,
    albumRows: 0,
    artistRows: 0,
    filesWritten: [],
  };
  // One listing per table and chart date for the whole object (a backfill object holds many charts of a day),
  // kept current as this object writes and deletes. Each chart day touches only its own chart's files in it.
  const partitions = new Map<string, Promise<Set<string>>>();
  const partition = (table: TableName, date: string): Promise<Set<string>> => {
    const prefix = partitionPrefix(table, date);
    let keys = partitions.get(prefix);
    if (!keys) {
      keys = storage.list(prefix).then((list) => new Set(list));
      partitions.set(prefix, keys);
    }
    return keys;
  };
  const chartDays = new Map<string, Group[]>();
  for (const group of groups) {
    const day = `${group.date}|${group.chartId}`;
    const runs = chartDays.get(day);
    if (runs) runs.push(group);
    else chartDays.set(day, [group]);
  }
  const byRunDescending = (a: Group, b: Group): number =>
    a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
  await mapLimit([...chartDays.values()], WRITE_CONCURRENCY, async (runs) => {
    for (const group of runs.sort(byRunDescending)) await writeGroup(key, group, storage, partition, result);
  });
  result.filesWritten.sort();
  return result;
}

async function writeGroup(
  key: string,
  group: Group,
  storage: Storage,
  partition: (table: TableName, date: string) => Promise<Set<string>>,
  result: WriteResult,
): Promise<void> {
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
    result.duplicates += group.songs.length; // superseded: a later extraction of this chart day is already written
    return;
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
  const songs =
    takenPositions.size === 0
      ? group.songs
      : group.songs.filter((_, i) => !takenPositions.has(group.songPositions[i]));
  result.duplicates += group.songs.length - songs.length;
  for (const r of await rowsOfRun('album_data')) group.albums.delete(r.album_id as string);
  for (const r of await rowsOfRun('artist_data')) group.artists.delete(r.artist_id as string);
  const outputs: [TableName, string][] = [
    ['song_data', songs.length === 0 ? '' : songs.join('\n') + '\n'],
    ['album_data', ndjson(group.albums.values())],
    ['artist_data', ndjson(group.artists.values())],
  ];
  for (const [table, body] of outputs) {
    if (body === '') continue;
    const outKey = partitionPrefix(table, group.date) + name;
    await storage.put(outKey, body, 'application/x-ndjson');
    (await partition(table, group.date)).add(outKey);
    result.filesWritten.push(outKey);
    result.dates.add(group.date);
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
  result.rowsWritten += songs.length;
  result.albumRows += group.albums.size;
  result.artistRows += group.artists.size;
}

/** A raw object read and parsed, not yet written; or the report of an object there is nothing to do for. */
type ReadObject =
  | { readonly key: string; readonly processedKey: string; readonly read: ReadResult }
  | { readonly report: ObjectReport };

/** The CPU half of transforming an object: read, parse, validate, split. Writes nothing. */
async function readObject(key: string, { storage }: TransformDeps): Promise<ReadObject> {
  if (!key.startsWith(TO_PROCESS)) return { report: { key, status: 'ignored', ...empty } };
  const processedKey = PROCESSED + key.slice(TO_PROCESS.length);
  const chunks = await storage.read(key);
  if (!chunks) {
    // A duplicate S3 event: the first delivery already moved the object.
    const done = (await storage.list(processedKey)).includes(processedKey);
    return { report: { key, status: done ? 'already processed' : 'missing', ...empty } };
  }
  return { key, processedKey, read: await readRawObject(key, chunks) };
}

/** The I/O half: write the rows and the rejected lines, then move the raw object to processed/. */
async function writeObject(object: ReadObject, deps: TransformDeps): Promise<ObjectReport> {
  if ('report' in object) return object.report;
  const { storage } = deps;
  const { key, processedKey } = object;
  const { groups, rejectedLines, linesIn, duplicates: duplicateLines } = object.read;
  const { rowsWritten, duplicates, albumRows, artistRows, filesWritten, dates } = await writeGroups(
    key,
    groups,
    storage,
  );
  // Before the move: a crash in between retries the object, which writes the same markers again.
  await markPending(storage, dates, key);
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
    duplicates: duplicateLines + duplicates,
    rejected: rejectedLines.length,
    albumRows,
    artistRows,
    filesWritten,
    ...(rejectedKey ? { rejectedKey } : {}),
  };
}

export async function transformObject(key: string, deps: TransformDeps): Promise<ObjectReport> {
  return writeObject(await readObject(key, deps), deps);
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

/**
 * Transforms each object; one object's failure does not stop the others, and is reported. Objects are written
 * one after another, in order, but the next object is read and parsed (CPU) while this one is written (I/O).
 */
export async function transformObjects(
  keys: readonly string[],
  deps: TransformDeps,
): Promise<TransformReport> {
  type Settled = { readonly object: ReadObject } | { readonly error: unknown };
  const read = (key: string): Promise<Settled> =>
    readObject(key, deps).then(
      (object) => ({ object }),
      (error: unknown) => ({ error }),
    );
  const failed = (key: string, error: unknown): ObjectReport => {
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.error('transform failed', { key, error: message });
    return { key, status: 'failed', ...empty, error: message };
  };
  const objects: ObjectReport[] = [];
  let next = keys.length > 0 ? read(keys[0] as string) : undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const current = await (next ?? read(key));
    // The same key twice in a row (a duplicate event record) is read only after the first copy is written,
    // so that it finds the object already processed.
    const following = keys[i + 1];
    next = following !== undefined && following !== key ? read(following) : undefined;
    if ('error' in current) {
      objects.push(failed(key, current.error));
      continue;
    }
    try {
      objects.push(await writeObject(current.object, deps));
    } catch (error) {
      objects.push(failed(key, error));
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
