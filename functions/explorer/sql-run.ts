// A user's SQL, run for the explorer: through the lake's sandbox with the editor's limits, one query at a time per
// account, the answer as rows or as a refusal with the HTTP status it is sent with.
import { EtlError } from '#functions/errors.js';
import type { ExplorerLake, SandboxedResult } from './ports.js';

export const SQL_LIMITS = {
  /** A query is interrupted after this long (DuckDB's interrupt, on its own connection). */
  timeoutMs: 10_000,
  /** Rows shown on the page and sent to the editor's script. */
  shownRows: 1_000,
  /** Rows a CSV download holds at most (the rest is cut, and the file name says so). */
  csvRows: 100_000,
  /** The longest SQL text accepted, run or saved. */
  maxSqlChars: 100_000,
  /** CSV runs at once in this process: 100,000 full song rows take about 200 MiB until written. */
  csvRunsAtOnce: 2,
} as const;

export type SqlRefusalKind = 'refused' | 'failed' | 'stopped' | 'busy';

export interface SqlRefusal {
  /**
   * refused (400): not a single read-only SELECT, or it reads outside the tables; failed (422): DuckDB could not run
   * it (syntax, unknown column); stopped (422): it ran past the time limit — not 408, which browsers may retry;
   * busy (429): the account has a query running, or the process as many CSV runs as it takes at once.
   */
  readonly kind: SqlRefusalKind;
  readonly status: 400 | 422 | 429;
  readonly message: string;
  readonly hint?: string;
}

export type SqlOutcome =
  { readonly ok: true; readonly result: SandboxedResult } | ({ readonly ok: false } & SqlRefusal);

const STATUS: Readonly<Record<SqlRefusalKind, SqlRefusal['status']>> = {
  refused: 400,
  failed: 422,
  stopped: 422,
  busy: 429,
};

const refusal = (kind: SqlRefusalKind, message: string, hint?: string): SqlOutcome => ({
  ok: false,
  kind,
  status: STATUS[kind],
  message,
  ...(hint ? { hint } : {}),
});

/** The sandbox's EtlErrors start with what happened (ExplorerLake.sandboxed); anything else is a bug, thrown on. */
function classify(error: unknown): SqlOutcome {
  if (!(error instanceof EtlError)) throw error;
  const kind = /^Query refused:/.test(error.message)
    ? 'refused'
    : /^Query stopped:/.test(error.message)
      ? 'stopped'
      : 'failed';
  return refusal(kind, error.message, error.hint);
}

export class SqlRunner {
  /** Accounts with a query in flight: one each, so that nobody fills the engine with runaway queries. */
  private readonly running = new Set<string>();
  /** CSV runs in flight in this process (the page's 1,000-row runs are not counted). */
  private largeRuns = 0;

  constructor(private readonly lake: ExplorerLake) {}

  async run(accountId: string, sql: string, maxRows: number): Promise<SqlOutcome> {
    if (sql.length > SQL_LIMITS.maxSqlChars) {
      return refusal(
        'refused',
        `Query refused: the SQL is ${sql.length.toLocaleString('en')} characters; at most ${SQL_LIMITS.maxSqlChars.toLocaleString('en')} are run.`,
      );
    }
    if (this.running.has(accountId)) {
      return refusal('busy', 'Your previous query is still running: wait for it to finish (at most 10 s).');
    }
    const large = maxRows > SQL_LIMITS.shownRows;
    if (large && this.largeRuns >= SQL_LIMITS.csvRunsAtOnce) {
      return refusal('busy', 'Other CSV files are being made right now: try again in a few seconds.');
    }
    this.running.add(accountId);
    if (large) this.largeRuns++;
    try {
      return {
        ok: true,
        result: await this.lake.sandboxed(sql, { timeoutMs: SQL_LIMITS.timeoutMs, maxRows }),
      };
    } catch (error) {
      return classify(error);
    } finally {
      this.running.delete(accountId);
      if (large) this.largeRuns--;
    }
  }
}
