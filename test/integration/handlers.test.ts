// The two Lambda handlers against the AWS emulator's S3 (moto, its bucket notifications through SQS) and the local
// Spotify-API server. Firehose is an SDK mock here, to read back each PutRecordBatch and to fake the answers the
// emulator never gives; aws-pipeline.test.ts runs the same path through the emulator's real Firehose.
import { jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { S3Event } from 'aws-lambda';
import { createS3Client, S3Storage } from '#functions/adapters/aws/s3-storage.js';
import { DemoCatalog } from '#functions/adapters/local/demo-catalog.js';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  LocalSpotifyServer,
} from '#functions/adapters/local/spotify-server.js';
import { outputName, rejectedName } from '#functions/core/partition-writer.js';
import { chartsDir } from '../helpers/paths.js';
import {
  bucketEvents,
  createBucket,
  startMoto,
  type BucketEvents,
  type RunningMoto,
} from '../helpers/moto.js';
import { TO_PROCESS } from '#functions/core/lake.js';

const bucket = 'data-bucket';
let moto: RunningMoto;
let s3: BucketEvents;
let spotify: LocalSpotifyServer;
let storage: S3Storage;
const firehose = mockClient(FirehoseClient);
const lambda = mockClient(LambdaClient);
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:SpotifyEtl-extractor';
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  spotify = await LocalSpotifyServer.start({ catalog: new DemoCatalog() });
  Object.assign(process.env, moto.env, {
    DATA_BUCKET: bucket,
    DELIVERY_STREAM_NAME: 'spotify-etl-raw',
    SPOTIFY_API_URL: spotify.apiUrl,
    SPOTIFY_ACCOUNTS_URL: spotify.url,
    SPOTIFY_CLIENT_ID: DEMO_CLIENT_ID,
    SPOTIFY_CLIENT_SECRET: DEMO_CLIENT_SECRET,
  });
  delete process.env.CHART_SOURCE;
  const client = createS3Client({ ...moto.clientConfig, forcePathStyle: true });
  await createBucket(moto, client, bucket);
  s3 = await bucketEvents(moto, client, bucket, [
    {
      Events: ['s3:ObjectCreated:*'],
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: TO_PROCESS }] } },
    },
  ]);
  storage = new S3Storage(client, bucket);
});

afterAll(async () => {
  process.env = saved;
  await spotify?.close();
  s3?.close();
  await moto?.stop();
});

/** What the handlers log (JSON lines, EMF documents) while `run` runs, instead of printing it. */
async function stdoutOf(run: () => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return written;
}

