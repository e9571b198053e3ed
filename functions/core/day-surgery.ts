// Surgery on one chart day: delete it from the three tables, or rebuild it from the raw objects in processed/ (the
// raw zone exists to be replayed). Both commit under the lake's lock, as the transformer does.
import { type LakeLock, type Logger, type Storage, unlocked } from '../ports.js';
import { CorruptObjectError } from '../errors.js';
import {
  PROCESSED,
  TABLES,
  TO_PROCESS,
  type TableName,
  baseName,
  fileSafeChartId,
  keyExists,
  ndjsonLines,
  partitionPrefix,
} from './lake.js';
import { lineBatchesOf } from './ndjson-lines.js';
import { transformObjects, type TransformReport } from './transform.js';

/** `<chart>__`: how every output file of a chart begins in a partition (partition-writer.ts's outputName). */
export const chartFilePrefix = (chartId: string): string => `${fileSafeChartId(chartId)}__`;

export interface DayFile {
  readonly table: TableName;
  readonly key: string;
  readonly rows: number;
}

export interface ChartDay {
  readonly date: string;
  readonly chartId: string;
}

/** The partition files of a chart day (every chart of the date when `chartId` is undefined), with their rows. */
export async function chartDayFiles(storage: Storage, date: string, chartId?: string): Promise<DayFile[]> {
  const prefix = chartId === undefined ? undefined : chartFilePrefix(chartId);
  const files: DayFile[] = [];
  for (const table of TABLES) {
    for (const key of await storage.list(partitionPrefix(table, date))) {
      if (!key.endsWith('.json')) continue;
      if (prefix && !baseName(key).startsWith(prefix)) continue;
      files.push({ table, key, rows: ndjsonLines(await storage.get(key)).length });
    }
  }
  return files;
}

export type RowCounts = Readonly<Record<TableName, number>>;

export function rowCounts(files: readonly DayFile[]): RowCounts {
  const counts = { album_data: 0, artist_data: 0, song_data: 0 };
  for (const f of files) counts[f.table] += f.rows;
  return counts;
}

export interface DeleteReport extends ChartDay {
  readonly filesDeleted: readonly string[];
  readonly rowsDeleted: RowCounts;
}

/**
 * Removes one chart day from song_data, album_data and artist_data, under the lake's lock (so that no
 * transformer commits the same chart day meanwhile). The raw objects stay in processed/: `reprocess` brings the
 * day back.
 */
export async function deleteChartDay(
  storage: Storage,
  day: ChartDay,
  lock: LakeLock = unlocked,
): Promise<DeleteReport> {
  return lock.hold(async () => {
    const files = await chartDayFiles(storage, day.date, day.chartId);
    for (const f of files) await storage.delete(f.key);
    return { ...day, filesDeleted: files.map((f) => f.key), rowsDeleted: rowCounts(files) };
  });
}

/** A raw object in processed/ and the chart days it holds, each with its run ids. */
export interface RawDayObject {
  readonly key: string;
  /** `<date>|<chart id>` → the run ids of its lines in this object. */
  readonly chartDays: ReadonlyMap<string, ReadonlySet<string>>;
}

const dayKey = (date: string, chartId: string): string => `${date}|${chartId}`;

/**
 * A stored raw object's lines, read as the transformer reads them (plain or gzip, bounded line length), those that
 * are text only; undefined when the object is gone or cannot be read at all.
 */
async function linesOf(storage: Storage, key: string): Promise<string[] | undefined> {
  const chunks = await storage.read(key);
  if (!chunks) return undefined;
  const lines: string[] = [];
  try {
    for await (const batch of lineBatchesOf(key, chunks))
      for (const line of batch) if (typeof line === 'string') lines.push(line);
  } catch (error) {
    if (error instanceof CorruptObjectError) return undefined;
    throw error;
  }
  return lines;
}

/**
 * The raw objects in processed/ with records of `date` (and `chartId`), and every chart day each holds: a
 * backfill batch holds many. Lines that do not parse were rejected when the object was transformed; they are
 * skipped here, and rejected again by the replay.
 */
export async function findRawObjects(
  storage: Storage,
  date: string,
  chartId?: string,
): Promise<RawDayObject[]> {
  const found: RawDayObject[] = [];
  for (const key of await storage.list(PROCESSED)) {
    // Unreadable objects were quarantined, never processed; a damaged one here cannot be replayed.
    const lines = await linesOf(storage, key);
    if (!lines) continue;
    if (!lines.some((l) => l.includes(`"${date}"`))) continue; // the cheap test first: most objects hold other days
    const chartDays = new Map<string, Set<string>>();
    for (const line of lines) {
      if (line.trim() === '') continue;
      let record: { snapshot_date?: unknown; run_id?: unknown; source?: { id?: unknown } };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        continue;
      }
      const d = record.snapshot_date;
      const c = record.source?.id;
      const r = record.run_id;
      if (typeof d !== 'string' || typeof c !== 'string' || typeof r !== 'string') continue;
      const k = dayKey(d, c);
      const runs = chartDays.get(k) ?? new Set<string>();
      runs.add(r);
      chartDays.set(k, runs);
    }
    const holds = [...chartDays.keys()].some(
      (k) => k.startsWith(`${date}|`) && (chartId === undefined || k === dayKey(date, chartId)),
    );
    if (holds) found.push({ key, chartDays });
  }
  return found;
}

