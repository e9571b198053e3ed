// FirehoseDeliveryStream against a mocked Firehose client (no local Firehose exists) and a fake clock.
import { FirehoseClient, PutRecordBatchCommand, ServiceUnavailableException } from '@aws-sdk/client-firehose';
import type { PutRecordBatchInput, PutRecordBatchOutput } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { FirehoseDeliveryStream } from '#functions/adapters/aws/firehose-delivery.js';
import { DeliveryError } from '#functions/errors.js';
import { fakeClock } from '../helpers/paths.js';

const STREAM = 'raw-tracks';
const firehose = mockClient(FirehoseClient);
const client = new FirehoseClient({ region: 'eu-west-1' });

function records(count: number): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ id: i }));
}

/** A JSON string record whose UTF-8 size is exactly `bytes` (before the newline). */
function recordOfBytes(bytes: number): string {
  return JSON.stringify('x'.repeat(bytes - 2));
}

function accepted(input: PutRecordBatchInput): PutRecordBatchOutput {
  return {
    FailedPutCount: 0,
    RequestResponses: (input.Records ?? []).map((_, i) => ({ RecordId: `id-${i}` })),
  };
}

/** A response in which the entries at `failing` positions were refused. */
function partiallyFailed(input: PutRecordBatchInput, failing: readonly number[]): PutRecordBatchOutput {
  return {
    FailedPutCount: failing.length,
    RequestResponses: (input.Records ?? []).map((_, i) =>
      failing.includes(i)
        ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
        : { RecordId: `id-${i}` },
    ),
  };
}

function sentBatches(): string[][] {
  return firehose
    .commandCalls(PutRecordBatchCommand)
    .map((call) => (call.args[0].input.Records ?? []).map((r) => Buffer.from(r.Data ?? []).toString('utf8')));
}

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded for stream raw-tracks.'), { name: 'ThrottlingException' });
}

beforeEach(() => {
  firehose.reset();
});

