// The AWS emulator for tests: moto's server (`python3 -m moto.server`) on a free loopback port, one per test file.
// It speaks the real AWS protocols for S3 (with notifications to SQS), Firehose → S3, Secrets Manager, Glue and SQS,
// so the project's own AWS adapters and the handlers run unchanged against it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  type BucketLocationConstraint,
  type Event,
  type NotificationConfigurationFilter,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { S3Event } from 'aws-lambda';

export interface RunningMoto {
  readonly endpoint: string;
  /** Client settings for any AWS SDK v3 client: the endpoint, a region and dummy credentials. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** The environment the handlers read (config.ts) and the SDK's own endpoint variable, for this emulator. */
  readonly env: Readonly<Record<string, string>>;
  /** Clears every service's state (moto's POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const MOTO_REGION = 'eu-west-1';

const INSTALL_HINT =
  'The AWS tests need moto 5 on python3: `python3 -m pip install "moto[server]==5.2.1" flask-cors` ' +
  '(the project’s machines have it preinstalled).';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Fails with how to install moto when `python3 -m moto.server` cannot run: never a silent skip. */
function assertMotoInstalled(): void {
  const probe = spawnSync('python3', ['-c', 'import moto.server, flask_cors'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `moto is not available (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}). ${INSTALL_HINT}`,
    );
  }
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined)
      throw new Error(`moto exited with code ${exited} before listening. ${INSTALL_HINT}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms.`);
}

export async function startMoto(): Promise<RunningMoto> {
  assertMotoInstalled();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilUp(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  return {
    endpoint,
    clientConfig: { endpoint, region: MOTO_REGION, credentials },
    env: {
      AWS_REGION: MOTO_REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL: endpoint,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
    },
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A bucket in the emulator's region (outside us-east-1 S3 wants the location constraint). */
export async function createBucket(moto: RunningMoto, s3: S3Client, bucket: string): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: moto.clientConfig.region as BucketLocationConstraint },
    }),
  );
}

export interface BucketEvents {
  /** The S3 events the queue holds now (the emulator's own message bodies; its s3:TestEvent left out). */
  receive(): Promise<S3Event[]>;
  close(): void;
}

/** Sends the bucket's ObjectCreated notifications (filtered by key prefix, as the stack's) to a new SQS queue. */
export async function bucketEvents(
  moto: RunningMoto,
  s3: S3Client,
  bucket: string,
  rules: readonly { readonly Events: readonly string[]; readonly Filter?: unknown }[],
): Promise<BucketEvents> {
  const sqs = new SQSClient(moto.clientConfig);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${bucket}-events` }))).QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: rules.map(({ Events, Filter }) => ({
          QueueArn: Attributes?.QueueArn ?? '',
          Events: [...Events] as Event[],
          ...(Filter ? { Filter: Filter as NotificationConfigurationFilter } : {}),
        })),
      },
    }),
  );
  const receive = async (): Promise<S3Event[]> => {
    const events: S3Event[] = [];
    for (let round = 0; round < 5; round++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages) {
        const body = JSON.parse(message.Body ?? '{}') as Partial<S3Event>;
        if (body.Records) events.push(body as S3Event);
      }
      if (events.length > 0 && Messages.length === 0) break;
    }
    return events;
  };
  return { receive, close: () => sqs.destroy() };
}
