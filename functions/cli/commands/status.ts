// `spotify-etl status`: what the lake holds, what waits and what was set aside.
import { stat } from 'node:fs/promises';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { formatLakeStatus, lakeStatus } from '#functions/core/lake-status.js';
import { EtlError } from '#functions/errors.js';
import { EXIT, formatOption, type Command } from '../command.js';

export const status: Command = {
  name: 'status',
  summary: 'what the lake holds: charts, dates and gaps, rows per table, what waits and what was set aside',
  description:
    'Per chart: region, first and last chart date, days held and the missing days between them (weekly\n' +
    'charts every 7 days). Then rows per table, chart dates pending a check, raw objects waiting in\n' +
    'to_process/, rejected lines, quarantined objects, extract set-asides and the entity cache size.',
  args: [],
  options: { format: formatOption('text', 'json') },
  examples: ['spotify-etl status', 'spotify-etl status --format json'],
  async run({ values, config, io }) {
    const lakeRoot = config().lakeRoot;
    const info = await stat(lakeRoot).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new EtlError(`There is no lake at ${lakeRoot}: the folder does not exist.`, {
        hint: 'Check --lake or SPOTIFY_ETL_LAKE (default ./lake); `spotify-etl run` or `backfill` makes a lake.',
      });
    }
    const engine = await LakeQueryEngine.open(lakeRoot);
    try {
      const report = await lakeStatus(new FolderStorage(lakeRoot), engine);
      io.out(values.format === 'json' ? JSON.stringify(report, null, 2) : formatLakeStatus(report, lakeRoot));
    } finally {
      engine.close();
    }
    return EXIT.ok;
  },
};
