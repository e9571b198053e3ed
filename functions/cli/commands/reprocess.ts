// `spotify-etl reprocess --date D [--chart ID]`: rebuilds chart days from the raw objects in raw_data/processed/.
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import {
  planReprocess,
  reprocess as reprocessDays,
  type ReprocessPlan,
  type ReprocessReport,
} from '#functions/core/day-surgery.js';
import { EtlError, UsageError } from '#functions/errors.js';
import { EXIT, formatOption, type Command, type Io } from '../command.js';
import { dateOption, sayWaiting, str, transformProblems, unfinished } from '../terminal.js';
import { confirm, plural } from './delete.js';
import { lakeLock } from '../local-runtime.js';

export const reprocess: Command = {
  name: 'reprocess',
  summary: 'rebuild a chart day from its raw objects in raw_data/processed/ (after a delete, a fix, a doubt)',
  description:
    'Finds the processed raw objects that hold the latest run of the chart day (every chart of the date\n' +
    'without --chart), puts them back in raw_data/to_process/ and transforms them again. Same objects, same\n' +
    'run: an unchanged day comes out identical. Other chart days of the same objects (a backfill batch) are\n' +
    'rewritten with them, identically. Asks first on a terminal; --yes skips the question.',
  args: [],
  options: {
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the chart date (required)' },
    chart: { type: 'string', value: 'ID', description: 'only this chart (default: every chart of the date)' },
    yes: { type: 'boolean', short: 'y', description: 'do not ask' },
    format: formatOption('text', 'json'),
  },
  examples: [
    'spotify-etl reprocess --date 2024-02-05 --chart regional-au-daily',
    'spotify-etl reprocess --date 2024-02-05 --yes --format json',
  ],
  async run({ values, config, logger, io }) {
    const date = dateOption('date', values.date);
    if (!date) {
      throw new UsageError('reprocess needs --date.', {
        hint: 'spotify-etl reprocess --date 2024-02-05 [--chart regional-au-daily]',
      });
    }
    const chartId = str(values.chart);
    const lakeRoot = config().lakeRoot;
    const storage = new FolderStorage(lakeRoot);
    const plan = await planReprocess(storage, date, chartId);
    const what = `${chartId ?? 'any chart'} on ${date}`;
    if (plan.objects.length === 0) {
      throw new EtlError(`No raw object in raw_data/processed/ holds ${what}: nothing to rebuild it from.`, {
        hint: 'Extract the chart again (`spotify-etl run` or `backfill --force`).',
      });
    }
    const days = plan.chartDays.map((d) => d.chartId).join(', ');
    if (values.yes !== true) {
      const others =
        plan.otherChartDays.length > 0
          ? ` (and ${plural(plan.otherChartDays.length, 'other chart day')} they hold)`
          : '';
      const yes = await confirm(
        `Reprocess ${plural(plan.objects.length, 'raw object')} to rebuild ${days} on ${date}${others}?`,
        'reprocess',
      );
      if (!yes) {
        io.err('Nothing reprocessed.');
        return EXIT.failed;
      }
    }
    const report = await reprocessDays(plan, {
      storage,
      logger,
      lock: lakeLock(lakeRoot, 'reprocess', { onWait: sayWaiting(io) }),
    });
    const t = report.transform;
    if (values.format === 'json') io.out(JSON.stringify(report, null, 2));
    else printReport(plan, report, io);
    for (const s of report.skipped) io.err(`skipped ${s.key}: ${s.reason}`);
    for (const p of transformProblems(t)) io.err(p);
    return unfinished(t) > 0 || report.skipped.length > 0 ? EXIT.failed : EXIT.ok;
  },
};

/** The text report: each chart day rebuilt, the row counts before and after, and what the replay read. */
function printReport(plan: ReprocessPlan, report: ReprocessReport, io: Io): void {
  const t = report.transform;
  for (const d of plan.chartDays) io.out(`${d.chartId} ${d.date}: run ${d.runId}`);
  io.out(
    `song rows of those chart days: ${report.before.song_data} before, ${report.after.song_data} after ` +
      `(albums ${report.before.album_data} → ${report.after.album_data}, artists ${report.before.artist_data} → ${report.after.artist_data})`,
  );
  io.out(
    `${plural(t.objects.length, 'raw object')} replayed: ${t.linesIn} lines in = ${t.rowsWritten} rows written + ${t.duplicates} duplicates + ${t.rejected} rejected`,
  );
  if (plan.otherChartDays.length > 0)
    io.out(
      `${plural(plan.otherChartDays.length, 'other chart day')} of the same objects rewritten with them (same run).`,
    );
  if (plan.supersededObjects.length > 0)
    io.out(
      `${plural(plan.supersededObjects.length, 'raw object')} of older, superseded runs left in processed/.`,
    );
}
