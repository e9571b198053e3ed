// The local query engine: DuckDB over the lake folder, with album_data, artist_data and song_data as views
// whose columns come from schemas/ (the same columns Glue gets) and snapshot_date as a hive partition column.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { join, resolve } from 'node:path';
import { readdir } from 'node:fs/promises';
import { TABLE_SCHEMAS, type JsonSchema } from '../../core/schemas.js';
import { TABLES, TRANSFORMED, type TableName } from '../../core/lake.js';
import { EtlError } from '../../errors.js';

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

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

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

function normalise(value: unknown): unknown {
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

export class LakeQueryEngine {
  private constructor(private readonly connection: DuckDBConnection) {}

  /** Opens an in-memory DuckDB with a view per table over `<lake>/top_200_global/transformed_data/`. */
  static async open(lakeRoot: string): Promise<LakeQueryEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const table of TABLES) {
      const dir = resolve(lakeRoot, ...TRANSFORMED.split('/').filter(Boolean), table);
      const columns = tableColumns(table);
      if (await hasFiles(dir)) {
        const glob = join(dir, 'snapshot_date=*', '*.json').replace(/'/g, "''");
        const spec = columns.map(([n, t]) => `'${n}': '${t}'`).join(', ');
        // hive_partitioning turns snapshot_date=YYYY-MM-DD folders into a DATE column that filters prune on.
        await connection.run(
          `CREATE VIEW ${table} AS SELECT * FROM read_json('${glob}', format = 'newline_delimited', hive_partitioning = true, hive_types = {'snapshot_date': 'DATE'}, columns = {${spec}})`,
        );
      } else {
        const cols = [...columns.map(([n, t]) => `"${n}" ${t}`), 'snapshot_date DATE'].join(', ');
        await connection.run(`CREATE TABLE ${table} (${cols})`);
      }
    }
    return new LakeQueryEngine(connection);
  }

  async query(sql: string): Promise<QueryResult> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return {
        columns: reader.columnNames(),
        rows: reader.getRowObjectsJS().map((r) => normalise(r) as Row),
      };
    } catch (error) {
      throw new EtlError(`Query failed: ${(error as Error).message.split('\n')[0]}`, {
        hint: 'Tables: song_data, album_data, artist_data (partition column snapshot_date, a DATE).',
        cause: error,
      });
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

  close(): void {
    this.connection.closeSync();
  }
}
