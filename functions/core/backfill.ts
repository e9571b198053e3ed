// Backfill: many Charts CSV files through the same extractor → delivery → transformer path, resumable and
// idempotent. A file counts as done only after the records of its batch were flushed (and so transformed);
// done files are remembered in the lake by content hash, so a re-run or a resume after a crash skips them,
// and a chart extracted again supersedes its earlier run (the transformer's one-run-per-chart-day rule).
import { createHash } from 'node:crypto';
import type { Storage } from '../ports.js';
import { ChartFormatError, EtlError } from '../errors.js';
import { chartCompleteness, parseChartCsv } from './charts-csv.js';
import { extractChart, type ExtractDeps, type ExtractReport } from './extract.js';
import { ROOT } from './lake.js';

export const BACKFILL_DONE = `${ROOT}/backfill/done/`;

export interface BackfillFile {
  /** File name (gives region, period and date). */
  readonly name: string;
  /** Where it came from, for messages. */
  readonly origin: string;
  read(): Promise<string>;
}

export interface BackfillProgress {
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  readonly total: number;
  readonly entries: number;
}

export interface BackfillOptions {
  /** Extract files already done again (their charts are superseded, never double counted). */
  readonly force?: boolean;
  /** Files per flush of the delivery stream; a crash repeats at most one batch. */
  readonly batchSize?: number;
  readonly onProgress?: (progress: BackfillProgress) => void;
  /** The chart date of every file, for files whose name does not give it (`…-latest.csv`, `chart.csv`). */
  readonly date?: string;
  /** The region of every file, overriding (or standing in for) the one in its name. */
  readonly region?: string;
  /** Read and parse every file, extract nothing, write nothing: the report's `plan` says what would happen. */
  readonly dryRun?: boolean;
  /** Aborted (Ctrl-C): stop before the next file, after committing the batch in progress. */
  readonly signal?: AbortSignal;
}

/** What a dry run found for one file. */
export interface PlannedFile {
  readonly origin: string;
  /**
   * ingest: a complete chart; incomplete: its valid entries would be ingested, and the run reported as failed;
   * not a chart: set aside; done: already backfilled, skipped.
   */
  readonly outcome: 'ingest' | 'incomplete' | 'not a chart' | 'done';
  readonly chartId?: string;
  readonly date?: string;
  readonly entries?: number;
  readonly reason?: string;
}

