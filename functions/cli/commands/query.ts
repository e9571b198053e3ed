// `spotify-etl query`: SQL over the lake's three tables (DuckDB), streamed as a table, CSV, JSON or NDJSON.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { UsageError } from '#functions/errors.js';
import { EXIT, formatOption, type Command } from '../command.js';
import { RESULT_FORMATS, resultWriter, type ResultFormat } from '../format.js';

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Lets stdout drain before more is written: a slow reader holds the query back instead of the process buffering
 * the whole result. (When the reader goes away, runCli's EPIPE handler ends the process quietly with 0.)
 */
async function drained(): Promise<void> {
  if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
}

export const query: Command = {
  name: 'query',
  summary:
    'SQL over song_data, album_data and artist_data (DuckDB); snapshot_date is a DATE partition column',
  description: [
    'The SQL comes from the arguments, from --file, or from stdin with `-`. Rows are written as DuckDB',
    'produces them, so results of any size stream. A table sizes its columns from the first 2048 rows.',
    'NULL: the table shows NULL; in CSV it is an empty unquoted field, and the empty string is "".',
    "CSV writes lists as JSON arrays; cells that a spreadsheet would run as formulas get a leading '.",
    "Tables (and CSV on a terminal) show control characters as \\u{1b} escapes; JSON keeps the lake's text.",
    "Confined by default: DuckDB may open the lake tables' files only, and COPY, EXPORT, ATTACH, INSTALL",
    'and LOAD are refused. --unsafe lifts that: the SQL otherwise runs with your own file rights.',
  ].join('\n'),
  args: [
    { name: 'sql', description: 'the SQL (all remaining words; `-` reads it from stdin)', variadic: true },
  ],
  options: {
    format: formatOption(...RESULT_FORMATS),
    file: { type: 'string', short: 'f', value: 'file.sql', description: 'read the SQL from a file' },
    unsafe: {
      type: 'boolean',
      description: 'let the SQL read and write any file you can (COPY … TO, read_csv of any path, ATTACH)',
    },
  },
  examples: [
    `spotify-etl query "select count(*) from song_data where snapshot_date = DATE '2026-11-25'"`,
    'spotify-etl query "select * from song_data limit 5" --format csv',
    'spotify-etl query --file infra/queries/top-10-of-a-day.sql',
    'echo "select count(*) from album_data" | spotify-etl query -',
    'spotify-etl query --format ndjson -- "select * from artist_data" | head -3',
  ],
  async run({ values, args, config, io }) {
    const hint = 'spotify-etl query "select count(*) from song_data", --file q.sql, or - for stdin';
    const file = typeof values.file === 'string' ? values.file : undefined;
    if (file !== undefined && args.length > 0) {
      throw new UsageError('query takes its SQL from --file or from the arguments, not both.', { hint });
    }
    const sql = (
      file !== undefined
        ? await readFile(file, 'utf8')
        : args.length === 1 && args[0] === '-'
          ? await readStdin()
          : args.join(' ')
    ).trim();
    if (!sql) throw new UsageError('query needs SQL.', { hint });
    const engine = await LakeQueryEngine.open(config().lakeRoot, { confined: values.unsafe !== true });
    try {
      const result = await engine.stream(sql);
      const writer = resultWriter(
        values.format as ResultFormat,
        result.columns,
        process.stdout.isTTY === true,
      );
      for await (const rows of result.chunks) {
        const text = writer.chunk(rows);
        if (text !== '') io.out(text);
        await drained();
      }
      const end = writer.end();
      if (end !== '') io.out(end);
    } finally {
      engine.close();
    }
    return EXIT.ok;
  },
};
