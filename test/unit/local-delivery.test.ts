import { gunzipSync } from 'node:zlib';
import type { S3Event } from 'aws-lambda';
import { LocalDeliveryStream, firehoseObjectName } from '#functions/adapters/local/local-delivery.js';
import { objectKeysOf } from '#functions/adapters/aws/s3-events.js';
import { MemoryStorage } from '../helpers/memory-storage.js';
import { fakeClock } from '../helpers/paths.js';

describe('LocalDeliveryStream (Firehose semantics)', () => {
  it('writes newline-terminated records under to_process/YYYY/MM/dd/HH/ with Firehose object names and emits S3 events', async () => {
    const storage = new MemoryStorage();
    const events: S3Event[] = [];
    const stream = new LocalDeliveryStream(storage, {
      clock: fakeClock('2026-11-25T16:00:07Z'),
      onObject: (e) => void events.push(e),
    });
    await stream.put(['{"a":1}', '{"a":2}']);
    expect(stream.objects).toHaveLength(0); // buffered until size, interval or flush
    await stream.flush();
    expect(stream.objects).toHaveLength(1);
    const key = stream.objects[0] ?? '';
    expect(key).toMatch(
      /^top_200_global\/raw_data\/to_process\/2026\/11\/25\/16\/spotify-etl-raw-1-2026-11-25-16-00-07-[0-9a-f-]{36}$/,
    );
    expect(Buffer.from((await storage.get(key)) ?? []).toString()).toBe('{"a":1}\n{"a":2}\n');
    expect(events[0]?.Records[0]?.eventName).toBe('ObjectCreated:Put');
    expect(objectKeysOf(events[0] as S3Event)).toEqual([key]);
  });

  it('starts a new object when the size buffer is full', async () => {
    const storage = new MemoryStorage();
    const stream = new LocalDeliveryStream(storage, { bufferBytes: 100, clock: fakeClock() });
    const record = JSON.stringify({ pad: 'x'.repeat(30) }); // 41 bytes + newline
    await stream.put([record, record, record, record, record]);
    await stream.flush();
    expect(stream.objects).toHaveLength(3);
    const lines = await Promise.all(
      stream.objects.map(
        async (k) =>
          Buffer.from((await storage.get(k)) ?? [])
            .toString()
            .split('\n').length - 1,
      ),
    );
    expect(lines).toEqual([2, 2, 1]);
  });

  it('gzips objects when asked, with the .gz extension', async () => {
    const storage = new MemoryStorage();
    const stream = new LocalDeliveryStream(storage, { gzip: true, clock: fakeClock() });
    await stream.put(['{"a":1}']);
    await stream.flush();
    const key = stream.objects[0] ?? '';
    expect(key.endsWith('.gz')).toBe(true);
    expect(gunzipSync((await storage.get(key)) ?? new Uint8Array()).toString()).toBe('{"a":1}\n');
  });

  it('refuses a record above the Firehose per-record limit', async () => {
    const stream = new LocalDeliveryStream(new MemoryStorage());
    await expect(stream.put(['x'.repeat(1_024_001)])).rejects.toThrow(/at most 1024000/);
    expect(firehoseObjectName('s', new Date('2026-01-02T03:04:05Z'), false)).toMatch(
      /^s-1-2026-01-02-03-04-05-/,
    );
  });
});
