// The DeliveryStream port on Amazon Data Firehose: newline-terminated raw records sent with PutRecordBatch.
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { FirehoseClient, PutRecordBatchOutput } from '@aws-sdk/client-firehose';
import { DeliveryError } from '#functions/errors.js';
import { silentLogger, systemClock } from '#functions/ports.js';
import type { Clock, DeliveryReport, DeliveryStream, Logger } from '#functions/ports.js';
import { fullJitterMs } from '#functions/core/backoff.js';

/** PutRecordBatch quotas: https://docs.aws.amazon.com/firehose/latest/dev/limits.html */
export const MAX_RECORDS_PER_BATCH = 500;
export const MAX_BYTES_PER_BATCH = 4 * 1024 * 1024;
export const MAX_BYTES_PER_RECORD = 1000 * 1024;

/** Errors that no amount of waiting fixes: retrying them only delays the real message. */
const PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  'ResourceNotFoundException',
  'InvalidArgumentException',
  'AccessDeniedException',
  'InvalidKMSResourceException',
]);

export interface FirehoseDeliveryOptions {
  readonly clock?: Clock;
  /** Sends per batch, the first one included. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** In [0, 1); injected so tests can make the jitter deterministic. */
  readonly random?: () => number;
  readonly logger?: Logger;
}

interface Entry {
  /** Position in the `records` argument, for error messages. */
  readonly index: number;
  readonly data: Uint8Array;
}

/** What stopped a batch: the failure reasons of the last attempt. */
interface BatchFailure {
  readonly undelivered: number;
  readonly reasons: readonly string[];
  readonly permanent: boolean;
  readonly cause: unknown;
}

export class FirehoseDeliveryStream implements DeliveryStream {
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly logger: Logger;

  constructor(
    private readonly client: FirehoseClient,
    private readonly streamName: string,
    options: FirehoseDeliveryOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
  }

  async put(records: readonly string[]): Promise<DeliveryReport> {
    // Everything is encoded and checked before the first call, so an oversize record never leaves
    // half of a put delivered.
    const entries = records.map((record, index): Entry => {
      // Firehose concatenates records into one S3 object; without the newline two records share a line.
      const data = Buffer.from(`${record}\n`, 'utf8');
      if (data.byteLength > MAX_BYTES_PER_RECORD) {
        throw new DeliveryError(
          `Record ${index} is ${data.byteLength} bytes (newline included); Firehose accepts at most ` +
            `${MAX_BYTES_PER_RECORD} bytes per record. Nothing was sent to stream '${this.streamName}'.`,
          { hint: 'Split or trim the record before delivery; Firehose cannot carry it.' },
        );
      }
      return { index, data };
    });

    let delivered = 0;
    let batches = 0;
    let retried = 0;
    for (const batch of splitIntoBatches(entries)) {
      const outcome = await this.sendBatch(batch);
      batches += outcome.calls;
      retried += outcome.retried;
      delivered += batch.length - (outcome.failure?.undelivered ?? 0);
      if (outcome.failure !== undefined) {
        // Stop here rather than push later batches at a stream that is refusing records.
        throw this.deliveryError(records.length, delivered, outcome.failure);
      }
    }
    return { delivered, batches, retried };
  }

  async flush(): Promise<void> {
    // Firehose buffers by size and time on its own; there is nothing to push out.
  }

