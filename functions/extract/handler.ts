// Extractor Lambda: EventBridge schedule (daily 16:00 UTC) → chart → one raw record per entry → Firehose.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { loadConfig } from '#functions/config.js';
import { systemClock } from '#functions/ports.js';
import {
  asyncInvoker,
  firehoseDelivery,
  lambdaLogger,
  s3Storage,
  spotifyForEachInvocation,
} from '#functions/adapters/aws/dependencies.js';
import { EntityCache } from '#functions/core/entity-cache.js';
import { extractDeps } from '#functions/core/extract.js';
import { extractFromSource, parseSourceSpec } from '#functions/core/sources.js';
import { emitMetrics } from '#functions/adapters/aws/metrics.js';
import type { ExtractReport } from '#functions/core/extract.js';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { refreshingSpotifySecret } from '#functions/adapters/aws/secrets.js';

const config = loadConfig();
// Spotify credentials from Secrets Manager (SPOTIFY_SECRET_ARN): read before the first event, then again when the
// last read is over five minutes old, so that a warm container uses credentials put after it started.
const withSecret = refreshingSpotifySecret(
  config,
  new SecretsManagerClient(config.aws.region ? { region: config.aws.region } : {}),
);
await withSecret();
const logger = lambdaLogger(config);
/** Time kept in hand when the inbox is long: one chart with a cold cache takes well under a minute. */
const STOP_MARGIN_MS = 90_000;
const storage = s3Storage(config);
const delivery = firehoseDelivery(config, logger);
const spotify = spotifyForEachInvocation(withSecret, logger);
const invoke = asyncInvoker(config);

/**
 * Success: every chart waiting (the inbox, or the configured playlist) was delivered to Firehose; the report is
 * logged. Failure: it throws (quota, access, undelivered records), so the scheduler's retry policy and DLQ apply;
 * charts already delivered stay delivered, and the inbox keeps the files that were not.
 */
export const handler = async (
  event: Partial<ScheduledEvent>,
  context?: Pick<Context, 'getRemainingTimeInMillis' | 'invokedFunctionArn'> & Partial<Context>,
): Promise<void> => {
  if (context?.awsRequestId) logger.addContext(context as Context);
  const date = (event.time ?? systemClock.now().toISOString()).slice(0, 10);
  const cache = await EntityCache.load(storage, systemClock, config.cacheTtlDays);
  const deps = extractDeps({ storage, delivery, cache, clock: systemClock, logger }, ...(await spotify()));
  // A full inbox (a backfill dropped in S3) can outlast one invocation: stop between files with time to spare.
  const shouldStop = (): boolean => (context?.getRemainingTimeInMillis() ?? Infinity) < STOP_MARGIN_MS;
  const source = parseSourceSpec(config.chartSource ?? 'charts-csv');
  const report = await extractFromSource(source, deps, { date, shouldStop });
  logger.info('extract finished', {
    charts: report.extracted,
    failed: report.failed,
    remaining: report.remaining,
  });
  reportMetrics(report.extracted, report.failed.length, report.remaining);
  // Files left and progress made: continue in a fresh invocation with the same chart date (a drained inbox on AWS
  // is a backfill). No progress at all (one file longer than the whole budget) stops here, never a loop.
  const progressed = report.extracted.length + report.failed.length > 0;
  if (report.remaining > 0 && progressed && context?.invokedFunctionArn) {
    await invoke(context.invokedFunctionArn, { ...event, 'detail-type': 'Inbox continuation' });
    logger.info('inbox continues in a new invocation', { remaining: report.remaining });
  }
  if (report.extracted.length === 0) logger.warn('no chart extracted', { date, source: config.chartSource });
};

/** EntriesDelivered feeds the "no chart delivered in 26 h" alarm; calls and cache hits show enrichment cost. */
function reportMetrics(reports: readonly ExtractReport[], failedFiles: number, remaining: number): void {
  const sum = (f: (r: ExtractReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
  emitMetrics('extract', {
    ChartsExtracted: reports.length,
    EntriesDelivered: sum((r) => r.delivered),
    SpotifyApiCalls: sum((r) => r.apiCalls),
    CacheHits: sum((r) => r.cacheHits),
    ChartRowsSetAside: sum((r) => r.problems.length),
    IncompleteCharts: reports.filter((r) => !r.completeness.complete).length,
    InboxFilesFailed: failedFiles,
    InboxFilesRemaining: remaining,
  });
}
