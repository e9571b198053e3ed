// The local query engine: DuckDB over the lake folder, with album_data, artist_data and song_data as views
// whose columns come from schemas/ (the same columns Glue gets) and snapshot_date as a hive partition column.
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { join, resolve } from 'node:path';
import { readdir } from 'node:fs/promises';
import { TABLE_SCHEMAS, type JsonSchema } from '#functions/core/schemas.js';
import { TABLES, TRANSFORMED, type TableName } from '#functions/core/lake.js';
import { EtlError } from '#functions/errors.js';
import type { QueryEngine } from '#functions/ports.js';
import type { SandboxedResult, SandboxLimits } from '#functions/explorer/ports.js';

/** JSON Schema property → DuckDB type: string VARCHAR, integer BIGINT, number DOUBLE, boolean BOOLEAN, arrays of those. */
export function duckdbType(property: JsonSchema): string {
  const types = ([] as unknown[]).concat(property.type ?? []).filter((t) => t !== 'null');
  const type = types[0] ?? (Array.isArray(property.enum) ? 'string' : undefined);
  switch (type) {
    case 'string':
      return 'VARCHAR';
    case 'integer':
      return 'BIGINT';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'array':
      return `${duckdbType((property.items ?? {}) as JsonSchema)}[]`;
    default:
      throw new Error(`no DuckDB type for schema property ${JSON.stringify(property)}`);
  }
}

export function tableColumns(table: TableName): [string, string][] {
  const props = TABLE_SCHEMAS[table].properties ?? {};
  return Object.entries(props).map(([name, p]) => [name, duckdbType(p)]);
}

export type Row = Record<string, unknown>;
export type { SandboxedResult, SandboxLimits };

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

/** A result read as DuckDB produces it: the columns first, then the rows one chunk (≤ 2048 rows) at a time. */
export interface StreamedResult {
  readonly columns: readonly string[];
  readonly chunks: AsyncIterable<readonly Row[]>;
}

export interface OpenOptions {
  /**
   * Confines SQL to the lake: DuckDB may open the tables' files only, under transformed_data/ (allowed_directories with
   * enable_external_access=false, locked so a query cannot lift it), and statements that write files (COPY,
   * EXPORT, ATTACH, INSTALL, LOAD) are refused. Off, SQL runs with the user's own file rights.
   */
  readonly confined?: boolean;
}

/** Statements a confined engine refuses: they write files (even inside the lake) or load code. */
const WRITES_FILES: ReadonlyMap<StatementType, string> = new Map([
  [StatementType.COPY, 'COPY'],
  [StatementType.EXPORT, 'EXPORT DATABASE'],
  [StatementType.COPY_DATABASE, 'COPY FROM DATABASE'],
  [StatementType.ATTACH, 'ATTACH'],
  [StatementType.DETACH, 'DETACH'],
  [StatementType.LOAD, 'LOAD'],
  [StatementType.EXTENSION, 'INSTALL'],
  [StatementType.UPDATE_EXTENSIONS, 'UPDATE EXTENSIONS'],
]);

