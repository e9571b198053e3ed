// A real S3-protocol server (s3rver) on loopback for tests, in a child process; it forwards S3 event notifications.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { S3Event } from 'aws-lambda';

export interface RunningS3rver {
  readonly port: number;
  readonly endpoint: string;
  /** S3 events s3rver emitted (ObjectCreated, ObjectRemoved), in order. */
  readonly events: S3Event[];
  stop(): Promise<void>;
}

/**
 * s3rver 3.7 builds ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL 3) only has in the legacy
 * provider: in a normal process every truncated listing answers 500. So the server runs in a child started with it.
 */
export async function startS3rver(options: Record<string, unknown>): Promise<RunningS3rver> {
  const launcher = `
    const S3rver = require(${JSON.stringify(createRequire(import.meta.url).resolve('s3rver'))});
    const server = new S3rver(${JSON.stringify(options)});
    server.on('event', (event) => process.send({ event }));
    server.run().then(({ port }) => process.send({ port }), (error) => { console.error(error); process.exit(1); });
    // The test closing the IPC channel (or dying) is the signal to stop.
    process.on('disconnect', () => server.close().finally(() => process.exit(0)));
  `;
  const child: ChildProcess = fork('-e', [launcher], {
    execArgv: ['--openssl-legacy-provider'],
    stdio: 'inherit',
  });
  const events: S3Event[] = [];
  child.on('message', (message) => {
    const m = message as { event?: S3Event };
    if (m.event) events.push(m.event);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      const m = message as { port?: number };
      if (m.port !== undefined) {
        child.off('message', onMessage);
        resolve(m.port);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code} before listening`)));
  });
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    events,
    stop: async () => {
      if (child.connected) {
        const exited = once(child, 'exit');
        child.disconnect();
        await exited;
      }
    },
  };
}
