// Backfill: many Charts CSV files through the same extractor → delivery → transformer path, resumable and
// idempotent. A file counts as done only after the records of its batch were flushed (and so transformed);
// done files are remembered in the lake by content hash, so a re-run or a resume after a crash skips them,
// and a chart extracted again supersedes its earlier run (the transformer's one-run-per-chart-day rule).
import { createHash } from 'node:crypto';
import type { Storage } from '../ports.js';
import { ChartFormatError, EtlError } from '../errors.js';
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
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

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
    let text: string;
    try {
      text = await file.read();
    } catch (error) {
      if (!(error instanceof ChartFormatError)) throw error;
      failed.push({ origin: file.origin, reason: error.message });
      progress();
      continue;
    }
    const hash = sha1(text);
    if (done.has(hash) || pending.some((p) => p.hash === hash)) {
      skipped++;
      progress();
      continue;
    }
    let report: ExtractReport;
    try {
      const chart = parseChartCsv(text, { fileName: file.name });
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
  };
}