export interface BackfillReport {
  readonly files: number;
  readonly extracted: number;
  readonly skipped: number;
  readonly failed: readonly { readonly origin: string; readonly reason: string }[];
  /** Charts whose valid entries were delivered but that do not hold every entry they should. */
  readonly incomplete: readonly { readonly origin: string; readonly reason: string }[];
  readonly entries: number;
  readonly apiCalls: number;
  readonly cacheHits: number;
  readonly charts: readonly Pick<ExtractReport, 'chartId' | 'date' | 'entries'>[];
  /** Stopped by its signal before every file was handled; the files handled are committed. */
  readonly interrupted: boolean;
  /** Files handled (extracted, skipped or set aside); the rest are for the next run. */
  readonly handled: number;
  /** A dry run's findings, one per file handled, in order; absent otherwise. */
  readonly plan?: readonly PlannedFile[];
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

/** A file's identity: its content, plus the overrides that make the same content another chart. */
const fileHash = (text: string, options: BackfillOptions): string =>
  options.date === undefined && options.region === undefined
    ? sha1(text)
    : sha1(`${text}\u0000${options.date ?? ''}\u0000${options.region ?? ''}`);

/** Hashes of the files already backfilled. */
async function doneHashes(storage: Storage): Promise<Set<string>> {
  const keys = await storage.list(BACKFILL_DONE);
  return new Set(keys.map((k) => k.slice(BACKFILL_DONE.length).replace(/\.json$/, '')));
}

export async function backfill(
  files: readonly BackfillFile[],
  deps: ExtractDeps & { readonly storage: Storage },
  options: BackfillOptions = {},
): Promise<BackfillReport> {
  const batchSize = options.batchSize ?? 25;
  const done = options.force ? new Set<string>() : await doneHashes(deps.storage);
  const failed: { origin: string; reason: string }[] = [];
  const incomplete: { origin: string; reason: string }[] = [];
  const charts: Pick<ExtractReport, 'chartId' | 'date' | 'entries'>[] = [];
  let pending: { hash: string; report: ExtractReport; name: string }[] = [];
  let skipped = 0;
  let entries = 0;
  let apiCalls = 0;
  let cacheHits = 0;
  let handled = 0;
  let interrupted = false;
  const plan: PlannedFile[] = [];
  const planned = new Set<string>();
  const overrides = {
    ...(options.date !== undefined ? { date: options.date } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
  };
  const progress = (): void =>
    options.onProgress?.({
      done: charts.length,
      skipped,
      failed: failed.length,
      total: files.length,
      entries,
    });

  const commit = async (): Promise<void> => {
    if (pending.length === 0) return;
    await deps.delivery.flush(); // the batch's records are now objects, transformed as their events arrive
    for (const p of pending) {
      const marker = {
        name: p.name,
        chart_id: p.report.chartId,
        date: p.report.date,
        entries: p.report.entries,
        run_id: p.report.runId,
      };
      await deps.storage.put(
        `${BACKFILL_DONE}${p.hash}.json`,
        JSON.stringify(marker) + '\n',
        'application/json',
      );
      done.add(p.hash);
    }
    pending = [];
  };

  // Wraps the stream so that extractChart's own flush does not cut objects per chart: the batch decides.
  const batchedDelivery = { put: deps.delivery.put.bind(deps.delivery), flush: async () => {} };
  for (const file of files) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    handled++;
    let text: string;
    try {
      text = await file.read();
    } catch (error) {
      if (!(error instanceof ChartFormatError)) throw error;
      failed.push({ origin: file.origin, reason: error.message });
      plan.push({ origin: file.origin, outcome: 'not a chart', reason: error.message });
      progress();
      continue;
    }
    const hash = fileHash(text, options);
    if (done.has(hash) || planned.has(hash) || pending.some((p) => p.hash === hash)) {
      skipped++;
      plan.push({ origin: file.origin, outcome: 'done' });
      progress();
      continue;
    }
    if (options.dryRun) {
      let chart;
      try {
        chart = parseChartCsv(text, { fileName: file.name, ...overrides });
      } catch (error) {
        if (!(error instanceof ChartFormatError)) throw error;
        failed.push({ origin: file.origin, reason: error.message });
        plan.push({ origin: file.origin, outcome: 'not a chart', reason: error.message });
        progress();
        continue;
      }
      const completeness = chartCompleteness(chart);
      const found = { chartId: chart.chartId, date: chart.date, entries: chart.entries.length };
      if (!completeness.complete)
        incomplete.push({ origin: file.origin, reason: completeness.reason ?? 'incomplete' });
      plan.push({
        origin: file.origin,
        outcome: completeness.complete ? 'ingest' : 'incomplete',
        ...found,
        ...(completeness.reason ? { reason: completeness.reason } : {}),
      });
      planned.add(hash); // a copy later in the list would be skipped as done
      charts.push(found);
      entries += found.entries;
      progress();
      continue;
    }
    let report: ExtractReport;
    try {
      const chart = parseChartCsv(text, { fileName: file.name, ...overrides });
      report = await extractChart(chart, { ...deps, delivery: batchedDelivery });
    } catch (error) {
      if (!(error instanceof ChartFormatError)) {
        await commit(); // keep the finished part of the batch: the resume starts after it
        // Name the file that stopped the backfill: the resume starts there.
        if (error instanceof EtlError)
          throw new EtlError(`${file.origin}: ${error.message}`, {
            ...(error.hint ? { hint: error.hint } : {}),
            cause: error,
          });
        throw error;
      }
      failed.push({ origin: file.origin, reason: error.message });
      progress();
      continue;
    }
    pending.push({ hash, report, name: file.name });
    if (!report.completeness.complete)
      incomplete.push({ origin: file.origin, reason: report.completeness.reason ?? 'incomplete' });
    charts.push({ chartId: report.chartId, date: report.date, entries: report.entries });
    entries += report.entries;
    apiCalls += report.apiCalls;
    cacheHits += report.cacheHits;
    if (pending.length >= batchSize) await commit();
    progress();
  }
  await commit();
  return {
    files: files.length,
    extracted: charts.length,
    skipped,
    failed,
    incomplete,
    entries,
    apiCalls,
    cacheHits,
    charts,
    interrupted,
    handled,
    ...(options.dryRun ? { plan } : {}),
  };
}
