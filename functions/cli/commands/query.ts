// `spotify-etl query`: SQL over the lake's three tables (DuckDB), as a table, JSON or CSV.
import { LakeQueryEngine } from '../../adapters/local/duckdb-query.js';
import { UsageError } from '../../errors.js';
import { EXIT, formatOption, type Command } from '../command.js';
import { formatCsv, formatJson, formatTable } from '../format.js';

export const query: Command = {
  name: 'query',
  summary:
    'SQL over song_data, album_data and artist_data (DuckDB); snapshot_date is a DATE partition column',
  args: [{ name: 'sql', description: 'the SQL (all remaining words)', required: true, variadic: true }],
  options: { format: formatOption('table', 'json', 'csv') },
  examples: [
    `spotify-etl query "select count(*) from song_data where snapshot_date = DATE '2026-11-25'"`,
    'spotify-etl query "select * from song_data limit 5" --format csv',
  ],
  async run({ values, args, config, io }) {
    const sql = args.join(' ').trim();
    if (!sql)
      throw new UsageError('query needs SQL.', {
        hint: 'spotify-etl query "select count(*) from song_data"',
      });
    const engine = await LakeQueryEngine.open(config().lakeRoot);
    try {
      const r = await engine.query(sql);
      if (values.format === 'json') io.out(formatJson(r.rows));
      else if (values.format === 'csv') io.out(formatCsv(r.columns, r.rows));
      else io.out(formatTable(r.columns, r.rows));
    } finally {
      engine.close();
    }
    return EXIT.ok;
  },
};
