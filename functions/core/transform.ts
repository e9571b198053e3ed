// Transformation: a raw object (NDJSON, plain or gzip) → album/artist/song rows partitioned by chart date,
// invalid lines set aside with their reason, the raw object moved to processed/.
//
// Double counting rule: a chart day holds the rows of ONE extraction run — the latest (greatest run id).
//  - the same line twice in an object: the second is a duplicate and is dropped;
//  - the same S3 event twice: the raw object is already in processed/, so the second delivery does nothing,
//    and output names derive from the raw object, so a retried object overwrites its own files;
//  - the same chart extracted twice on one day: writing run B deletes run A's files for that chart day; lines
//    of a run older than one already written are counted as duplicates ("superseded") and not written.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { type LakeLock, type Logger, type Storage, unlocked } from '../ports.js';
import { CorruptObjectError } from '../errors.js';
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
  /**
   * Held while an object's rows are committed (list, write, supersede, move), so that concurrent transformers of
   * one lake see each other's runs. On AWS the transformer's reserved concurrency of 1 serialises them instead.
   */
  readonly lock?: LakeLock;
}

export interface ObjectReport {
  readonly key: string;
  /**
   * quarantined: the object cannot be read at all (a damaged gzip stream); it was moved to rejected/objects/
   * with a reason beside it, and no retry will change that.
   */
  readonly status: 'transformed' | 'already processed' | 'missing' | 'ignored' | 'quarantined' | 'failed';
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
  readonly quarantinedObjects: readonly { readonly key: string; readonly reason: string }[];
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

/**
 * `playlist:abc` → `playlist-abc`: chart ids become file-name safe. The schema's chart id pattern keeps this
 * one-to-one (no chart id may start with `playlist-`).
 */
const slug = (chartId: string): string => chartId.replace(/[^0-9A-Za-z_-]+/g, '-');

/**
 * What names a raw object in the files made from it: its base name plus 8 hex digits of its whole key, so two
 * objects of the same name in different folders never write (or reject into) the same file.
 */
export function rawObjectName(rawKey: string): string {
  const hash = createHash('sha1').update(rawKey).digest('hex').slice(0, 8);
  return `${baseName(rawKey).replace(/\.gz$/, '')}.${hash}`;
}

/** Output file name inside a partition: `<chart>__<run id>__<raw object name>.<key hash>.json`. */
export function outputName(chartId: string, runId: string, rawKey: string): string {
  return `${slug(chartId)}__${runId}__${rawObjectName(rawKey)}.json`;
}

/** Where the lines of a raw object that cannot become rows are set aside. */
export function rejectedName(rawKey: string): string {
  return `${REJECTED}${rawObjectName(rawKey)}.rejected.ndjson`;
}

function parseOutputName(name: string): { chart: string; runId: string } | undefined {
  const [chart, runId] = name.split('__');
  return chart && runId ? { chart, runId } : undefined;
}

/**
 * The longest raw line accepted, in bytes: Firehose's record limit. Every row is made from one line, so no row
 * reaches DuckDB's 16 MiB JSON object limit, and a file without line breaks is read in bounded memory.
 */
export const MAX_LINE_BYTES = 1_024_000;

/** How much of an over-long line is kept in its rejected entry (the whole line stays in processed/). */
const SAMPLE_BYTES = 1024;

/** A line that is not text the pipeline may parse: why, and as much of it as can be shown. */
interface BadLine {
  readonly reason: string;
  readonly text: string;
}

type Line = string | BadLine;

/** The bytes of a stored object, gunzipped when it starts with the gzip magic bytes. */
async function* bytesOf(key: string, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = Buffer.from(first.value.buffer, first.value.byteOffset, first.value.byteLength);
  const gzipped = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const all = (async function* () {
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const c = next.value;
      yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    }
  })();
  if (!gzipped) {
    yield* all;
    return;
  }
  const gunzip = Readable.from(all).pipe(createGunzip());
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    // zlib's own errors (a truncated or damaged stream) say the object is unreadable, not that a read failed.
    if (
      typeof (error as NodeJS.ErrnoException).code === 'string' &&
      /^Z_/.test((error as { code: string }).code)
    )
      throw new CorruptObjectError(`${key} is not a readable gzip stream: ${(error as Error).message}.`);
    throw error;
  }
}

const notUtf8 = (bytes: Buffer): BadLine => ({
  reason: 'not valid UTF-8: decoding would replace bytes with U+FFFD and change the data',
  text: bytes.toString('utf8'),
});

const tooLong = (bytes: number, sample: Buffer): BadLine => ({
  reason: `the line is ${bytes} bytes; at most ${MAX_LINE_BYTES} are accepted (Firehose's record limit)`,
  text: sample.subarray(0, SAMPLE_BYTES).toString('utf8'),
});

/** One complete line's bytes → its text, or why it is not text. */
function lineOf(bytes: Buffer): Line {
  if (bytes.length > MAX_LINE_BYTES) return tooLong(bytes.length, bytes);
  return isUtf8(bytes) ? bytes.toString('utf8') : notUtf8(bytes);
}

/** Complete lines in a block that ends just before a newline: decoded at once when the block is valid UTF-8. */
function linesOfBlock(block: Buffer, out: Line[]): void {
  if (isUtf8(block)) {
    for (const line of block.toString('utf8').split('\n')) {
      // A UTF-16 length is at most the byte length: only long lines pay for counting bytes.
      out.push(line.length * 3 > MAX_LINE_BYTES ? lineOf(Buffer.from(line)) : line);
    }
    return;
  }
  let start = 0;
  for (let nl = block.indexOf(0x0a); nl !== -1; nl = block.indexOf(0x0a, start)) {
    out.push(lineOf(block.subarray(start, nl)));
    start = nl + 1;
  }
  out.push(lineOf(block.subarray(start)));
}

