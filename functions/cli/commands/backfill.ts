// `spotify-etl backfill`: many Charts CSV files through extract → delivery → transform; resumable, idempotent.
import type { BackfillProgress, BackfillReport, PlannedFile } from '#functions/core/backfill.js';
import { UsageError } from '#functions/errors.js';
import { systemClock } from '#functions/ports.js';
import { EXIT, formatOption, type Command, type Io } from '../command.js';
import { formatFigures } from '../format.js';
import { backfillLocal, type BackfillRunReport } from '../local-runtime.js';
import { dateOption, sayWaiting, transformProblems, unfinished } from '../terminal.js';

/**
 * A progress bar with rate and ETA on a terminal; nothing when stderr is not a terminal. It stops drawing once
 * the signal aborts: the Ctrl-C handler has ended its line, and the closing line follows it.
 */
function progressBar(
  io: Io,
  started: number,
  signal: AbortSignal,
): ((p: BackfillProgress) => void) | undefined {
  if (!io.interactive) return undefined;
  let last = 0;
  return (p) => {
    if (signal.aborted) return;
    const now = Date.now();
    const handled = p.done + p.skipped + p.failed;
    if (now - last < 100 && handled < p.total) return;
    last = now;
    const rate = p.done / Math.max(0.001, (now - started) / 1000);
    const eta = rate > 0 ? Math.round((p.total - handled) / rate) : 0;
    const width = 30;
    const filled = Math.round((handled / p.total) * width);
    io.errRaw(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${handled}/${p.total} files  ${rate.toFixed(1)} charts/s  ` +
        `${p.entries} entries  ETA ${Math.floor(eta / 60)}:${String(eta % 60).padStart(2, '0')}   ${handled === p.total ? '\n' : ''}`,
    );
  };
}

/** One line per file of a dry run: what would happen to it, and why. */
function planLine(p: PlannedFile): string {
  switch (p.outcome) {
    case 'ingest':
      return `would ingest: ${p.origin}: ${p.chartId} ${p.date}, ${p.entries} entries, complete`;
    case 'incomplete':
      return `would ingest incomplete: ${p.origin}: ${p.entries} entries; ${p.reason}`;
    case 'not a chart':
      return `would set aside: ${p.origin}: ${p.reason}`;
    case 'done':
      return `already done (would skip): ${p.origin}`;
  }
}

/** A dry run in words: a line per file, then the counts. */
function printPlan(io: Io, b: BackfillReport): void {
  for (const p of b.plan ?? []) io.out(planLine(p));
  io.out(
    formatFigures('backfill --dry-run (nothing written)', [
      ['files', b.files],
      ['would ingest complete', (b.plan ?? []).filter((p) => p.outcome === 'ingest').length],
      ['would ingest incomplete', b.incomplete.length],
      ['would set aside', b.failed.length],
      ['already done (skipped)', b.skipped],
      ['chart entries', b.entries],
    ]),
  );
}

/** A backfill in words: notes on stderr, the figures on stdout, and what to do next. */
function printSummary(io: Io, r: BackfillRunReport): void {
  const b = r.backfill;
  const t = r.transform;
  if (!r.enrichment)
    io.err(
      'note: no Spotify credentials: rows come from the chart files alone (album and artist tables stay empty).',
    );
  if (r.replayed.objects.length > 0)
    io.err(`note: replayed ${r.replayed.objects.length} raw objects left in to_process/ by an earlier run`);
  const rows: [string, string | number][] = [
    ['files', b.files],
    ['charts extracted', b.extracted],
    ['already done (skipped)', b.skipped],
    ['files set aside', b.failed.length],
    ['incomplete charts', b.incomplete.length],
    ['chart entries', b.entries],
    ['song rows written', t.rowsWritten],
    ['duplicates dropped', t.duplicates],
    ['lines rejected', t.rejected + r.replayed.rejected],
    ['Spotify API calls', b.apiCalls],
    ['cache hits', b.cacheHits],
    ['time', `${r.seconds.toFixed(1)} s`],
    ['rate', `${(b.entries / Math.max(r.seconds, 0.001)).toFixed(0)} entries/s`],
  ];
  io.out(formatFigures('backfill', rows));
  if (t.rowsWritten > 0) io.err('Check the chart dates it wrote: spotify-etl check --pending');
}

/** `--region`: global or a two-letter country code, as in Spotify's file names. */
function regionOption(value: string | boolean | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const region = value.toLowerCase();
  if (!/^([a-z]{2}|global)$/.test(region)) {
    throw new UsageError(`--region ${value} is not a region.`, {
      hint: 'Use global or a two-letter country code (us, de, jp), as in regional-<region>-daily-….csv.',
    });
  }
  return region;
}

export const backfill: Command = {
  name: 'backfill',
  summary: 'many Charts CSVs (daily and weekly, any region) into the lake: resumable, idempotent',
  description:
    'Oldest chart date first. A file is marked done only after its batch was transformed; raw objects a killed\n' +
    'run left in to_process/ are replayed first; done files are skipped by content hash. Ctrl-C stops after the\n' +
    'batch in progress; the same command resumes. --dry-run reads and parses every file and writes nothing.',
  args: [{ name: 'folder|glob|file', description: 'where the Charts CSV files are', required: true }],
  options: {
    force: { type: 'boolean', description: 'extract files already done again (the later run supersedes)' },
    date: {
      type: 'string',
      value: 'YYYY-MM-DD',
      description: 'the chart date of a single file whose name does not give it (…-latest.csv, chart.csv)',
    },
    region: {
      type: 'string',
      value: 'region',
      description: 'the region (global, us, de…) of files whose names do not give it',
    },
    'dry-run': {
      type: 'boolean',
      description: 'read and parse every file, say what would be ingested or set aside; write nothing',
    },
    format: formatOption('text', 'json'),
  },
  examples: [
    'spotify-etl backfill ./charts',
    "spotify-etl backfill './charts/regional-*-daily-2024-*.csv'",
    'spotify-etl backfill ./charts --dry-run',
    'spotify-etl backfill spotifycharts-regional-global-daily-latest.csv --date 2020-03-15',
  ],
  async run({ values, args, config, logger, io, signal }) {
    const date = dateOption('date', values.date);
    const region = regionOption(values.region);
    const dryRun = values['dry-run'] === true;
    const bar = values.format === 'text' ? progressBar(io, Date.now(), signal) : undefined;
    const r = await backfillLocal(config(), systemClock, logger, args[0]!, {
      force: values.force === true,
      ...(bar ? { onProgress: bar } : {}),
      ...(date !== undefined ? { date } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(dryRun ? { dryRun } : {}),
      signal,
      onWait: sayWaiting(io),
    });
    const b = r.backfill;
    const t = r.transform;
    const closing = b.interrupted
      ? `interrupted after ${b.handled} of ${b.files} files; run the same command again to resume`
      : undefined;
    if (dryRun) {
      if (values.format === 'json') io.out(JSON.stringify({ dryRun: true, ...b }, null, 2));
      else printPlan(io, b);
      if (closing) {
        io.err(closing.replace('; run the same command again to resume', ''));
        return EXIT.interrupted;
      }
      // Exit 0 means every file would become a complete chart in the lake.
      return b.failed.length + b.incomplete.length + b.skipped > 0 ? EXIT.failed : EXIT.ok;
    }
    const problems = [
      ...b.failed.map((f) => `set aside: ${f.origin}: ${f.reason}`),
      ...b.incomplete.map((f) => `incomplete chart: ${f.origin}: ${f.reason}`),
      ...transformProblems(r.replayed),
      ...transformProblems(t),
    ];
    if (values.format === 'json') io.out(JSON.stringify(r, null, 2));
    else printSummary(io, r);
    for (const p of problems) io.err(p);
    if (closing) {
      io.err(closing);
      return EXIT.interrupted;
    }
    // Exit 0 means every file became a complete chart in the lake.
    const bad = unfinished(t) + unfinished(r.replayed) + b.incomplete.length + b.failed.length;
    return bad > 0 ? EXIT.failed : EXIT.ok;
  },
};