export interface ReprocessPlan {
  /** The chart days to rebuild, each with the run the lake keeps: the latest in processed/. */
  readonly chartDays: readonly (ChartDay & { readonly runId: string })[];
  /** Processed objects holding that run of one of them, in key order (the order they were first transformed). */
  readonly objects: readonly string[];
  /** Other chart days those objects hold, rewritten with them (same run, same files: no change). */
  readonly otherChartDays: readonly ChartDay[];
  /** Objects holding only older runs of these chart days: left alone, since the latest run supersedes them. */
  readonly supersededObjects: readonly string[];
}

/** Which processed objects rebuild a chart day (all charts of the date without `chartId`). */
export async function planReprocess(
  storage: Storage,
  date: string,
  chartId?: string,
): Promise<ReprocessPlan> {
  const found = await findRawObjects(storage, date, chartId);
  const latest = new Map<string, string>();
  for (const o of found) {
    for (const [k, runs] of o.chartDays) {
      if (!k.startsWith(`${date}|`) || (chartId !== undefined && k !== dayKey(date, chartId))) continue;
      for (const run of runs) if (run > (latest.get(k) ?? '')) latest.set(k, run);
    }
  }
  const objects = found.filter((o) => [...latest].some(([k, run]) => o.chartDays.get(k)?.has(run)));
  const others = new Set<string>();
  for (const o of objects) for (const k of o.chartDays.keys()) if (!latest.has(k)) others.add(k);
  const asDay = (k: string): ChartDay => {
    const [d, ...c] = k.split('|');
    return { date: d ?? '', chartId: c.join('|') };
  };
  return {
    chartDays: [...latest].sort().map(([k, runId]) => ({ ...asDay(k), runId })),
    objects: objects.map((o) => o.key).sort(),
    otherChartDays: [...others].sort().map(asDay),
    supersededObjects: found
      .filter((o) => !objects.includes(o))
      .map((o) => o.key)
      .sort(),
  };
}

export interface ReprocessReport {
  readonly plan: ReprocessPlan;
  /** Song, album and artist rows of the rebuilt chart days before and after. */
  readonly before: RowCounts;
  readonly after: RowCounts;
  /** Objects that could not be put back (already waiting in to_process/, or gone meanwhile). */
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
  readonly transform: TransformReport;
}

export interface ReprocessDeps {
  readonly storage: Storage;
  readonly logger: Logger;
  readonly lock?: LakeLock;
}

async function rowsOf(storage: Storage, days: readonly ChartDay[]): Promise<RowCounts> {
  const files: DayFile[] = [];
  for (const d of days) files.push(...(await chartDayFiles(storage, d.date, d.chartId)));
  return rowCounts(files);
}

/**
 * Rebuilds the chart days of a plan: its objects go back from processed/ to the same place under to_process/
 * (under the lock), then through the transformer, which moves them to processed/ again. The same key gives the
 * same output names and run ids, so an unchanged day is rewritten identically, the supersede rule (the latest
 * run wins) applies as it did the first time, and every line is counted again (lines in = rows written +
 * duplicates + rejected). A crash after the move leaves the objects waiting, for the next transform to replay.
 */
export async function reprocess(plan: ReprocessPlan, deps: ReprocessDeps): Promise<ReprocessReport> {
  const { storage } = deps;
  const lock = deps.lock ?? unlocked;
  const before = await rowsOf(storage, plan.chartDays);
  const skipped: { key: string; reason: string }[] = [];
  const waiting = await lock.hold(async () => {
    const moved: string[] = [];
    for (const key of plan.objects) {
      const target = TO_PROCESS + key.slice(PROCESSED.length);
      if (await keyExists(storage, target)) {
        skipped.push({ key, reason: `${target} is already waiting: the next transform replays it` });
        continue;
      }
      if (!(await keyExists(storage, key))) {
        skipped.push({ key, reason: 'it is no longer in processed/' });
        continue;
      }
      await storage.move(key, target);
      moved.push(target);
    }
    return moved;
  });
  deps.logger.info('raw objects put back for reprocessing', { objects: waiting.length });
  const transform = await transformObjects(waiting, { storage, logger: deps.logger, lock });
  const after = await rowsOf(storage, plan.chartDays);
  return { plan, before, after, skipped, transform };
}