/** SQL whose first word reads (a SELECT and its relatives): for messages only, DuckDB's statement type decides. */
const READS_ONLY = /^\s*(select|with|from|values|table|describe|show|summarize|pragma|\()/i;
const withoutComments = (sql: string): string => sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');

const QUERY_HINT = 'Tables: song_data, album_data, artist_data (partition column snapshot_date, a DATE).';

const queryFailed = (error: unknown): EtlError =>
  error instanceof EtlError
    ? error
    : new EtlError(`Query failed: ${(error as Error).message.split('\n')[0]}`, {
        hint: /Permission Error/.test((error as Error).message)
          ? 'query reads the lake only; --unsafe lifts that (SQL then runs with your own file rights).'
          : QUERY_HINT,
        cause: error,
      });

async function hasFiles(dir: string): Promise<boolean> {
  try {
    for (const part of await readdir(dir, { withFileTypes: true })) {
      if (part.isDirectory() && part.name.startsWith('snapshot_date=')) {
        const files = await readdir(join(dir, part.name));
        if (files.some((f) => f.endsWith('.json'))) return true;
      }
    }
  } catch {
    return false;
  }
  return false;
}

/**
 * What a table is over the lake folder: a SELECT of its partitions' files (hive_partitioning turns the
 * snapshot_date=YYYY-MM-DD folders into a DATE column that filters prune on), or, while it has no file, the column
 * list of an empty table.
 */
export async function tableSource(
  lakeRoot: string,
  table: TableName,
): Promise<{ readonly select: string } | { readonly columns: string }> {
  const dir = resolve(lakeRoot, ...TRANSFORMED.split('/').filter(Boolean), table);
  const columns = tableColumns(table);
  if (!(await hasFiles(dir))) {
    return { columns: [...columns.map(([n, t]) => `"${n}" ${t}`), 'snapshot_date DATE'].join(', ') };
  }
  const glob = join(dir, 'snapshot_date=*', '*.json').replace(/'/g, "''");
  const spec = columns.map(([n, t]) => `'${n}': '${t}'`).join(', ');
  return {
    select: `SELECT * FROM read_json('${glob}', format = 'newline_delimited', hive_partitioning = true, hive_types = {'snapshot_date': 'DATE'}, columns = {${spec}})`,
  };
}

/** A DuckDB value as the rest of the code wants it: safe integers as numbers, dates as YYYY-MM-DD. */
export function normalise(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

export class LakeQueryEngine implements QueryEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly confined: boolean,
  ) {}

  /** Opens an in-memory DuckDB with a view per table over `<lake>/top_200_global/transformed_data/`. */
  static async open(lakeRoot: string, options: OpenOptions = {}): Promise<LakeQueryEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const table of TABLES) {
      const source = await tableSource(lakeRoot, table);
      await connection.run(
        'select' in source
          ? `CREATE VIEW ${table} AS ${source.select}`
          : `CREATE TABLE ${table} (${source.columns})`,
      );
    }
    if (options.confined) {
      // After the views exist (they name the lake's files); the order of these three SETs matters. The tables'
      // folder only: the lake's root also holds explorer/state.duckdb (password hashes, sessions).
      const tables = resolve(lakeRoot, ...TRANSFORMED.split('/').filter(Boolean));
      const lake = `${tables}/`.replace(/'/g, "''");
      await connection.run(`SET allowed_directories = ['${lake}']`);
      await connection.run('SET enable_external_access = false');
      await connection.run('SET lock_configuration = true');
    }
    return new LakeQueryEngine(instance, connection, options.confined === true);
  }

  /**
   * Runs SQL (one statement or several: the last one's rows are the result) and reads its rows chunk by chunk as
   * DuckDB produces them, so a result of any size needs the memory of one chunk. A failure, at the start or half
   * way, is an EtlError.
   */
  async stream(sql: string): Promise<StreamedResult> {
    let result: DuckDBResult;
    try {
      const statements = await this.connection.extractStatements(sql);
      if (statements.count === 0)
        throw new EtlError('Query failed: the SQL holds no statement.', { hint: QUERY_HINT });
      // Prepared one at a time, each after the one before has run: a later statement may use an earlier one's table.
      for (let i = 0; ; i++) {
        const prepared = await statements.prepare(i);
        const refused = this.confined ? WRITES_FILES.get(prepared.statementType) : undefined;
        if (refused) {
          throw new EtlError(
            `Query refused: ${refused} writes files or loads code, and query only reads the lake.`,
            {
              hint: 'Run it with --unsafe to give the SQL your own file rights.',
            },
          );
        }
        if (i === statements.count - 1) {
          result = await prepared.stream();
          break;
        }
        await prepared.run();
      }
    } catch (error) {
      throw queryFailed(error);
    }
    const columns = result.deduplicatedColumnNames();
    async function* chunks(): AsyncGenerator<readonly Row[]> {
      try {
        for await (const rows of result.yieldRowsJs()) {
          yield rows.map((values) => {
            const row: Row = {};
            for (let c = 0; c < columns.length; c++) row[columns[c]!] = normalise(values[c]);
            return row;
          });
        }
      } catch (error) {
        throw queryFailed(error);
      }
    }
    return { columns, chunks: chunks() };
  }

  async query(sql: string): Promise<QueryResult> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return {
        columns: reader.columnNames(),
        rows: reader.getRowObjectsJS().map((r) => normalise(r) as Row),
      };
    } catch (error) {
      throw queryFailed(error);
    }
  }

  /** Files a query opens, from DuckDB's EXPLAIN ANALYZE ("Total Files Read" of each scan): proof of pruning. */
  async filesRead(sql: string): Promise<{ readonly read: number; readonly total: number }> {
    const plan = (await this.query(`EXPLAIN ANALYZE ${sql}`)).rows
      .map((r) => String(r.explain_value ?? ''))
      .join('\n');
    const read = [...plan.matchAll(/Total Files Read: (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    const total = [...plan.matchAll(/Scanning Files: \d+\/(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    return { read, total: total || read };
  }

  /**
   * A user's SQL, for the explorer: only on a confined engine, one statement, of type SELECT (WITH … SELECT and
   * FROM-first included), interrupted after `timeoutMs`, read until `maxRows` rows. Everything else is an EtlError
   * whose message says why, in words for the person who wrote the SQL. Each call has a connection of its own, so
   * that the interrupt stops this query only and a runaway query does not hold up the app's own queries.
   */
  async sandboxed(sql: string, limits: SandboxLimits): Promise<SandboxedResult> {
    if (!this.confined) throw new EtlError('Sandboxed SQL needs a confined engine.');
    // DuckDB answers SQL of comments and semicolons only with "Error in native callback".
    if (withoutComments(sql).replace(/[\s;]/g, '') === '') {
      throw new EtlError('Query refused: the SQL holds no statement.', { hint: QUERY_HINT });
    }
    const started = performance.now();
    const connection = await this.instance.connect();
    let interrupted = false;
    const timer = setTimeout(() => {
      interrupted = true;
      connection.interrupt();
    }, limits.timeoutMs);
    try {
      const { columns, rows, truncated } = await readCapped(connection, sql, limits.maxRows);
      return { columns, rows, truncated, elapsedMs: Math.round(performance.now() - started) };
    } catch (error) {
      if (interrupted) {
        throw new EtlError(`Query stopped: it ran longer than ${limits.timeoutMs / 1000} s.`, {
          cause: error,
        });
      }
      if (/Permission Error/.test((error as Error).message ?? '')) {
        // COPY … TO a file fails on the file before its statement type is known: say what is wrong with it.
        throw new EtlError(
          READS_ONLY.test(withoutComments(sql))
            ? 'Query refused: SQL here reads the tables song_data, album_data and artist_data only.'
            : 'Query refused: only a SELECT (or WITH … SELECT) runs here; the lake is read-only.',
          { hint: QUERY_HINT, cause: error },
        );
      }
      throw queryFailed(error);
    } finally {
      clearTimeout(timer);
      connection.closeSync();
    }
  }

  close(): void {
    this.connection.closeSync();
  }
}

/** One SELECT statement's rows, read until `maxRows` (truncated: more existed). */
async function readCapped(
  connection: DuckDBConnection,
  sql: string,
  maxRows: number,
): Promise<{ readonly columns: readonly string[]; readonly rows: Row[]; readonly truncated: boolean }> {
  const statements = await connection.extractStatements(sql);
  if (statements.count !== 1) {
    throw new EtlError(`Query refused: one statement at a time (this SQL holds ${statements.count}).`);
  }
  const prepared = await statements.prepare(0);
  if (prepared.statementType !== StatementType.SELECT) {
    throw new EtlError('Query refused: only a SELECT (or WITH … SELECT) runs here; the lake is read-only.');
  }
  const result = await prepared.stream();
  const columns = result.deduplicatedColumnNames();
  const rows: Row[] = [];
  for await (const chunk of result.yieldRowsJs()) {
    for (const values of chunk) {
      if (rows.length === maxRows) return { columns, rows, truncated: true };
      const row: Row = {};
      for (let c = 0; c < columns.length; c++) row[columns[c]!] = normalise(values[c]);
      rows.push(row);
    }
  }
  return { columns, rows, truncated: false };
}
