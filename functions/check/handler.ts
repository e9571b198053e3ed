// Checker Lambda: EventBridge schedule (daily 17:00 UTC, an hour after the extractor) → data-quality checks in
// Athena over the last CHECK_DAYS chart dates → the report in the log, its counts as metrics.
import type { ScheduledEvent } from 'aws-lambda';
import { loadConfig } from '../config.js';
import { systemClock } from '../ports.js';
import { athenaEngine, jsonLogger } from '../adapters/aws/dependencies.js';
import { emitMetrics } from '../adapters/aws/metrics.js';
import { runDailyChecks } from './daily.js';
import { checkMetrics } from './metrics.js';

const config = loadConfig();
const logger = jsonLogger();
const engine = athenaEngine(config);

/**
 * Success: the checks ran; the report is logged and FailedChecks, PreviousRankMismatches and ChartDaysChecked are
 * emitted (Function=check). Failed checks are not an error of this function: the FailedChecks alarm reports them,
 * and a retry would only find them again. Failure: it throws when the checks could not run at all (Athena, Glue or
 * permissions), so Lambda retries the event and then sends it to the dead-letter queue; no metric is emitted, which
 * the FailedChecks alarm also treats as a failure.
 */
export const handler = async (event: Partial<ScheduledEvent>): Promise<void> => {
  const today = (event.time ?? systemClock.now().toISOString()).slice(0, 10);
  const report = await runDailyChecks(engine, { today, days: config.checkDays });
  const metrics = checkMetrics(report);
  (report.ok ? logger.info : logger.warn)('checks finished', { ...report, metrics });
  emitMetrics('check', metrics);
};
