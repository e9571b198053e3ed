// The explorer's chart uploads on one machine: the file goes into the lake's inbox and the inbox is run as
// `spotify-etl run --source charts-csv` runs it (extract → local delivery → transform), all under the lake lock,
// so that an upload and a CLI command never write the lake at once. Without Spotify credentials the song rows come
// from the file alone and album_data and artist_data stay empty, as with `run`; the summary's notes say so.
import { parseChartFileName } from '#functions/core/charts-csv.js';
import type { ExtractReport } from '#functions/core/extract.js';
import { INBOX, baseName, ndjsonLines } from '#functions/core/lake.js';
import type { TransformReport } from '#functions/core/transform.js';
import type { Account, ChartUploads, UploadSummary } from '#functions/explorer/ports.js';
import type { LakeLock, Storage } from '#functions/ports.js';

/** What the upload needs of a run of the inbox (the CLI's RunReport has it). */
export interface InboxRun {
  readonly notes: readonly string[];
  readonly extracts: readonly ExtractReport[];
  readonly inboxFailures: readonly { readonly key: string; readonly reason: string }[];
  readonly transform: TransformReport;
}

/** Rejected lines shown with the summary; the file under raw_data/rejected/ keeps them all. */
const SHOWN_REJECTED = 100;

export class LocalChartUploads implements ChartUploads {
  /**
   * `lock` is the lake lock (`lakeLock` of the CLI); `runInbox` runs the inbox with the transformer unlocked, since
   * the upload holds the lock for the whole run.
   */
  constructor(
    private readonly storage: Storage,
    private readonly lock: LakeLock,
    private readonly runInbox: () => Promise<InboxRun>,
  ) {}

  submit(fileName: string, bytes: Uint8Array, _account: Account): Promise<UploadSummary> {
    return this.lock.hold(async () => {
      await this.storage.put(`${INBOX}${fileName}`, bytes, 'text/csv');
      return this.summaryOf(fileName, await this.runInbox());
    });
  }

  private async summaryOf(fileName: string, run: InboxRun): Promise<UploadSummary> {
    const extract = run.extracts.find((e) => e.origin === fileName);
    const failure = run.inboxFailures.find((f) => baseName(f.key) === fileName);
    const others = run.extracts.filter((e) => e !== extract).map((e) => e.origin);
    const t = run.transform;
    const unfinished = [...t.failedObjects.map((f) => f.error), ...t.quarantinedObjects.map((q) => q.reason)];
    const name = parseChartFileName(fileName);
    const problem =
      failure?.reason ??
      (extract ? undefined : 'Another run took the file from the inbox first: its summary has it.') ??
      extract?.completeness.reason ??
      (unfinished.length ? `The transformer did not finish: ${unfinished[0]}` : undefined);
    return {
      fileName,
      chartId: extract?.chartId ?? `regional-${name?.region ?? 'global'}-${name?.period ?? 'daily'}`,
      date: extract?.date ?? name?.date ?? '',
      entries: extract?.entries ?? 0,
      delivered: extract?.delivered ?? 0,
      setAside: extract?.problems ?? [],
      rowsWritten: t.rowsWritten,
      rejectedLines: t.rejected,
      rejected: await this.rejectedLines(t),
      complete: problem === undefined && t.rejected === 0,
      ...(problem ? { problem } : {}),
      enrichment: extract?.enrichment ?? 'none',
      notes: [
        ...run.notes,
        ...(others.length
          ? [`The inbox also held ${others.join(', ')}: extracted in the same run (counts include them).`]
          : []),
      ],
    };
  }

  /** The transformer's rejected lines with their reasons, from the files it set them aside in. */
  private async rejectedLines(t: TransformReport): Promise<{ line: number; reason: string }[]> {
    const lines: { line: number; reason: string }[] = [];
    for (const o of t.objects) {
      if (o.rejected === 0 || !o.rejectedKey || lines.length >= SHOWN_REJECTED) continue;
      for (const text of ndjsonLines(await this.storage.get(o.rejectedKey))) {
        const r = JSON.parse(text) as { line?: number; reason?: string };
        lines.push({ line: Number(r.line ?? 0), reason: String(r.reason ?? '') });
        if (lines.length >= SHOWN_REJECTED) break;
      }
    }
    return lines;
  }
}
