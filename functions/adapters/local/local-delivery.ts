// A delivery stream that behaves as Firehose's S3 delivery does: buffers records by size and interval, writes
// objects under the to_process prefix named as Firehose names them, and emits the S3 ObjectCreated event per object.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { S3Event } from 'aws-lambda';
import type { Clock, DeliveryReport, DeliveryStream, Storage } from '#functions/ports.js';
import { systemClock } from '#functions/ports.js';
import { TO_PROCESS } from '#functions/core/lake.js';
import { DeliveryError } from '#functions/errors.js';

export interface LocalDeliveryOptions {
  readonly streamName?: string;
  readonly bucket?: string;
  /** Firehose BufferingHints.SizeInMBs, in bytes. */
  readonly bufferBytes?: number;
  /** Firehose BufferingHints.IntervalInSeconds; 0 = flush only on size or flush(). */
  readonly bufferSeconds?: number;
  readonly gzip?: boolean;
  readonly clock?: Clock;
  /** Called with the event S3 would send to Lambda, once the object is written. */
  readonly onObject?: (event: S3Event) => Promise<void> | void;
}

const MAX_RECORD_BYTES = 1_024_000; // Firehose's per-record limit

const pad = (n: number): string => String(n).padStart(2, '0');

/** `YYYY/MM/dd/HH/` as Firehose appends to a prefix without timestamp expressions (UTC). */
export function firehoseTimePrefix(d: Date): string {
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}/`;
}

/** `<stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid><extension>`, Firehose's object name. */
export function firehoseObjectName(stream: string, d: Date, gzip: boolean): string {
  const stamp = [
    d.getUTCFullYear(),
    pad(d.getUTCMonth() + 1),
    pad(d.getUTCDate()),
    pad(d.getUTCHours()),
    pad(d.getUTCMinutes()),
    pad(d.getUTCSeconds()),
  ].join('-');
  return `${stream}-1-${stamp}-${randomUUID()}${gzip ? '.gz' : ''}`;
}

/** The event S3 sends to Lambda for a new object (keys are URL-encoded, spaces as '+', as S3 does). */
export function s3ObjectCreatedEvent(bucket: string, key: string, size: number, when: Date): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'local',
        eventTime: when.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'local-firehose' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': randomUUID(), 'x-amz-id-2': randomUUID() },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'transform-raw-objects',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'),
            size,
            eTag: randomUUID().replace(/-/g, ''),
            sequencer: when.getTime().toString(16).toUpperCase(),
          },
        },
      },
    ],
  };
}

export class LocalDeliveryStream implements DeliveryStream {
  private buffer: string[] = [];
  private bytes = 0;
  private firstAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly options: Required<Omit<LocalDeliveryOptions, 'onObject'>> &
    Pick<LocalDeliveryOptions, 'onObject'>;
  /** Keys written so far, in order. */
  readonly objects: string[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    options: LocalDeliveryOptions = {},
  ) {
    this.options = {
      streamName: options.streamName ?? 'spotify-etl-raw',
      bucket: options.bucket ?? 'local-lake',
      bufferBytes: options.bufferBytes ?? 5 * 1024 * 1024,
      bufferSeconds: options.bufferSeconds ?? 300,
      gzip: options.gzip ?? false,
      clock: options.clock ?? systemClock,
      onObject: options.onObject,
    };
  }

  async put(records: readonly string[]): Promise<DeliveryReport> {
    let batches = 0;
    for (const [i, record] of records.entries()) {
      const line = `${record}\n`;
      const size = Buffer.byteLength(line);
      if (size > MAX_RECORD_BYTES) {
        throw new DeliveryError(
          `Record ${i} is ${size} bytes; Firehose accepts at most ${MAX_RECORD_BYTES} per record.`,
        );
      }
      if (this.bytes + size > this.options.bufferBytes && this.buffer.length > 0) {
        await this.flushNow();
        batches++;
      }
      this.buffer.push(line);
      this.bytes += size;
      this.firstAt ??= this.options.clock.now().getTime();
    }
    this.armTimer();
    return { delivered: records.length, batches: Math.max(1, batches), retried: 0 };
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushNow();
  }

  private armTimer(): void {
    if (this.timer || this.options.bufferSeconds === 0 || this.buffer.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flushNow();
    }, this.options.bufferSeconds * 1000);
    this.timer.unref();
  }

  /** Writes the buffer as one object; writes are serialised so objects keep the records' order. */
  private flushNow(): Promise<void> {
    const lines = this.buffer;
    this.buffer = [];
    this.bytes = 0;
    const firstAt = this.firstAt;
    this.firstAt = undefined;
    if (lines.length === 0) return this.writing;
    this.writing = this.writing.then(async () => {
      // Firehose names the object (and its time prefix) after the oldest record's arrival.
      const when = new Date(firstAt ?? this.options.clock.now().getTime());
      const key = `${TO_PROCESS}${firehoseTimePrefix(when)}${firehoseObjectName(this.options.streamName, when, this.options.gzip)}`;
      const text = lines.join('');
      const body = this.options.gzip ? gzipSync(text) : Buffer.from(text);
      await this.storage.put(key, body);
      this.objects.push(key);
      await this.options.onObject?.(s3ObjectCreatedEvent(this.options.bucket, key, body.length, when));
    });
    return this.writing;
  }
}
