// Transformer Lambda: S3 ObjectCreated on raw_data/to_process/ → album/artist/song rows.
import type { Context, S3Event } from 'aws-lambda';
import { loadConfig } from '#functions/config.js';
import { lambdaLogger, s3Storage } from '#functions/adapters/aws/dependencies.js';
import { transformObjects } from '#functions/core/transform.js';
import { objectKeysOf } from '#functions/adapters/aws/s3-events.js';
import { EtlError } from '#functions/errors.js';
import { emitMetrics } from '#functions/adapters/aws/metrics.js';

const config = loadConfig();
const logger = lambdaLogger(config);
const storage = s3Storage(config);

/**
 * Success: every object of the event was transformed (or had already been: duplicate events are no-ops) and
 * moved to processed/; rejected lines are under raw_data/rejected/. Failure: it throws, so Lambda retries the
 * event and then sends it to the on-failure destination; objects not yet moved stay in to_process/ for a replay.
 * An object that cannot be read at all (a damaged gzip stream) is quarantined under raw_data/rejected/objects/
 * with its reason and counted in the QuarantinedObjects metric, without a retry: no retry would read it.
 */
export const handler = async (event: S3Event, context?: Context): Promise<void> => {
  if (context) logger.addContext(context);
  const report = await transformObjects(objectKeysOf(event), { storage, logger });
  logger.info('transform finished', {
    ...report,
    objects: report.objects.map(({ filesWritten: _f, ...o }) => o),
  });
  emitMetrics('transform', {
    LinesIn: report.linesIn,
    RowsWritten: report.rowsWritten,
    DuplicatesDropped: report.duplicates,
    RejectedLines: report.rejected,
    FailedObjects: report.failedObjects.length,
    QuarantinedObjects: report.quarantinedObjects.length,
  });
  if (report.failedObjects.length > 0) {
    throw new EtlError(
      `${report.failedObjects.length} raw objects failed: ${report.failedObjects.map((f) => `${f.key}: ${f.error}`).join('; ')}`,
    );
  }
};
