// The QueryEngine port on Amazon Athena: start a query in the workgroup, poll until it ends, read its result pages.
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { AthenaClient, ColumnInfo, QueryExecutionStatus, Row } from '@aws-sdk/client-athena';
import { EtlError } from '#functions/errors.js';
import { systemClock } from '#functions/ports.js';
import type { Clock, QueryEngine } from '#functions/ports.js';

export interface AthenaSqlEngineOptions {
  /** Its settings (result location, scan cap, engine version) are enforced on every query. */
  readonly workGroup: string;
  /** The Glue database unqualified table names resolve in. */
  readonly database: string;
  readonly clock?: Clock;
  /** First wait before asking for the query's state; each wait doubles up to maxPollMs. */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
  /** A query still queued or running after this long is given up on (it is not stopped: the workgroup caps it). */
  readonly timeoutMs?: number;
}

/** GetQueryResults' largest page. */
const PAGE_SIZE = 1000;

/** Why a query that did not succeed ended, in Athena's words (e.g. "HIVE_BAD_DATA: Error parsing field value…"). */
function reasonOf(status: QueryExecutionStatus | undefined): string {
  return (
    status?.StateChangeReason?.trim() ||
    status?.AthenaError?.ErrorMessage?.trim() ||
    `${status?.State ?? 'unknown state'} without a reason`
  );
}

/**
 * Athena hands every value back as text (VarCharValue), and NULL as a datum without one. Numbers and booleans are
 * converted by the column's type; a date stays 'YYYY-MM-DD'; decimal, timestamp and nested types stay text (the
 * checks select none of them, and text keeps a decimal exact).
 */
export function athenaValue(text: string | undefined, type: string | undefined): unknown {
  if (text === undefined) return null;
  switch ((type ?? '').toLowerCase()) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
      return Number(text);
    case 'bigint': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case 'double':
    case 'real':
    case 'float':
      return Number(text);
    case 'boolean':
      return text === 'true';
    default:
      return text;
  }
}

function toRecord(row: Row, columns: readonly ColumnInfo[]): Record<string, unknown> {
  const data = row.Data ?? [];
  return Object.fromEntries(
    columns.map((column, i) => [column.Name ?? `_col${i}`, athenaValue(data[i]?.VarCharValue, column.Type)]),
  );
}

export class AthenaSqlEngine implements QueryEngine {
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaSqlEngineOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.pollMs = Math.max(1, options.pollMs ?? 200);
    this.maxPollMs = Math.max(this.pollMs, options.maxPollMs ?? 2000);
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  async query(sql: string): Promise<{ readonly rows: readonly Record<string, unknown>[] }> {
    const id = await this.start(sql);
    await this.waitFor(id);
    return { rows: await this.results(id) };
  }

  private async start(sql: string): Promise<string> {
    const started = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.options.workGroup,
        QueryExecutionContext: { Database: this.options.database },
      }),
    );
    if (!started.QueryExecutionId) throw new EtlError('Athena started a query without an execution id.');
    return started.QueryExecutionId;
  }

  /** Polls with doubling waits until the query ends; throws unless it SUCCEEDED. */
  private async waitFor(id: string): Promise<void> {
    const deadline = this.clock.now().getTime() + this.timeoutMs;
    let wait = this.pollMs;
    for (;;) {
      await this.clock.sleep(wait);
      const { QueryExecution } = await this.client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const status = QueryExecution?.Status;
      switch (status?.State) {
        case 'SUCCEEDED':
          return;
        case 'FAILED':
          // The reason leads: checks.ts puts this message in its report (e.g. an unreadable day's HIVE_BAD_DATA).
          throw new EtlError(`${reasonOf(status)} (Athena query ${id})`, {
            hint: `aws athena get-query-execution --query-execution-id ${id}`,
          });
        case 'CANCELLED':
          throw new EtlError(`Athena query ${id} was cancelled: ${reasonOf(status)}`);
      }
      if (this.clock.now().getTime() >= deadline) {
        throw new EtlError(
          `Athena query ${id} did not finish within ${this.timeoutMs / 1000} s (last state ${status?.State ?? 'unknown'}).`,
          { hint: `Workgroup ${this.options.workGroup} may be queueing queries; see its query history.` },
        );
      }
      wait = Math.min(wait * 2, this.maxPollMs);
    }
  }

  /** Every page; the first row of the first page is the header (the column names), not data. */
  private async results(id: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let columns: readonly ColumnInfo[] | undefined;
    let nextToken: string | undefined;
    let first = true;
    do {
      const page = await this.client.send(
        new GetQueryResultsCommand({
          QueryExecutionId: id,
          MaxResults: PAGE_SIZE,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const pageRows = page.ResultSet?.Rows ?? [];
      for (const row of first ? pageRows.slice(1) : pageRows) rows.push(toRecord(row, columns));
      first = false;
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }
}
