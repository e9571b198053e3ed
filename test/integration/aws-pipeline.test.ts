// The AWS half end to end on the AWS emulator (moto), with the handlers called as Lambda calls them: a chart CSV
// in the inbox → the extractor handler (credentials from Secrets Manager) → Firehose PutRecordBatch → the object
// Firehose writes under the template's prefix → the bucket's notification on an SQS queue → that very event → the
// transformer handler → rows under transformed_data/, the raw object in processed/; the same event again changes
// nothing. The stream, the notification filter and the prefix are taken from the synthesized template.
import type { Context } from 'aws-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  GetTablesCommand,
  GlueClient,
  type DatabaseInput,
  type TableInput,
} from '@aws-sdk/client-glue';
import { createS3Client, S3Storage } from '#functions/adapters/aws/s3-storage.js';
import { DemoCatalog } from '#functions/adapters/local/demo-catalog.js';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  LocalSpotifyServer,
} from '#functions/adapters/local/spotify-server.js';
import { PROCESSED, TO_PROCESS, TRANSFORMED } from '#functions/core/lake.js';
import { RAW_AS_JSON_TEXT } from '#infra/constructs/lake-catalog.js';
import { synthesize } from '../infra/stack-fixture.js';
import { logsOf } from '../helpers/logs.js';

/** The handlers' JSON lines only: the local Spotify server and the SDK may print text lines of their own. */
const SKIP_TEXT = { skipText: true } as const;
import {
  bucketEvents,
  createBucket,
  startMoto,
  type BucketEvents,
  type RunningMoto,
} from '../helpers/moto.js';

const BUCKET = 'spotify-etl-data';
const ACCOUNT = '123456789012';
const STREAM = 'spotify-etl-raw';
/** The demo's chart as charts.spotify.com publishes it: its tracks are in the local server's catalog, so every
 * entry is enriched and the transformer writes album and artist rows too. */
const CSV = 'regional-global-daily-2026-11-24.csv';
const saved = { ...process.env };

let moto: RunningMoto;
let spotify: LocalSpotifyServer;
const catalog = new DemoCatalog();
let s3: S3Client;
let events: BucketEvents;
let storage: S3Storage;

type Resource = { Type: string; Properties: Record<string, unknown> };

let template: { Resources: Record<string, Resource> } | undefined;

/** The template's resources of one type (the stack synthesized once, without bundling). */
function resourcesOf(type: string): Resource[] {
  template ??= synthesize({}, { bundle: false }).template.toJSON() as { Resources: Record<string, Resource> };
  return Object.values(template.Resources).filter((r) => r.Type === type);
}

/** A template value with its Ref and Fn::Join resolved as CloudFormation would in this account and bucket. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const { Ref, 'Fn::Join': joined } = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (Ref !== undefined) {
    if (Ref === 'AWS::AccountId') return ACCOUNT;
    const target = template?.Resources[Ref];
    if (target?.Type === 'AWS::S3::Bucket') return BUCKET;
    if (target?.Type === 'AWS::Glue::Database')
      return (target.Properties.DatabaseInput as DatabaseInput).Name;
    throw new Error(`unresolved Ref ${Ref}`);
  }
  if (joined) return joined[1].map(resolve).join(joined[0]);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
}

/** The Glue type of a JSON value the transformer wrote (null says nothing: every column is nullable). */
function glueTypeOf(value: unknown): string | undefined {
  if (value === null) return undefined;
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'bigint' : 'double';
  if (Array.isArray(value)) return value.length === 0 ? undefined : `array<${glueTypeOf(value[0]) ?? '?'}>`;
  return 'struct';
}

/** The template's raw-data notification rules (to the transformer there): same events, same key filter. */
function notificationRules(): { Events: string[]; Filter: unknown }[] {
  const [notifications] = resourcesOf('Custom::S3BucketNotifications');
  const config = notifications?.Properties.NotificationConfiguration as {
    LambdaFunctionConfigurations: { Events: string[]; Filter: unknown }[];
  };
  return config.LambdaFunctionConfigurations;
}