describe('FirehoseDeliveryStream', () => {
  it('sends every record newline-terminated, in order, to the named stream', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(accepted);
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock: fakeClock() });

    const report = await stream.put(['{"a":1}', '{"b":"é"}']);

    expect(sentBatches()).toEqual([['{"a":1}\n', '{"b":"é"}\n']]);
    expect(firehose.commandCalls(PutRecordBatchCommand)[0]?.args[0].input.DeliveryStreamName).toBe(STREAM);
    expect(report).toEqual({ delivered: 2, batches: 1, retried: 0 });
  });

  it('makes no call for an empty put', async () => {
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock: fakeClock() });

    await expect(stream.put([])).resolves.toEqual({ delivered: 0, batches: 0, retried: 0 });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it('splits 1200 records into calls of 500, 500 and 200 that keep the order', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(accepted);
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock: fakeClock() });
    const input = records(1200);

    const report = await stream.put(input);

    const batches = sentBatches();
    expect(batches.map((b) => b.length)).toEqual([500, 500, 200]);
    expect(batches.flat()).toEqual(input.map((r) => `${r}\n`));
    expect(report).toEqual({ delivered: 1200, batches: 3, retried: 0 });
  });

  it('starts a new call before a batch would pass 4 MiB', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(accepted);
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock: fakeClock() });
    // 900 KiB + newline each: four fit in 4 MiB (3,686,404 bytes), a fifth would not.
    const input = Array.from({ length: 10 }, () => recordOfBytes(900 * 1024));

    const report = await stream.put(input);

    const batches = sentBatches();
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    for (const batch of batches) {
      expect(batch.reduce((sum, r) => sum + Buffer.byteLength(r), 0)).toBeLessThanOrEqual(4 * 1024 * 1024);
    }
    expect(report).toEqual({ delivered: 10, batches: 3, retried: 0 });
  });

  it('accepts a record of exactly 1,024,000 bytes with its newline', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(accepted);
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock: fakeClock() });

    await expect(stream.put([recordOfBytes(1_024_000 - 1)])).resolves.toMatchObject({ delivered: 1 });
  });

  it('rejects a record over 1,000 KiB before sending anything, naming its index and size', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(accepted);
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock: fakeClock() });
    const input = [...records(600), recordOfBytes(1_024_000), ...records(3)];

    const error = await stream.put(input).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toMatch(/Record 600 is 1024001 bytes/);
    expect((error as DeliveryError).hint).toBeDefined();
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it('re-sends only the refused entries, in order, after a partial failure', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .callsFakeOnce((input: PutRecordBatchInput) => partiallyFailed(input, [1, 3]))
      .callsFake(accepted);
    const clock = fakeClock();
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock, random: () => 1 });
    const input = records(5);

    const report = await stream.put(input);

    const batches = sentBatches();
    expect(batches).toHaveLength(2);
    expect(batches[0]).toHaveLength(5);
    expect(batches[1]).toEqual([`${input[1]}\n`, `${input[3]}\n`]);
    expect(clock.sleeps).toEqual([200]);
    expect(report).toEqual({ delivered: 5, batches: 2, retried: 2 });
  });

  it('throws a DeliveryError counting the undelivered records when partial failures outlast maxAttempts', async () => {
    // The last of three batches keeps refusing its first three entries.
    firehose
      .on(PutRecordBatchCommand)
      .callsFake((input: PutRecordBatchInput) =>
        (input.Records ?? []).length === 500 ? accepted(input) : partiallyFailed(input, [0, 1, 2]),
      );
    const clock = fakeClock();
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock, maxAttempts: 5, random: () => 1 });

    const error = await stream.put(records(1200)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toBe(
      "3 of 1200 records were not delivered to Firehose stream 'raw-tracks' after 5 attempts: " +
        'ServiceUnavailableException: Slow down.',
    );
    expect((error as DeliveryError).hint).toMatch(/run again later/);
    // Two full batches, then the third sent five times: 200 records, then the same 3 four more times.
    const batches = sentBatches();
    expect(batches.map((b) => b.length)).toEqual([500, 500, 200, 3, 3, 3, 3]);
    expect(clock.sleeps).toHaveLength(4);
  });

  it('stops at the failing batch and counts the records it never sent', async () => {
    firehose.on(PutRecordBatchCommand).rejects(throttled());
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock: fakeClock(), maxAttempts: 2 });

    const error = await stream.put(records(1200)).catch((e: unknown) => e);

    expect((error as DeliveryError).message).toBe(
      "1200 of 1200 records were not delivered to Firehose stream 'raw-tracks' after 2 attempts " +
        '(700 of them were never sent because an earlier batch failed): ' +
        'ThrottlingException: Rate exceeded for stream raw-tracks.',
    );
    expect((error as DeliveryError).cause).toBeInstanceOf(Error);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(2);
  });

  it('retries a whole batch after a throttling error and then succeeds', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(new ServiceUnavailableException({ message: 'Slow down.', $metadata: {} }))
      .callsFake(accepted);
    const clock = fakeClock();
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock, random: () => 1 });
    const input = records(7);

    const report = await stream.put(input);

    const expected = input.map((r) => `${r}\n`);
    expect(sentBatches()).toEqual([expected, expected, expected]);
    expect(clock.sleeps).toEqual([200, 400]);
    expect(report).toEqual({ delivered: 7, batches: 3, retried: 14 });
  });

  it('doubles the back-off on each retry and caps it at maxDelayMs', async () => {
    firehose.on(PutRecordBatchCommand).rejects(throttled());
    const clock = fakeClock();
    const stream = new FirehoseDeliveryStream(client, STREAM, {
      clock,
      maxAttempts: 8,
      baseDelayMs: 200,
      maxDelayMs: 5000,
      random: () => 1,
    });

    await expect(stream.put(records(1))).rejects.toBeInstanceOf(DeliveryError);

    expect(clock.sleeps).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(8);
  });

  it('scales each back-off by the jitter draw (full jitter)', async () => {
    firehose.on(PutRecordBatchCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).callsFake(accepted);
    const clock = fakeClock();
    const draws = [0.5, 0.25];
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock, random: () => draws.shift() ?? 0 });

    await stream.put(records(1));

    expect(clock.sleeps).toEqual([100, 100]);
  });

  it('does not retry an error that waiting cannot fix, and says what to check', async () => {
    firehose.on(PutRecordBatchCommand).rejects(
      Object.assign(new Error('Firehose raw-tracks under account 123 not found.'), {
        name: 'ResourceNotFoundException',
      }),
    );
    const clock = fakeClock();
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock });

    const error = await stream.put(records(2)).catch((e: unknown) => e);

    expect((error as DeliveryError).message).toMatch(
      /2 of 2 records .* after a non-retryable error: ResourceNotFoundException/,
    );
    expect((error as DeliveryError).hint).toMatch(/exists in this account and region/);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('flush resolves without calling Firehose', async () => {
    const stream = new FirehoseDeliveryStream(client, STREAM, { clock: fakeClock() });

    await stream.flush();

    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });
});
