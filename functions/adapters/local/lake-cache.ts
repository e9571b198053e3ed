// The explorer's copy of the lake's tables in one DuckDB file (<lake>/explorer/lake-cache.duckdb): the pages'
// queries read it in milliseconds instead of listing and parsing thousands of NDJSON files per query. It is
// rebuilt in the background when the lake's version changes (the old copy answers meanwhile) and kept across
// restarts: a serve that finds the copy of the lake's current version starts without a rebuild.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { TABLES } from '#functions/core/lake.js';
import { EXPLORER_DIR } from './explorer-state.js';
import { normalise, tableSource } from './duckdb-query.js';

export const CACHE_FILE = 'lake-cache.duckdb';
export const CACHE_MEMORY_LIMIT = '768MB';

export class LakeCache {
  private built: string | undefined;

  /** The lake version the copy holds ('' before the first build). */
  get version(): string {
    return this.built ?? '';
  }
  private building: Promise<void> | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    /** Page queries; rebuilds run on their own connection, so a query never waits behind one. */
    private readonly reader: DuckDBConnection,
    private readonly lakeRoot: string,
  ) {}

  static async open(lakeRoot: string): Promise<LakeCache> {
    await mkdir(join(lakeRoot, EXPLORER_DIR), { recursive: true });
    // A rebuild sorts the whole history: bounded memory, the rest spills to DuckDB's temporary files.
    const instance = await DuckDBInstance.create(join(lakeRoot, EXPLORER_DIR, CACHE_FILE), {
      memory_limit: CACHE_MEMORY_LIMIT,
    });
    const reader = await instance.connect();
    await reader.run('CREATE TABLE IF NOT EXISTS cache_meta (version VARCHAR)');
    const cache = new LakeCache(instance, reader, lakeRoot);
    const [row] = (await reader.runAndReadAll('SELECT version FROM cache_meta')).getRowObjects();
    cache.built = row ? String(row.version) : undefined;
    return cache;
  }

  /**
   * Brings the copy to `version`: the first time (no copy at all), or with `wait`, the caller waits for it;
   * otherwise a rebuild runs in the background and the current copy keeps answering.
   */
  async ensure(version: string, options: { readonly wait?: boolean } = {}): Promise<void> {
    if (this.built === version) return;
    this.building ??= this.rebuild(version).finally(() => (this.building = undefined));
    if (this.built === undefined || options.wait) await this.building;
  }

  private async rebuild(version: string): Promise<void> {
    const writer = await this.instance.connect();
    try {
      for (const table of TABLES) {
        const source = await tableSource(this.lakeRoot, table);
        await writer.run(
          'select' in source
            ? `CREATE OR REPLACE TABLE ${table}_next AS ${source.select} ORDER BY snapshot_date, chart_id`
            : `CREATE OR REPLACE TABLE ${table}_next (${source.columns})`,
        );
      }
      // One transaction: a page query sees the old tables or the new ones, never a mix.
      await writer.run('BEGIN TRANSACTION');
      for (const table of TABLES) {
        await writer.run(`DROP TABLE IF EXISTS ${table}`);
        await writer.run(`ALTER TABLE ${table}_next RENAME TO ${table}`);
      }
      await writer.run('DELETE FROM cache_meta');
      await writer.run('INSERT INTO cache_meta VALUES ($1)', [version]);
      await writer.run('COMMIT');
      this.built = version;
    } catch (error) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      writer.closeSync();
    }
  }

  async query(sql: string): Promise<{ readonly rows: readonly Record<string, unknown>[] }> {
    const reader = await this.reader.runAndReadAll(sql);
    return { rows: reader.getRowObjectsJS().map((r) => normalise(r) as Record<string, unknown>) };
  }

  async close(): Promise<void> {
    await this.building?.catch(() => undefined);
    this.reader.closeSync();
    this.instance.closeSync();
  }
}
