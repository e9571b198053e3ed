// AWS adapters built once per Lambda container (module scope), from the validated configuration.
import { AthenaClient } from '@aws-sdk/client-athena';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Config, SpotifySettings } from '#functions/config.js';
import type { SpotifyCatalog } from '#functions/ports.js';
import { createSpotifyClient, type SpotifyClient } from '#functions/adapters/spotify/web-api.js';
import { requireSetting } from '#functions/config.js';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import type { Logger } from '#functions/ports.js';
import { systemClock } from '#functions/ports.js';
import { createS3Client, S3Storage } from './s3-storage.js';
import { FirehoseDeliveryStream } from './firehose-delivery.js';
import { AthenaSqlEngine } from './athena-engine.js';

/**
 * Lambda logs through Powertools' Logger: one JSON object per line (level, message, timestamp, service, and after
 * `addContext` the request id, function name and cold start), which CloudWatch Logs Insights can query. It is the
 * `Logger` port as it is; LOG_LEVEL (config.ts) sets its level, and Lambda's own log-level control wins over it.
 */
export function lambdaLogger(config: Config): Logger & { addContext(context: Context): void } {
  const logger = new PowertoolsLogger({ serviceName: 'spotify-etl', logLevel: config.logLevel });
  const keys = (details?: Record<string, unknown>): LogAttributes => (details ?? {}) as LogAttributes;
  return {
    info: (message, details) => logger.info(message, keys(details)),
    warn: (message, details) => logger.warn(message, keys(details)),
    error: (message, details) => logger.error(message, keys(details)),
    addContext: (context) => logger.addContext(context),
  };
}

export function s3Storage(config: Config): S3Storage {
  const client = createS3Client({
    ...(config.aws.region ? { region: config.aws.region } : {}),
    ...(config.aws.s3Endpoint ? { endpoint: config.aws.s3Endpoint } : {}),
    forcePathStyle: config.aws.s3ForcePathStyle,
  });
  return new S3Storage(client, requireSetting(config.aws.dataBucket, 'DATA_BUCKET'));
}

export function firehoseDelivery(config: Config, logger: Logger): FirehoseDeliveryStream {
  // maxAttempts 1: the adapter owns retries (only the failed entries), so the SDK must not multiply them.
  const client = new FirehoseClient({
    ...(config.aws.region ? { region: config.aws.region } : {}),
    maxAttempts: 1,
  });
  return new FirehoseDeliveryStream(
    client,
    requireSetting(config.aws.deliveryStreamName, 'DELIVERY_STREAM_NAME'),
    {
      clock: systemClock,
      logger,
    },
  );
}

export function athenaEngine(config: Config): AthenaSqlEngine {
  const client = new AthenaClient(config.aws.region ? { region: config.aws.region } : {});
  return new AthenaSqlEngine(client, {
    workGroup: requireSetting(config.aws.athenaWorkGroup, 'ATHENA_WORKGROUP'),
    database: requireSetting(config.aws.glueDatabase, 'GLUE_DATABASE'),
    clock: systemClock,
  });
}

/** Invokes a function asynchronously (InvocationType Event) with a JSON payload: the extractor continuing itself. */
export function asyncInvoker(config: Config): (functionArn: string, payload: unknown) => Promise<void> {
  const client = new LambdaClient(config.aws.region ? { region: config.aws.region } : {});
  return async (functionArn, payload) => {
    await client.send(
      new InvokeCommand({
        FunctionName: functionArn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
  };
}

/**
 * The Spotify settings and catalog for one invocation, from the current configuration (the secret re-read when
 * stale): the same client while the credentials stay the same, so its access token is reused; a new one after
 * they change. Made for extractDeps(base, settings, catalog).
 */
export function spotifyForEachInvocation(
  current: () => Promise<Config>,
  logger: Logger,
): () => Promise<[SpotifySettings, SpotifyCatalog | undefined]> {
  let made: { readonly settings: SpotifySettings; readonly client: SpotifyClient | undefined } | undefined;
  const same = (a: SpotifySettings, b: SpotifySettings): boolean =>
    a.clientId === b.clientId && a.clientSecret === b.clientSecret && a.refreshToken === b.refreshToken;
  return async () => {
    const { spotify } = await current();
    if (made === undefined || !same(made.settings, spotify)) {
      made = { settings: spotify, client: createSpotifyClient(spotify, { logger }) };
    }
    return [spotify, made.client?.catalog];
  };
}
