// Writes a raw object's groups into their chart-date partitions, a later extraction run superseding an older one.
//
// The supersede protocol: a chart day holds the rows of ONE extraction run, the latest (greatest run id).
// Writing run B deletes run A's files for that chart day (after B's are written); rows of a run older than one
// already written are counted as duplicates ("superseded") and not written. Output names derive from the raw
// object, so a retried object overwrites its own files.
import { createHash } from 'node:crypto';
import type { Storage } from '../ports.js';
import {
  REJECTED,
  TABLES,
  type TableName,
  baseName,
  fileSafeChartId,
  ndjson,
  ndjsonLines,
  partitionPrefix,
} from './lake.js';
import { mapLimit } from './limit.js';
import type { Group } from './raw-groups.js';

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
  return `${fileSafeChartId(chartId)}__${runId}__${rawObjectName(rawKey)}.json`;
}

/** Where the lines of a raw object that cannot become rows are set aside. */
export function rejectedName(rawKey: string): string {
  return `${REJECTED}${rawObjectName(rawKey)}.rejected.ndjson`;
}

function parseOutputName(name: string): { chart: string; runId: string } | undefined {
  const [chart, runId] = name.split('__');
  return chart && runId ? { chart, runId } : undefined;
}

/** Partition writes in flight at once for one raw object (S3 PUTs are slow one by one, fast side by side). */
const WRITE_CONCURRENCY = 16;

/** What writing one group did. */
interface GroupWrite {
  readonly rowsWritten: number;
  /** Songs not written: superseded by a later run, or already written by another object of this run. */
  readonly duplicates: number;
  readonly albumRows: number;
  readonly artistRows: number;
  readonly filesWritten: readonly string[];
}

/** What writing all groups of one raw object did. */
export interface WriteResult extends GroupWrite {
  /** Chart dates this object wrote files for. */
  readonly dates: ReadonlySet<string>;
}

/** The keys in a table's partition for a chart date, listed once per raw object and kept current by its writes. */
type Partition = (table: TableName, date: string) => Promise<Set<string>>;

/**
 * One listing per table and chart date for the whole object (a backfill object holds many charts of a day),
 * kept current as this object writes and deletes. Each chart day touches only its own chart's files in it.
 */
function partitionListing(storage: Storage): Partition {
  const partitions = new Map<string, Promise<Set<string>>>();
  return (table, date) => {
    const prefix = partitionPrefix(table, date);
    let keys = partitions.get(prefix);
    if (!keys) {
      keys = storage.list(prefix).then((list) => new Set(list));
      partitions.set(prefix, keys);
    }
    return keys;
  };
}

/** The groups of each chart day (one per run), latest run first. */
function chartDaysOf(groups: readonly Group[]): Group[][] {
  const chartDays = new Map<string, Group[]>();
  for (const group of groups) {
    const day = `${group.date}|${group.chartId}`;
    const runs = chartDays.get(day);
    if (runs) runs.push(group);
    else chartDays.set(day, [group]);
  }
  const byRunDescending = (a: Group, b: Group): number =>
    a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
  return [...chartDays.values()].map((runs) => runs.sort(byRunDescending));
}

/**
 * Writes the groups of one raw object into their partitions. Chart days are written side by side; the runs of
 * one chart day one after another, latest first, so that an older run in the same object counts as superseded.
 */
export async function writeGroups(
  key: string,
  groups: readonly Group[],
  storage: Storage,
): Promise<WriteResult> {
  const partition = partitionListing(storage);
  const dates = new Set<string>();
  const filesWritten: string[] = [];
  let rowsWritten = 0;
  let duplicates = 0;
  let albumRows = 0;
  let artistRows = 0;
  await mapLimit(chartDaysOf(groups), WRITE_CONCURRENCY, async (runs) => {
    for (const group of runs) {
      const wrote = await writeGroup(key, group, storage, partition);
      rowsWritten += wrote.rowsWritten;
      duplicates += wrote.duplicates;
      albumRows += wrote.albumRows;
      artistRows += wrote.artistRows;
      filesWritten.push(...wrote.filesWritten);
      if (wrote.filesWritten.length > 0) dates.add(group.date);
    }
  });
  filesWritten.sort();
  return { dates, rowsWritten, duplicates, albumRows, artistRows, filesWritten };
}