/** The template's delivery stream: DirectPut into the bucket under its prefix (moto ignores buffering). */
async function createStream(): Promise<string> {
  const [stream] = resourcesOf('AWS::KinesisFirehose::DeliveryStream');
  const destination = stream?.Properties.ExtendedS3DestinationConfiguration as Record<string, unknown>;
  const firehose = new FirehoseClient(moto.clientConfig);
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: STREAM,
      DeliveryStreamType: stream?.Properties.DeliveryStreamType as 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        BucketARN: `arn:aws:s3:::${BUCKET}`,
        RoleARN: 'arn:aws:iam::123456789012:role/firehose',
        Prefix: destination.Prefix as string,
        ErrorOutputPrefix: destination.ErrorOutputPrefix as string,
        BufferingHints: destination.BufferingHints as never,
      },
    }),
  );
  firehose.destroy();
  return destination.Prefix as string;
}

beforeAll(async () => {
  moto = await startMoto();
  spotify = await LocalSpotifyServer.start({ catalog });
  s3 = createS3Client({ ...moto.clientConfig, forcePathStyle: true });
  storage = new S3Storage(s3, BUCKET);
  await createBucket(moto, s3, BUCKET);
  events = await bucketEvents(moto, s3, BUCKET, notificationRules());
  const secrets = new SecretsManagerClient(moto.clientConfig);
  const secret = await secrets.send(
    new CreateSecretCommand({
      Name: 'spotify-etl/spotify',
      SecretString: JSON.stringify({ client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET }),
    }),
  );
  secrets.destroy();
  // The handlers' environment as the stack sets it; the SDK reaches the emulator through AWS_ENDPOINT_URL.
  for (const name of [
    'CHART_SOURCE',
    'SPOTIFY_CLIENT_ID',
    'SPOTIFY_CLIENT_SECRET',
    'SPOTIFY_REFRESH_TOKEN',
  ]) {
    delete process.env[name];
  }
  Object.assign(process.env, moto.env, {
    DATA_BUCKET: BUCKET,
    DELIVERY_STREAM_NAME: STREAM,
    SPOTIFY_SECRET_ARN: secret.ARN ?? '',
    SPOTIFY_API_URL: spotify.apiUrl,
    SPOTIFY_ACCOUNTS_URL: spotify.url,
  });
});

afterAll(async () => {
  process.env = saved;
  s3?.destroy();
  events?.close();
  await spotify?.close();
  await moto?.stop();
});

const lambdaContext = (name: string): Context =>
  ({
    awsRequestId: `request-${name}`,
    functionName: `SpotifyEtl-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:SpotifyEtl-${name}`,
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => 300_000,
  }) as unknown as Context;

const linesOf = async (key: string): Promise<string[]> =>
  new TextDecoder()
    .decode(await storage.get(key))
    .split('\n')
    .filter(Boolean);
const lineCount = async (key: string): Promise<number> => (await linesOf(key)).length;

