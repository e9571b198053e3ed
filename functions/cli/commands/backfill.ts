// `spotify-etl backfill`: many Charts CSV files through extract → delivery → transform; resumable, idempotent.
import type { BackfillProgress } from '../../core/backfill.js';
import { systemClock } from '../../ports.js';
import { EXIT, formatOption, type Command, type Io } from '../command.js';
import { formatFigures } from '../format.js';
import { backfillLocal } from '../local-runtime.js';
import { sayWaiting, transformProblems, unfinished } from '../terminal.js';

/** A progress bar with rate and ETA on a terminal; nothing when stderr is not a terminal. */
function progressBar(io: Io, started: number): ((p: BackfillProgress) => void) | undefined {
  if (!io.interactive) return undefined;
  let last = 0;
  return (p) => {
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

export const backfill: Command = {
  name: 'backfill',
  summary: 'many Charts CSVs (daily and weekly, any region) into the lake: resumable, idempotent',
  description:
    'Oldest chart date first. A file is marked done only after its batch was transformed; raw objects a killed\n' +
    'run left in to_process/ are replayed first; done files are skipped by content hash.',
  args: [{ name: 'folder|glob|file', description: 'where the Charts CSV files are', required: true }],
  options: {
    force: { type: 'boolean', description: 'extract files already done again (the later run supersedes)' },
    format: formatOption('text', 'json'),
  },
  examples: ['spotify-etl backfill ./charts', "spotify-etl backfill './charts/regional-*-daily-2024-*.csv'"],
  async run({ values, args, config, logger, io }) {
    const bar = values.format === 'text' ? progressBar(io, Date.now()) : undefined;
    const r = await backfillLocal(config(), systemClock, logger, args[0]!, {
      force: values.force === true,
      ...(bar ? { onProgress: bar } : {}),
      onWait: sayWaiting(io),
    });
    const b = r.backfill;
    const t = r.transform;
    const problems = [
      ...b.failed.map((f) => `set aside: ${f.origin}: ${f.reason}`),
      ...b.incomplete.map((f) => `incomplete chart: ${f.origin}: ${f.reason}`),
      ...transformProblems(r.replayed),
      ...transformProblems(t),
    ];
    if (values.format === 'json') io.out(JSON.stringify(r, null, 2));
    else {
      if (!r.enrichment)
        io.err(
          'note: no Spotify credentials: rows come from the chart files alone (album and artist tables stay empty).',
        );
      if (r.replayed.objects.length > 0)
        io.err(
          `note: replayed ${r.replayed.objects.length} raw objects left in to_process/ by an earlier run`,
        );
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
    for (const p of problems) io.err(p);
    // Exit 0 means every file became a complete chart in the lake.
    const bad = unfinished(t) + unfinished(r.replayed) + b.incomplete.length + b.failed.length;
    return bad > 0 ? EXIT.failed : EXIT.ok;
  },
};