/**
 * Writes one group unless a later run of its chart day is already written, then deletes the older runs' files.
 * Albums and artists another object of this run already wrote are taken out of the group's maps.
 */
async function writeGroup(
  key: string,
  group: Group,
  storage: Storage,
  partition: Partition,
): Promise<GroupWrite> {
  const name = outputName(group.chartId, group.runId, key);
  const existing = await chartFilesOf(group, name, partition);
  const runs = (existing.get('song_data') ?? []).map((k) => parseOutputName(baseName(k))?.runId ?? '');
  if (runs.some((r) => r > group.runId)) {
    // superseded: a later extraction of this chart day is already written
    return { rowsWritten: 0, duplicates: group.songs.length, albumRows: 0, artistRows: 0, filesWritten: [] };
  }
  // Firehose delivers at least once, so a record can reach two objects of the same run: songs (by position),
  // albums and artists already written by another object of this run are not written twice.
  const rowsOfRun = (table: TableName): Promise<Record<string, unknown>[]> =>
    rowsOfRunIn(existing.get(table) ?? [], group.runId, storage);
  const takenPositions = new Set((await rowsOfRun('song_data')).map((r) => r.position));
  const songs =
    takenPositions.size === 0
      ? group.songs
      : group.songs.filter((_, i) => !takenPositions.has(group.songPositions[i]));
  for (const r of await rowsOfRun('album_data')) group.albums.delete(r.album_id as string);
  for (const r of await rowsOfRun('artist_data')) group.artists.delete(r.artist_id as string);
  const outputs: [TableName, string][] = [
    ['song_data', songs.length === 0 ? '' : songs.join('\n') + '\n'],
    ['album_data', ndjson(group.albums.values())],
    ['artist_data', ndjson(group.artists.values())],
  ];
  const filesWritten: string[] = [];
  for (const [table, body] of outputs) {
    if (body === '') continue;
    const outKey = partitionPrefix(table, group.date) + name;
    await storage.put(outKey, body, 'application/x-ndjson');
    (await partition(table, group.date)).add(outKey);
    filesWritten.push(outKey);
  }
  // Written first, deleted after: a crash in between leaves a duplicate that the retry removes, never a loss.
  await deleteOlderRuns(existing, group, storage, partition);
  return {
    rowsWritten: songs.length,
    duplicates: group.songs.length - songs.length,
    albumRows: group.albums.size,
    artistRows: group.artists.size,
    filesWritten,
  };
}

/** The files of the group's chart (any run) already in its chart day's partitions, by table, `name` left out. */
async function chartFilesOf(
  group: Group,
  name: string,
  partition: Partition,
): Promise<Map<TableName, string[]>> {
  const mine = `${fileSafeChartId(group.chartId)}__`;
  const existing = new Map<TableName, string[]>();
  for (const table of TABLES) {
    const keys = [...(await partition(table, group.date))];
    existing.set(
      table,
      keys.filter((k) => baseName(k).startsWith(mine) && baseName(k) !== name),
    );
  }
  return existing;
}

/** Deletes the files of runs older than the group's (the ones it supersedes) from storage and the partition list. */
async function deleteOlderRuns(
  existing: ReadonlyMap<TableName, readonly string[]>,
  group: Group,
  storage: Storage,
  partition: Partition,
): Promise<void> {
  for (const table of TABLES) {
    for (const old of existing.get(table) ?? []) {
      if ((parseOutputName(baseName(old))?.runId ?? '') < group.runId) {
        await storage.delete(old);
        (await partition(table, group.date)).delete(old);
      }
    }
  }
}

/** The rows of the files (of one chart day's partition) that belong to run `runId`. */
async function rowsOfRunIn(
  files: readonly string[],
  runId: string,
  storage: Storage,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const other of files) {
    if (parseOutputName(baseName(other))?.runId !== runId) continue;
    for (const row of ndjsonLines(await storage.get(other)))
      rows.push(JSON.parse(row) as Record<string, unknown>);
  }
  return rows;
}