  /** Sends one batch, re-sending only what failed, until all is accepted or the attempts run out. */
  private async sendBatch(
    batch: readonly Entry[],
  ): Promise<{ calls: number; retried: number; failure?: BatchFailure }> {
    let pending = batch;
    let calls = 0;
    let retried = 0;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) retried += pending.length;
      calls++;
      let reasons: string[];
      let cause: unknown;
      let permanent = false;
      try {
        const output = await this.client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: this.streamName,
            Records: pending.map((entry) => ({ Data: entry.data })),
          }),
        );
        const failed = failedEntries(pending, output);
        if (failed.length === 0) return { calls, retried };
        reasons = failureReasons(output);
        pending = failed;
      } catch (error) {
        // The whole call failed (throttled, unavailable, network): every pending record is re-sent.
        reasons = [describe(error)];
        cause = error;
        permanent = error instanceof Error && PERMANENT_ERRORS.has(error.name);
      }

      if (permanent || attempt + 1 >= this.maxAttempts) {
        return { calls, retried, failure: { undelivered: pending.length, reasons, permanent, cause } };
      }
      const delayMs = this.backoff(attempt);
      this.logger.warn('firehose records not accepted, retrying', {
        stream: this.streamName,
        attempt: attempt + 1,
        maxAttempts: this.maxAttempts,
        failed: pending.length,
        delayMs,
        reasons,
      });
      await this.clock.sleep(delayMs);
    }
  }

  /** Exponential back-off with full jitter: the n-th retry waits up to min(max, base * 2^(n-1)). */
  private backoff(failedAttempt: number): number {
    return fullJitterMs(failedAttempt, {
      baseMs: this.baseDelayMs,
      maxMs: this.maxDelayMs,
      random: this.random,
    });
  }

  private deliveryError(total: number, delivered: number, failure: BatchFailure): DeliveryError {
    const undelivered = total - delivered;
    const unsent = undelivered - failure.undelivered;
    const attempts = failure.permanent ? 'a non-retryable error' : `${this.maxAttempts} attempts`;
    const notSent = unsent > 0 ? ` (${unsent} of them were never sent because an earlier batch failed)` : '';
    return new DeliveryError(
      `${undelivered} of ${total} records were not delivered to Firehose stream '${this.streamName}' ` +
        `after ${attempts}${notSent}: ${failure.reasons.join('; ')}`,
      {
        hint: failure.permanent
          ? `Check that stream '${this.streamName}' exists in this account and region and that the role may ` +
            'call firehose:PutRecordBatch on it (and use its KMS key).'
          : 'Firehose is throttling or unavailable; run again later or raise the stream quota. Records already ' +
            'delivered are not rolled back, so a re-run may deliver them twice.',
        cause: failure.cause,
      },
    );
  }
}

/** Greedy split that keeps the order and respects both the record count and byte quota of one call. */
function splitIntoBatches(entries: readonly Entry[]): Entry[][] {
  const batches: Entry[][] = [];
  let current: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (
      current.length > 0 &&
      (current.length >= MAX_RECORDS_PER_BATCH || bytes + entry.data.byteLength > MAX_BYTES_PER_BATCH)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.data.byteLength;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The entries to re-send: those whose response carries an ErrorCode, in their original order. */
function failedEntries(sent: readonly Entry[], output: PutRecordBatchOutput): Entry[] {
  const responses = output.RequestResponses;
  if (responses === undefined || responses.length !== sent.length) {
    // A failure count without a matching per-record answer cannot say which failed; re-sending all
    // risks duplicates, which downstream can remove, whereas dropping records cannot be undone.
    return (output.FailedPutCount ?? 0) > 0 ? [...sent] : [];
  }
  return sent.filter((_, i) => responses[i]?.ErrorCode !== undefined);
}

/** Distinct "code: message" pairs of a partial failure, capped so one message stays readable. */
function failureReasons(output: PutRecordBatchOutput): string[] {
  const distinct = new Set<string>();
  for (const response of output.RequestResponses ?? []) {
    if (response.ErrorCode !== undefined) {
      distinct.add(
        response.ErrorMessage ? `${response.ErrorCode}: ${response.ErrorMessage}` : response.ErrorCode,
      );
    }
  }
  if (distinct.size === 0)
    distinct.add(`FailedPutCount ${output.FailedPutCount ?? 0} without per-record errors`);
  const reasons = [...distinct];
  return reasons.length > 3 ? [...reasons.slice(0, 3), `and ${reasons.length - 3} other errors`] : reasons;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