describe('Lambda handlers', () => {
  it('extract: reads the CSV inbox in S3, enriches through the Spotify API and sends 200 newline-terminated records to Firehose', async () => {
    firehose.reset();
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: 0,
      RequestResponses: input.Records.map(() => ({ RecordId: 'x' })),
    }));
    const name = 'regional-us-daily-2023-01-21.csv';
    await storage.put(`top_200_global/inbox/${name}`, await readFile(join(chartsDir, name)));
    const { handler } = await import('#functions/extract/handler.js');
    await handler({ time: '2026-11-25T16:00:00Z' });
    const calls = firehose.commandCalls(PutRecordBatchCommand);
    const records = calls
      .flatMap((c) => c.args[0].input.Records ?? [])
      .map((r) => Buffer.from(r.Data as Uint8Array).toString());
    expect(records).toHaveLength(200);
    expect(records.every((r) => r.endsWith('\n'))).toBe(true);
    expect(JSON.parse(records[0] ?? '{}')).toMatchObject({
      snapshot_date: '2023-01-21',
      position: 1,
      source: { id: 'regional-us-daily', region: 'us' },
    });
    expect(await storage.list('top_200_global/inbox/')).toEqual([`top_200_global/inbox/done/${name}`]);
  });

  it('extract: near its timeout it leaves the inbox for the next run and reports how many files remain', async () => {
    firehose.reset();
    const names = ['regional-au-daily-2024-02-05.csv', 'regional-au-daily-2024-02-06.csv'];
    for (const name of names)
      await storage.put(`top_200_global/inbox/${name}`, await readFile(join(chartsDir, name)));
    const { handler } = await import('#functions/extract/handler.js');
    const written = await stdoutOf(() =>
      handler(
        { time: '2026-11-25T16:00:00Z' },
        { getRemainingTimeInMillis: () => 30_000, invokedFunctionArn: FUNCTION_ARN },
      ),
    );
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    const inbox = (await storage.list('top_200_global/inbox/')).filter((k) => !k.includes('/done/'));
    expect(inbox).toEqual(names.map((n) => `top_200_global/inbox/${n}`));
    const emf = written
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(emf[0]).toMatchObject({ Function: 'extract', InboxFilesRemaining: 2, ChartsExtracted: 0 });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0); // no progress at all: no continuation loop
  });

  it('extract: after progress, continues a long inbox in a new asynchronous invocation with the same chart time', async () => {
    firehose.reset();
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: 0,
      RequestResponses: input.Records.map(() => ({ RecordId: 'x' })),
    }));
    lambda.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const budget = [200_000, 30_000]; // enough for the first file, then near the timeout
    const { handler } = await import('#functions/extract/handler.js');
    await stdoutOf(() =>
      handler(
        { time: '2026-11-25T16:00:00Z' },
        { getRemainingTimeInMillis: () => budget.shift() ?? 0, invokedFunctionArn: FUNCTION_ARN },
      ),
    );
    const inbox = (await storage.list('top_200_global/inbox/')).filter((k) => !k.includes('/done/'));
    expect(inbox).toEqual(['top_200_global/inbox/regional-au-daily-2024-02-06.csv']);
    const calls = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ FunctionName: FUNCTION_ARN, InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(calls[0]?.Payload as Uint8Array))).toMatchObject({
      time: '2026-11-25T16:00:00Z',
    });
  });

  it('transform: the ObjectCreated event the bucket sends drives the handler; a second delivery of the event changes nothing', async () => {
    const key = 'top_200_global/raw_data/to_process/2026/11/25/16/spotify-etl-raw-1-2026-11-25-16-01-00-abc';
    const record = (position: number) =>
      JSON.stringify({
        schema_version: 1,
        snapshot_date: '2026-11-25',
        extracted_at: '2026-11-25T16:00:00.000Z',
        run_id: '20261125T160000Z-aaaaaa',
        source: { kind: 'charts-csv', id: 'regional-global-daily', region: 'global' },
        position,
        track: null,
        chart_entry: {
          uri: 'spotify:track:0yLdNVWF3Srea0uzk55zFn',
          track_name: 'Flowers',
          artist_names: ['Miley Cyrus'],
        },
      });
    await storage.put(key, `${record(1)}\nnot json\n`);
    const event = (await s3.receive()).find((e) =>
      e.Records[0]?.eventName.startsWith('ObjectCreated'),
    ) as S3Event;
    expect(event).toBeDefined();
    const { handler } = await import('#functions/transform/handler.js');
    const written = await stdoutOf(async () => {
      await handler(event);
      await handler(event); // S3 delivers at least once
    });
    // Embedded Metric Format: the first delivery rejected one line, the second found the object already processed.
    const emf = written
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(emf.map((m) => [m.RowsWritten, m.RejectedLines])).toEqual([
      [1, 1],
      [0, 0],
    ]);
    expect(emf[0]).toMatchObject({
      Function: 'transform',
      _aws: { CloudWatchMetrics: [{ Namespace: 'SpotifyEtl' }] },
    });
    const keys = await storage.list('top_200_global/');
    expect(keys).toContain(
      `top_200_global/transformed_data/song_data/snapshot_date=2026-11-25/${outputName('regional-global-daily', '20261125T160000Z-aaaaaa', key)}`,
    );
    expect(keys).toContain(
      'top_200_global/raw_data/processed/2026/11/25/16/spotify-etl-raw-1-2026-11-25-16-01-00-abc',
    );
    expect(keys).toContain(rejectedName(key));
    expect(keys.filter((k) => k.includes('to_process'))).toEqual([]);
  });
});
