// What a lake holds, in one report: its charts and their gaps, rows per table, and everything waiting or set aside.
import { cadenceDays } from './chart.js';
import { day } from './checks/values.js';
import { addDays, dateRuns, daysFrom } from './dates.js';
import { CACHE, REJECTED, TABLES, TO_PROCESS, type TableName, ndjsonLines } from './lake.js';
import { listPending, type DateRange } from './pending-checks.js';
import { QUARANTINE } from './transform.js';
import type { QueryEngine, Storage } from '../ports.js';

/** Where the extractor keeps chart rows that could not become entries. */
export const EXTRACT_REJECTED = `${REJECTED}extract/`;

export interface ChartStatus {
  readonly chartId: string;
  readonly region: string | null;
  /** First and last chart date held. */
  readonly first: string;
  readonly last: string;
  /** Chart dates held. */
  readonly days: number;
  /** Days between two charts: 7 for a weekly chart, 1 otherwise. */
  readonly cadenceDays: number;
  /** Chart dates missing between first and last, as runs (a run of a weekly chart steps by 7 days). */
  readonly gaps: readonly DateRange[];
  readonly missingDays: number;
}

export interface LakeStatus {
  /** Nothing at all: no chart day, nothing waiting, nothing set aside. */
  readonly empty: boolean;
  readonly charts: readonly ChartStatus[];
  readonly rows: Readonly<Record<TableName, number>>;
  /** Chart dates written and not yet checked (`check --pending`). */
  readonly pendingCheckDates: number;
  /** Raw objects waiting in raw_data/to_process/. */
  readonly waitingObjects: number;
  readonly rejected: {
    /** `<object>.rejected.ndjson` files of the transformer, and the lines they hold. */
    readonly lineFiles: number;
    readonly lines: number;
    /** Raw objects that could not be read (rejected/objects/, each with a .reason.txt). */
    readonly quarantinedObjects: number;
    /** Chart rows the extractor set aside (rejected/extract/), files and lines. */
    readonly extractFiles: number;
    readonly extractLines: number;
  };
  readonly cache: { readonly files: number; readonly bytes: number };
}

/**
 * The chart dates missing between the first and last of `dates` (sorted, distinct), every `cadence` days from
 * the first, compressed to runs: [2024-02-07…2024-02-09] rather than three dates.
 */
export function chartGaps(dates: readonly string[], cadence = 1): DateRange[] {
  const held = new Set(dates);
  const first = dates[0];
  const last = dates[dates.length - 1];
  if (first === undefined || last === undefined) return [];
  const missing: string[] = [];
  for (let d = first; d <= last; d = addDays(d, cadence)) if (!held.has(d)) missing.push(d);
  return dateRuns(missing, cadence);
}

const runLength = (r: DateRange, cadence: number): number => Math.round(daysFrom(r.from, r.to) / cadence) + 1;

