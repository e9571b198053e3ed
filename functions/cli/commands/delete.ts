// `spotify-etl delete --date D --chart ID`: removes one chart day from the three tables; the raw objects stay.
import { createInterface } from 'node:readline/promises';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { chartDayFiles, deleteChartDay, rowCounts } from '#functions/core/day-surgery.js';
import { EtlError, UsageError } from '#functions/errors.js';
import { EXIT, type Command } from '../command.js';
import { lakeLock } from '../local-runtime.js';
import { dateOption, sayWaiting, str } from '../terminal.js';

/**
 * Asks `question [y/N]` on the terminal; true only for y or yes. Without a terminal on stdin nobody can answer:
 * a usage error that names `--yes`, so a script never deletes by accident nor hangs waiting.
 */
export async function confirm(question: string, command: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError(`${command} asks before it changes the lake, and stdin is not a terminal.`, {
      hint: `Add --yes to ${command} without being asked (in a script or a pipe).`,
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const deleteDay: Command = {
  name: 'delete',
  summary: 'remove one chart day from song_data, album_data and artist_data (reprocess brings it back)',
  description:
    'Deletes the partition files of the chart on the date in all three tables, under the lake lock. The raw\n' +
    'objects stay in raw_data/processed/, so `spotify-etl reprocess --date D --chart ID` rebuilds the day.\n' +
    'Asks first on a terminal; --yes skips the question (needed when stdin is not a terminal).',
  args: [],
  options: {
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the chart date (required)' },
    chart: { type: 'string', value: 'ID', description: 'the chart id, e.g. regional-au-daily (required)' },
    yes: { type: 'boolean', short: 'y', description: 'do not ask' },
  },
  examples: [
    'spotify-etl delete --date 2024-02-05 --chart regional-au-daily',
    'spotify-etl delete --date 2024-02-05 --chart regional-au-daily --yes',
  ],
  async run({ values, config, io }) {
    const date = dateOption('date', values.date);
    const chartId = str(values.chart);
    if (!date || !chartId) {
      throw new UsageError('delete needs --date and --chart: one chart day at a time.', {
        hint: '`spotify-etl status` lists the charts and their dates.',
      });
    }
    const lakeRoot = config().lakeRoot;
    const storage = new FolderStorage(lakeRoot);
    const planned = rowCounts(await chartDayFiles(storage, date, chartId));
    const total = planned.song_data + planned.album_data + planned.artist_data;
    if (total === 0) {
      throw new EtlError(`The lake ${lakeRoot} holds no rows of ${chartId} on ${date}: nothing to delete.`, {
        hint: '`spotify-etl status` lists the charts and their dates.',
      });
    }
    if (values.yes !== true) {
      const yes = await confirm(`Delete ${planned.song_data} rows of ${chartId} on ${date}?`, 'delete');
      if (!yes) {
        io.err('Nothing deleted.');
        return EXIT.failed;
      }
    }
    const report = await deleteChartDay(
      storage,
      { date, chartId },
      lakeLock(lakeRoot, 'delete', { onWait: sayWaiting(io) }),
    );
    const r = report.rowsDeleted;
    io.out(
      `Deleted ${chartId} on ${date}: ${r.song_data} song, ${r.album_data} album and ${r.artist_data} artist rows in ${plural(report.filesDeleted.length, 'file')}. ` +
        `The raw objects stay in raw_data/processed/: \`spotify-etl reprocess --date ${date} --chart ${chartId}\` brings the day back.`,
    );
    return EXIT.ok;
  },
};
