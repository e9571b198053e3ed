// Checker Lambda: two EventBridge schedules → data-quality checks in Athena → the report in the log, its counts as
// metrics. Daily (17:00 UTC, an hour after the extractor): the last CHECK_DAYS chart dates and every date waiting
// for a check. Hourly (`checks: "pending"`): only the dates the transformer wrote since the last check, if any.
// Both honour the known gaps declared in the lake (checks/known-gaps.json), as `spotify-etl check` does.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { loadConfig } from '#functions/config.js';
import { systemClock } from '#functions/ports.js';
import { athenaEngine, lambdaLogger, s3Storage } from '#functions/adapters/aws/dependencies.js';
import { emitMetrics } from '#functions/adapters/aws/metrics.js';
import { readKnownGaps } from '#functions/core/checks/index.js';
import { clearPending, firstDates, listPending } from '#functions/core/pending-checks.js';
import { runScheduledChecks } from '#functions/core/checks/scheduled.js';
import { checkMetrics } from './metrics.js';

const config = loadConfig();
const logger = lambdaLogger(config);
const engine = athenaEngine(config);
const storage = s3Storage(config);

/** Pending chart dates one run checks at most (a year of a backfill takes a few minutes of Athena). */
const MAX_PENDING_DATES_PER_RUN = 366;

export type CheckEvent = Partial<ScheduledEvent> & { readonly checks?: 'daily' | 'pending' };

/**
 * Success: the checks ran; the report is logged and FailedChecks, PreviousRankMismatches and ChartDaysChecked are
 * emitted (Function=check). Failed checks are not an error of this function: the FailedChecks alarm reports them,
 * and a retry would only find them again. Failure: it throws when the checks could not run at all (Athena, Glue or
 * permissions), so Lambda retries the event and then sends it to the dead-letter queue; no metric is emitted, which
 * the FailedChecks alarm also treats as a failure. A known-gaps file that cannot be read or is invalid is such a
 * failure too (the error names the file and the bad entry): checking without it would raise false alarms.
 */
export const handler = async (event: CheckEvent, context?: Context): Promise<void> => {
  if (context) logger.addContext(context);
  const today = (event.time ?? systemClock.now().toISOString()).slice(0, 10);
  // Bounded, so that a run over a backfill's history stays well inside the timeout; the rest waits an hour.
  const listed = firstDates(await listPending(storage), MAX_PENDING_DATES_PER_RUN);
  const hourly = event.checks === 'pending';
  if (hourly && listed.dates.length === 0 && (listed.invalid ?? []).length === 0) {
    logger.info('no chart dates waiting for a check', { today });
    return;
  }
  // Read after the early return, so that an hourly run with nothing to do stays one listing.
  const pending = { ...listed, knownGaps: await readKnownGaps(storage) };
  const report = await runScheduledChecks(engine, { today, days: hourly ? 0 : config.checkDays, pending });
  const metrics = checkMetrics(report);
  logger[report.ok ? 'info' : 'warn']('checks finished', {
    ...report,
    metrics,
    pendingDates: pending.dates.length,
    knownGaps: pending.knownGaps.length,
  });
  emitMetrics('check', metrics);
  // Only the markers listed before the checks: a date transformed meanwhile stays pending for the next run.
  await clearPending(storage, pending);
};
