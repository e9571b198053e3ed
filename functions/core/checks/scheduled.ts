// The checker's scheduled runs of the data-quality checks, once the engine has answered a probe that reads no data.
// Daily: the last few chart dates; hourly: the chart dates transformed since the last check (a backfill's included).
import { addDays } from '../dates.js';
import { checkPending, type PendingChecks } from '../pending-checks.js';
import { TABLES } from '../lake.js';
import { EtlError } from '#functions/errors.js';
import type { QueryEngine } from '#functions/ports.js';
import type { CheckReport } from './report.js';

export interface ScheduledCheckOptions {
  /** The day the run is for (YYYY-MM-DD, UTC): the scheduled time's date. */
  readonly today: string;
  /** The last chart dates checked, today included, with freshness; 0 for none (the hourly run). */
  readonly days: number;
  /** Chart dates transformed and not yet checked. */
  readonly pending: PendingChecks;
}

/**
 * One query that names every table but reads no file: it needs the workgroup, the Glue catalog and the results
 * location, nothing of the data. Its failure means nothing could run, which runChecks would only report check by
 * check (it never throws for the engine, so that bad data reads as a failed check).
 */
export const ENGINE_PROBE_SQL = TABLES.map(
  (table) => `SELECT '${table}' AS table_name FROM ${table} WHERE false`,
).join(' UNION ALL ');

/** The checks could not run at all: the handler throws, so Lambda retries and then dead-letters the event. */
export class ChecksCannotRun extends EtlError {}

/**
 * Checks the pending chart dates, and the chart dates today-days+1 … today (freshness included) when days > 0.
 * Failed checks are in the report, never thrown; throws ChecksCannotRun when the engine cannot answer a query
 * that reads no data.
 */
export async function runScheduledChecks(
  engine: QueryEngine,
  options: ScheduledCheckOptions,
): Promise<CheckReport> {
  try {
    await engine.query(ENGINE_PROBE_SQL);
  } catch (error) {
    throw new ChecksCannotRun(
      `The checks cannot run: the query engine did not answer a query that reads no data: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: "Check the Athena workgroup, the Glue database and the checker role's permissions.",
        cause: error,
      },
    );
  }
  return checkPending(engine, options.pending, {
    today: options.today,
    ...(options.days > 0 ? { since: addDays(options.today, 1 - options.days) } : {}),
  });
}