/** The lake's charts and table sizes from the query engine, the rest from the storage. */
// Long by design: one pass that gathers each figure of `status` in the order the report shows them.
export async function lakeStatus(storage: Storage, engine: QueryEngine): Promise<LakeStatus> {
  const rows = {} as Record<TableName, number>;
  for (const table of TABLES) {
    const r = await engine.query(`SELECT count(*) AS n FROM ${table}`);
    rows[table] = Number(r.rows[0]?.n ?? 0);
  }
  const days = await engine.query(
    'SELECT chart_id, snapshot_date, min(region) AS region FROM song_data GROUP BY chart_id, snapshot_date ORDER BY chart_id, snapshot_date',
  );
  const byChart = new Map<string, { region: string | null; dates: string[] }>();
  for (const r of days.rows) {
    const id = String(r.chart_id);
    const chart = byChart.get(id) ?? { region: null, dates: [] };
    chart.region ??= r.region === null || r.region === undefined ? null : String(r.region);
    chart.dates.push(day(r.snapshot_date));
    byChart.set(id, chart);
  }
  const charts = [...byChart].map(([chartId, { region, dates }]): ChartStatus => {
    const cadence = cadenceDays(chartId);
    const gaps = chartGaps(dates, cadence);
    return {
      chartId,
      region,
      first: dates[0] ?? '',
      last: dates[dates.length - 1] ?? '',
      days: dates.length,
      cadenceDays: cadence,
      gaps,
      missingDays: gaps.reduce((n, g) => n + runLength(g, cadence), 0),
    };
  });

  const rejectedKeys = await storage.list(REJECTED);
  const lineFiles = rejectedKeys.filter(
    (k) => !k.slice(REJECTED.length).includes('/') && k.endsWith('.rejected.ndjson'),
  );
  const extractFiles = rejectedKeys.filter((k) => k.startsWith(EXTRACT_REJECTED));
  const quarantined = rejectedKeys.filter((k) => k.startsWith(QUARANTINE) && !k.endsWith('.reason.txt'));
  let lines = 0;
  for (const key of lineFiles) lines += ndjsonLines(await storage.get(key)).length;
  let extractLines = 0;
  for (const key of extractFiles) extractLines += ndjsonLines(await storage.get(key)).length;

  const cacheKeys = await storage.list(CACHE);
  let bytes = 0;
  for (const key of cacheKeys) bytes += (await storage.get(key))?.byteLength ?? 0;

  const pendingCheckDates = (await listPending(storage)).dates.length;
  const waitingObjects = (await storage.list(TO_PROCESS)).length;
  const rejected = {
    lineFiles: lineFiles.length,
    lines,
    quarantinedObjects: quarantined.length,
    extractFiles: extractFiles.length,
    extractLines,
  };
  const empty =
    charts.length === 0 &&
    TABLES.every((t) => rows[t] === 0) &&
    pendingCheckDates === 0 &&
    waitingObjects === 0 &&
    rejectedKeys.length === 0 &&
    cacheKeys.length === 0;
  return {
    empty,
    charts,
    rows,
    pendingCheckDates,
    waitingObjects,
    rejected,
    cache: { files: cacheKeys.length, bytes },
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const showRange = (r: DateRange): string => (r.from === r.to ? r.from : `${r.from}…${r.to}`);

/** The report for a person: one line per chart, then the tables, then what waits or was set aside. */
export function formatLakeStatus(status: LakeStatus, lakeRoot: string): string {
  if (status.empty) {
    return `The lake ${lakeRoot} is empty: no chart day, nothing waiting, nothing set aside. \`spotify-etl run\` or \`backfill\` fills it.`;
  }
  const out: string[] = [];
  if (status.charts.length === 0) out.push(`The lake ${lakeRoot} holds no chart day yet.`);
  else {
    out.push(`Charts in ${lakeRoot}:`);
    for (const c of status.charts) {
      const span = c.first === c.last ? c.first : `${c.first}…${c.last}`;
      const gaps =
        c.gaps.length === 0
          ? 'no gaps'
          : `${plural(c.missingDays, c.cadenceDays === 7 ? 'missing week' : 'missing day')}: ${c.gaps.map(showRange).join(', ')}`;
      out.push(
        `  ${c.chartId} (region ${c.region ?? 'none'}): ${span}, ${plural(c.days, c.cadenceDays === 7 ? 'week' : 'day')}, ${gaps}`,
      );
    }
  }
  out.push(`Rows: ${TABLES.map((t) => `${t} ${status.rows[t]}`).join(', ')}`);
  out.push(`Waiting: ${plural(status.waitingObjects, 'raw object')} in raw_data/to_process/`);
  out.push(`Pending checks: ${plural(status.pendingCheckDates, 'chart date')} (check --pending)`);
  const r = status.rejected;
  out.push(
    `Set aside: ${plural(r.lines, 'rejected line')} in ${plural(r.lineFiles, 'file')}, ${plural(r.quarantinedObjects, 'quarantined object')}, ${plural(r.extractLines, 'extract set-aside')} in ${plural(r.extractFiles, 'file')}`,
  );
  out.push(`Entity cache: ${plural(status.cache.files, 'file')}, ${status.cache.bytes} bytes`);
  return out.join('\n');
}