/** Every JSON row of the objects under a prefix. */
async function rowsUnder(prefix: string): Promise<Record<string, unknown>[]> {
  const keys = (await storage.list(prefix)).filter((k) => !k.endsWith('/'));
  const lines = (await Promise.all(keys.map(linesOf))).flat();
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the AWS path on the emulator', () => {
  it('CSV in the inbox → extractor → Firehose → S3 → SQS event → transformer → rows; the event again doubles nothing', async () => {
    const prefix = await createStream();
    expect(prefix).toBe(TO_PROCESS);
    await storage.put(`top_200_global/inbox/${CSV}`, catalog.chartCsv('2026-11-24'));

    const { handler: extract } = await import('#functions/extract/handler.js');
    const extractLogs = await logsOf(
      () => extract({ time: '2026-11-25T16:00:00Z' }, lambdaContext('extractor')),
      SKIP_TEXT,
    );
    expect(extractLogs.find((l) => l.message === 'extract finished')).toMatchObject({
      function_request_id: 'request-extractor',
    });
    expect(extractLogs.find((l) => '_aws' in l)).toMatchObject({
      Function: 'extract',
      EntriesDelivered: 200,
    });
    expect(await storage.list('top_200_global/inbox/')).toEqual([`top_200_global/inbox/done/${CSV}`]);

    // Firehose wrote the records under the template's prefix, named as AWS names them.
    const raw = await storage.list(TO_PROCESS);
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.every((k) => /\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/spotify-etl-raw-\d+-/.test(k))).toBe(true);
    expect((await Promise.all(raw.map(lineCount))).reduce((a, b) => a + b, 0)).toBe(200);

    // The notification the bucket sent for each of those objects, as the transformer's trigger would get it.
    const created = await events.receive();
    expect(created.flatMap((e) => e.Records.map((r) => r.eventName))).toEqual(
      raw.map(() => 'ObjectCreated:Put'),
    );
    const { handler: transform } = await import('#functions/transform/handler.js');
    const first = await logsOf(async () => {
      for (const event of created) await transform(event, lambdaContext('transformer'));
    }, SKIP_TEXT);
    const songs = (await storage.list(`${TRANSFORMED}song_data/`)).filter((k) => k.endsWith('.json'));
    expect(songs.length).toBeGreaterThan(0);
    expect((await Promise.all(songs.map(lineCount))).reduce((a, b) => a + b, 0)).toBe(200);
    expect(await storage.list(TO_PROCESS)).toEqual([]);
    expect(await storage.list('top_200_global/raw_data/processed/')).toEqual(
      raw.map((k) => k.replace('/to_process/', '/processed/')),
    );
    const metrics = first.filter((l) => '_aws' in l);
    expect(metrics.reduce((n, m) => n + (m.RowsWritten as number), 0)).toBeGreaterThanOrEqual(200);
    expect(metrics.every((m) => m.RejectedLines === 0)).toBe(true);

    // S3 delivers at least once: the same event again finds the objects processed and writes nothing.
    const lake = await storage.list(TRANSFORMED);
    const again = await logsOf(async () => {
      for (const event of created) await transform(event, lambdaContext('transformer'));
    }, SKIP_TEXT);
    expect(again.filter((l) => '_aws' in l).map((m) => m.RowsWritten)).toEqual(created.map(() => 0));
    expect(await storage.list(TRANSFORMED)).toEqual(lake);
  });

  // Uses the lake the test above wrote: the rows are the transformer's own output, not rows made for this test.
  it('the Glue tables of the template, created in the emulator and read back with GetTables, have the columns the transformer writes', async () => {
    const glue = new GlueClient(moto.clientConfig);
    const [database] = resourcesOf('AWS::Glue::Database');
    const databaseInput = resolve(database?.Properties.DatabaseInput) as DatabaseInput;
    await glue.send(new CreateDatabaseCommand({ CatalogId: ACCOUNT, DatabaseInput: databaseInput }));
    for (const table of resourcesOf('AWS::Glue::Table')) {
      const { DatabaseName, TableInput: input } = resolve(table.Properties) as {
        DatabaseName: string;
        TableInput: TableInput;
      };
      await glue.send(new CreateTableCommand({ CatalogId: ACCOUNT, DatabaseName, TableInput: input }));
    }
    const { TableList = [] } = await glue.send(new GetTablesCommand({ DatabaseName: databaseInput.Name }));
    glue.destroy();
    expect(TableList.map((t) => t.Name).sort()).toEqual([
      'album_data',
      'artist_data',
      'raw_track_records',
      'song_data',
    ]);

    for (const table of TableList) {
      // Glue requires string parameters; the emulator stores anything, so the test is the one to say it.
      const parameters = Object.entries(table.Parameters ?? {});
      expect(parameters.filter(([, v]) => typeof v !== 'string')).toEqual([]);
      const columns = (table.StorageDescriptor?.Columns ?? []).map((c) => [c.Name, c.Type] as const);
      const raw = table.Name === 'raw_track_records';
      const rows = await rowsUnder(raw ? PROCESSED : `${TRANSFORMED}${table.Name}/`);
      expect({ table: table.Name, rows: rows.length > 0 }).toEqual({ table: table.Name, rows: true });
      for (const row of rows) {
        // Raw records leave out what a source does not have (a CSV has no added_at); rows carry every column.
        if (raw) expect(Object.keys(row).filter((k) => !columns.some(([n]) => n === k))).toEqual([]);
        else expect(Object.keys(row)).toEqual(columns.map(([name]) => name));
      }
      for (const [name = '', type = ''] of columns) {
        const written = new Set(rows.map((r) => glueTypeOf(r[name])).filter((t) => t !== undefined));
        // The raw table reads its big nested values as their JSON text: a string column over an object or array.
        const asText = raw && (RAW_AS_JSON_TEXT as readonly string[]).includes(name);
        const actual = [...written].filter((t) => !asText || (t !== 'struct' && t !== 'array<struct>'));
        const expected = written.size === 0 || asText ? [] : [type.replace(/struct<.*>/, 'struct')];
        expect({ column: `${table.Name}.${name}`, type, written: actual }).toEqual({
          column: `${table.Name}.${name}`,
          type: asText ? 'string' : type,
          written: expected,
        });
      }
    }
  });
});