/**
 * The lines of a stored object in batches (one per chunk read), as readline cuts them: \n or \r\n. Lines are
 * cut from bytes (a newline byte is never part of a UTF-8 sequence), and each is checked to be UTF-8; a line
 * longer than MAX_LINE_BYTES is counted, not kept, so memory stays bounded whatever the object's shape.
 */
async function* lineBatchesOf(key: string, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Line[]> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let overLong: { sample: Buffer; bytes: number } | undefined;
  const hold = (bytes: Buffer): void => {
    if (overLong) overLong.bytes += bytes.length;
    else if (carryBytes + bytes.length > MAX_LINE_BYTES) {
      const sample = Buffer.concat([...carry, bytes.subarray(0, SAMPLE_BYTES)]).subarray(0, SAMPLE_BYTES);
      overLong = { sample, bytes: carryBytes + bytes.length };
      carry = [];
      carryBytes = 0;
    } else {
      carry.push(bytes);
      carryBytes += bytes.length;
    }
  };
  const takeCarried = (): Line => {
    const line = overLong ? tooLong(overLong.bytes, overLong.sample) : lineOf(Buffer.concat(carry));
    carry = [];
    carryBytes = 0;
    overLong = undefined;
    return line;
  };
  for await (const chunk of bytesOf(key, chunks)) {
    const first = chunk.indexOf(0x0a);
    if (first === -1) {
      hold(chunk);
      continue;
    }
    const last = chunk.lastIndexOf(0x0a);
    hold(chunk.subarray(0, first));
    const lines: Line[] = [takeCarried()];
    if (last > first) linesOfBlock(chunk.subarray(first + 1, last), lines);
    if (last + 1 < chunk.length) hold(chunk.subarray(last + 1));
    yield lines;
  }
  if (carryBytes > 0 || overLong) yield [takeCarried()];
}

/** A JSON escape of a UTF-16 surrogate; JSON.stringify writes one only for a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether a parsed value holds a string with a lone surrogate, which no query engine reads back. */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value && typeof value === 'object') return Object.values(value).some(hasLoneSurrogate);
  return false;
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
  // The cheap test first: only a line with a surrogate escape can hold a lone surrogate.
  if (SURROGATE_ESCAPE.test(line) && hasLoneSurrogate(value)) {
    return { reason: 'a string holds a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair)' };
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
  const accept = (raw: Line): void => {
    lineNo++;
    if (typeof raw !== 'string') {
      linesIn++;
      rejectedLines.push({ raw_key: key, line: lineNo, reason: raw.reason, text: raw.text });
      return;
    }
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
  for await (const lines of lineBatchesOf(key, chunks)) for (const line of lines) accept(line);
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

/**
 * A raw object read and parsed, not yet written; one that cannot be read at all (to quarantine); or the report
 * of an object there is nothing to do for.
 */
type ReadObject =
  | { readonly key: string; readonly processedKey: string; readonly read: ReadResult }
  | { readonly key: string; readonly corrupt: string }
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
  try {
    return { key, processedKey, read: await readRawObject(key, chunks) };
  } catch (error) {
    if (error instanceof CorruptObjectError) return { key, corrupt: error.message };
    throw error;
  }
}

/** Where an object that cannot be read is kept, with `<name>.reason.txt` beside it. */
export const QUARANTINE = `${REJECTED}objects/`;

/** Whether the object is still waiting: another transformer of the lake may have taken it meanwhile. */
async function stillWaiting(storage: Storage, key: string): Promise<boolean> {
  return (await storage.list(key)).includes(key);
}

/**
 * The I/O half: write the rows and the rejected lines, then move the raw object to processed/; all of it under
 * the lake's lock, after checking that no other transformer took the object while it was read.
 */
async function writeObject(object: ReadObject, deps: TransformDeps): Promise<ObjectReport> {
  if ('report' in object) return object.report;
  return (deps.lock ?? unlocked).hold(async () => {
    if (!(await stillWaiting(deps.storage, object.key))) {
      return { key: object.key, status: 'already processed', ...empty };
    }
    return 'corrupt' in object ? quarantine(object.key, object.corrupt, deps) : commitObject(object, deps);
  });
}

/** Moves an unreadable object out of to_process/ with its reason: a retry would fail the same way forever. */
async function quarantine(key: string, reason: string, deps: TransformDeps): Promise<ObjectReport> {
  const target = `${QUARANTINE}${rawObjectName(key)}${key.endsWith('.gz') ? '.gz' : ''}`;
  await deps.storage.put(`${target}.reason.txt`, `${key}: ${reason}\n`, 'text/plain');
  await deps.storage.move(key, target);
  deps.logger.error('raw object quarantined', { key, quarantinedKey: target, reason });
  return { key, status: 'quarantined', ...empty, rejectedKey: target, error: reason };
}

async function commitObject(
  object: { readonly key: string; readonly processedKey: string; readonly read: ReadResult },
  deps: TransformDeps,
): Promise<ObjectReport> {
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
    rejectedKey = rejectedName(key);
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
    quarantinedObjects: objects
      .filter((o) => o.status === 'quarantined')
      .map((o) => ({ key: o.key, reason: o.error ?? '' })),
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
      // Another transformer of the lake may have moved the object while it was read: then it is done, not failed.
      const waiting = await (deps.lock ?? unlocked)
        .hold(() => stillWaiting(deps.storage, key))
        .catch(() => true);
      objects.push(waiting ? failed(key, current.error) : { key, status: 'already processed', ...empty });
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
