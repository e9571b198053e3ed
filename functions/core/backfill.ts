// Backfill: many Charts CSV files through the same extractor → delivery → transformer path, resumable and
// idempotent. A file counts as done only after the records of its batch were flushed (and so transformed);
// done files are remembered in the lake by content hash, so a re-run or a resume after a crash skips them,
// and a chart extracted again supersedes its earlier run (the transformer's one-run-per-chart-day rule).
import { createHash } from 'node:crypto';
import type { Storage } from '../ports.js';
import { ChartFormatError, EtlError } from '../errors.js';
import type { Chart } from './chart.js';
import { chartCompleteness } from './chart-completeness.js';
import { parseChartCsv } from './charts-csv.js';
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

type Overrides = { readonly date?: string; readonly region?: string };

/** A file's text as a chart, or the reason it is not one (a ChartFormatError; anything else propagates). */
function parseFile(
  text: string,
  file: BackfillFile,
  overrides: Overrides,
): Chart | { readonly reason: string } {
  try {
    return parseChartCsv(text, { fileName: file.name, ...overrides });
  } catch (error) {
    if (!(error instanceof ChartFormatError)) throw error;
    return { reason: error.message };
  }
}

/** What a dry run says of one chart: ingested whole, or ingested but incomplete. */
function planOf(file: BackfillFile, chart: Chart): PlannedFile {
  const completeness = chartCompleteness(chart);
  return {
    origin: file.origin,
    outcome: completeness.complete ? 'ingest' : 'incomplete',
    chartId: chart.chartId,
    date: chart.date,
    entries: chart.entries.length,
    ...(completeness.reason ? { reason: completeness.reason } : {}),
  };
}

/** Writes the done marker of each file of a flushed batch: a resume skips them. */
async function markDone(
  storage: Storage,
  batch: readonly { readonly hash: string; readonly report: ExtractReport; readonly name: string }[],
): Promise<void> {
  for (const p of batch) {
    const marker = {
      name: p.name,
      chart_id: p.report.chartId,
      date: p.report.date,
      entries: p.report.entries,
      run_id: p.report.runId,
    };
    await storage.put(`${BACKFILL_DONE}${p.hash}.json`, JSON.stringify(marker) + '\n', 'application/json');
  }
}

/** An error that stops the backfill, naming the file it stopped at: the resume starts there. */
function stoppedAt(file: BackfillFile, error: unknown): unknown {
  if (!(error instanceof EtlError)) return error;
  return new EtlError(`${file.origin}: ${error.message}`, {
    ...(error.hint ? { hint: error.hint } : {}),
    cause: error,
  });
}

// Long by design: one loop over the files with the batch state beside it; each step (read, skip, parse, plan or
// extract, commit) is a helper above, and what stays here is the bookkeeping they share.
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
  const tally = { skipped: 0, entries: 0, apiCalls: 0, cacheHits: 0, handled: 0 };
  let interrupted = false;
  const plan: PlannedFile[] = [];
  const overrides: Overrides = {
    ...(options.date !== undefined ? { date: options.date } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
  };
  const progress = (): void =>
    options.onProgress?.({
      done: charts.length,
      skipped: tally.skipped,
      failed: failed.length,
      total: files.length,
      entries: tally.entries,
    });
  const commit = async (): Promise<void> => {
    if (pending.length === 0) return;
    await deps.delivery.flush(); // the batch's records are now objects, transformed as their events arrive
    await markDone(deps.storage, pending);
    for (const p of pending) done.add(p.hash);
    pending = [];
  };
  const setAside = (file: BackfillFile, reason: string): void => {
    failed.push({ origin: file.origin, reason });
    plan.push({ origin: file.origin, outcome: 'not a chart', reason });
  };

  // Wraps the stream so that extractChart's own flush does not cut objects per chart: the batch decides.
  const batchedDelivery = { put: deps.delivery.put.bind(deps.delivery), flush: async () => {} };
  for (const file of files) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    tally.handled++;
    let text: string;
    try {
      text = await file.read();
    } catch (error) {
      if (!(error instanceof ChartFormatError)) throw error;
      setAside(file, error.message);
      progress();
      continue;
    }
    const hash = fileHash(text, options);
    if (done.has(hash) || pending.some((p) => p.hash === hash)) {
      tally.skipped++;
      plan.push({ origin: file.origin, outcome: 'done' });
      progress();
      continue;
    }
    const chart = parseFile(text, file, overrides);
    if ('reason' in chart) {
      // A dry run lists it; a real run sets it aside without a plan entry, as a dry run would have said.
      if (options.dryRun) setAside(file, chart.reason);
      else failed.push({ origin: file.origin, reason: chart.reason });
      progress();
      continue;
    }
    if (options.dryRun) {
      const planned = planOf(file, chart);
      if (planned.outcome === 'incomplete')
        incomplete.push({ origin: file.origin, reason: planned.reason ?? 'incomplete' });
      plan.push(planned);
      done.add(hash); // a copy later in the list would be skipped as done
      charts.push({ chartId: chart.chartId, date: chart.date, entries: chart.entries.length });
      tally.entries += chart.entries.length;
      progress();
      continue;
    }
    let report: ExtractReport;
    try {
      report = await extractChart(chart, { ...deps, delivery: batchedDelivery });
    } catch (error) {
      await commit(); // keep the finished part of the batch: the resume starts after it
      throw stoppedAt(file, error);
    }
    pending.push({ hash, report, name: file.name });
    if (!report.completeness.complete)
      incomplete.push({ origin: file.origin, reason: report.completeness.reason ?? 'incomplete' });
    charts.push({ chartId: report.chartId, date: report.date, entries: report.entries });
    tally.entries += report.entries;
    tally.apiCalls += report.apiCalls;
    tally.cacheHits += report.cacheHits;
    if (pending.length >= batchSize) await commit();
    progress();
  }
  await commit();
  return {
    files: files.length,
    extracted: charts.length,
    skipped: tally.skipped,
    failed,
    incomplete,
    entries: tally.entries,
    apiCalls: tally.apiCalls,
    cacheHits: tally.cacheHits,
    charts,
    interrupted,
    handled: tally.handled,
    ...(options.dryRun ? { plan } : {}),
  };
}
