// The explorer's state on one machine: a DuckDB file under the lake's explorer/ folder (users, sessions, sign-in
// throttling, saved queries, the audit log). One process owns it: DuckDB locks the file, and a second `serve` on the
// same lake is refused with a message saying so. Statements run one at a time (DuckDB's connection is not shared).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { EtlError } from '#functions/errors.js';

export const EXPLORER_DIR = 'explorer';
export const STATE_FILE = 'state.duckdb';

/** The tables, created when missing. Times are epoch milliseconds (sessions, throttle) or ISO text. */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS accounts (id VARCHAR PRIMARY KEY, email VARCHAR UNIQUE NOT NULL,
     password_hash VARCHAR NOT NULL, role VARCHAR NOT NULL, created_at VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS invitations (email VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, invited_at VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sessions (token_hash VARCHAR PRIMARY KEY, account_id VARCHAR NOT NULL,
     csrf_token VARCHAR NOT NULL, created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS throttle (key VARCHAR NOT NULL, failed_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS audit (happened_at VARCHAR NOT NULL, kind VARCHAR NOT NULL, account_id VARCHAR, email VARCHAR,
     client VARCHAR, detail VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS saved_queries (id VARCHAR PRIMARY KEY, owner_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
     sql VARCHAR NOT NULL, shared BOOLEAN NOT NULL, updated_at VARCHAR NOT NULL)`,
];

export type StateRow = Record<string, DuckDBValue>;

export class ExplorerState {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  /** Opens (or creates) `<lake>/explorer/state.duckdb`; refuses when another process holds it. */
  static async open(lakeRoot: string): Promise<ExplorerState> {
    const dir = join(lakeRoot, EXPLORER_DIR);
    await mkdir(dir, { recursive: true });
    const path = join(dir, STATE_FILE);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (error) {
      const text = (error as Error).message;
      if (/lock/i.test(text)) {
        throw new EtlError(`The explorer's state ${path} is in use by another process (a second serve?).`, {
          hint: 'Stop the other `spotify-etl serve` on this lake, or serve another lake with --lake.',
          cause: error,
        });
      }
      throw new EtlError(`Cannot open the explorer's state ${path}: ${text.split('\n')[0]}`, {
        cause: error,
      });
    }
    const connection = await instance.connect();
    for (const statement of SCHEMA) await connection.run(statement);
    return new ExplorerState(instance, connection, path);
  }

  /** Runs one statement after the ones before it have finished; returns its rows as objects. */
  all(sql: string, values: readonly DuckDBValue[] = []): Promise<StateRow[]> {
    const run = this.queue.then(async () => {
      const reader = await this.connection.runAndReadAll(sql, [...values]);
      return reader.getRowObjects() as StateRow[];
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async run(sql: string, values: readonly DuckDBValue[] = []): Promise<void> {
    await this.all(sql, values);
  }

  /** Waits for the statements in flight, then closes the file (its lock goes with it). */
  async close(): Promise<void> {
    await this.queue;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
