// The daily run of the data-quality checks on AWS: the last few chart dates, after making sure the engine answers.
import { addDays } from '../core/chart.js';
import { runChecks, type CheckReport, type SqlEngine } from '../core/checks.js';
import { TABLES } from '../core/lake.js';
import { EtlError } from '../errors.js';

export interface DailyCheckOptions {
  /** The day the run is for (YYYY-MM-DD, UTC): the scheduled time's date. */
  readonly today: string;
  /** Chart dates checked, today included. */
  readonly days: number;
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
 * Checks the chart dates today-days+1 … today (freshness included). Failed checks are in the report, never thrown;
 * throws ChecksCannotRun when the engine cannot answer a query that reads no data.
 */
export async function runDailyChecks(engine: SqlEngine, options: DailyCheckOptions): Promise<CheckReport> {
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
  return runChecks(engine, { today: options.today, from: addDays(options.today, 1 - options.days) });
}
