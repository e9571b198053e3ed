// S3Storage against the AWS emulator (moto's S3) on loopback: what the extract and transform Lambdas rely on.
import { jest } from '@jest/globals';
import type { S3Client } from '@aws-sdk/client-s3';
import { copySource, createS3Client, S3Storage } from '#functions/adapters/aws/s3-storage.js';
import { createBucket, startMoto, type RunningMoto } from '../helpers/moto.js';

const bucket = 'test-bucket';
let moto: RunningMoto;
let client: S3Client;
let storage: S3Storage;

beforeAll(async () => {
  moto = await startMoto();
  client = createS3Client({ ...moto.clientConfig, forcePathStyle: true });
  await createBucket(moto, client, bucket);
  storage = new S3Storage(client, bucket);
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

async function collect(stream: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; chunks: number }> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}

describe('S3Storage', () => {
  it('reads back text it wrote', async () => {
    await storage.put('text/hello.json', '{"greeting":"héllo"}', 'application/json');

    const bytes = await storage.get('text/hello.json');

    expect(new TextDecoder().decode(bytes)).toBe('{"greeting":"héllo"}');
  });

  it('reads back binary bytes unchanged', async () => {
    const body = Uint8Array.from({ length: 256 }, (_, i) => i);
    await storage.put('binary/all-bytes.bin', body);

    expect(await storage.get('binary/all-bytes.bin')).toEqual(body);
  });

  it('writes an empty marker and a string body without the SDK warning of a stream of unknown length', async () => {
    // Without a Content-Length the SDK's S3 middleware console.warns (a stack trace under Jest) on every put;
    // the empty pending-check markers hit that on every transform.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await storage.put('checks/pending/2024-02-05/raw-object', '');
      await storage.put('checks/pending/2024-02-06/raw-object', new Uint8Array(0));
      await storage.put('text/marker.json', '{"rank":1}', 'application/json');
      expect(warn.mock.calls).toEqual([]);
    } finally {
      warn.mockRestore();
    }

    expect(await storage.get('checks/pending/2024-02-05/raw-object')).toEqual(new Uint8Array(0));
    expect(await storage.get('checks/pending/2024-02-06/raw-object')).toEqual(new Uint8Array(0));
    expect(new TextDecoder().decode(await storage.get('text/marker.json'))).toBe('{"rank":1}');
    expect(await storage.list('checks/pending/')).toEqual([
      'checks/pending/2024-02-05/raw-object',
      'checks/pending/2024-02-06/raw-object',
    ]);
  });

  it('answers undefined for a key that does not exist', async () => {
    expect(await storage.get('nowhere/missing.json')).toBeUndefined();
    expect(await storage.read('nowhere/missing.json')).toBeUndefined();
  });

  it('streams a large object in several chunks that reassemble exactly', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const body = new Uint8Array(size);
    for (let i = 0; i < size; i++) body[i] = (i * 31 + (i >> 8)) & 0xff;
    await storage.put('raw/large.bin', body, 'application/octet-stream');

    const stream = await storage.read('raw/large.bin');

    expect(stream).toBeDefined();
    const { bytes, chunks } = await collect(stream!);
    expect(chunks).toBeGreaterThan(1);
    expect(bytes.length).toBe(size);
    expect(bytes.equals(body)).toBe(true);
  });

  it('lists every key under a prefix across pages, sorted', async () => {
    const paged = new S3Storage(client, bucket, { pageSize: 2 });
    const keys = ['list/e.json', 'list/a.json', 'list/d/nested.json', 'list/c.json', 'list/b.json'];
    for (const key of keys) await paged.put(key, key);
    await paged.put('listing-elsewhere/x.json', 'not under the prefix');

    expect(await paged.list('list/')).toEqual([
      'list/a.json',
      'list/b.json',
      'list/c.json',
      'list/d/nested.json',
      'list/e.json',
    ]);
  });

  it('lists nothing under a prefix with no objects', async () => {
    expect(await storage.list('empty-prefix/')).toEqual([]);
  });

  it('moves a key with a Hive-style partition and a space, leaving no source behind', async () => {
    const from = 'landing/snapshot_date=2024-02-05/chart entries.json';
    const to = 'processed/snapshot_date=2024-02-05/chart entries+1.json';
    await storage.put(from, '{"rank":1}');

    await storage.move(from, to);

    expect(new TextDecoder().decode(await storage.get(to))).toBe('{"rank":1}');
    expect(await storage.get(from)).toBeUndefined();
    expect(await storage.list('landing/snapshot_date=2024-02-05/')).toEqual([]);
  });

  it('rejects moving a missing key with a message naming the key', async () => {
    await expect(
      storage.move('landing/snapshot_date=2024-02-06/gone.json', 'processed/gone.json'),
    ).rejects.toThrow('landing/snapshot_date=2024-02-06/gone.json');
  });

  it('keeps an object moved onto its own key', async () => {
    await storage.put('same/key.json', 'still here');

    await storage.move('same/key.json', 'same/key.json');

    expect(new TextDecoder().decode(await storage.get('same/key.json'))).toBe('still here');
  });

  it('deletes an object, and deleting it again is not an error', async () => {
    await storage.put('trash/old.json', 'old');

    await storage.delete('trash/old.json');
    await storage.delete('trash/old.json');

    expect(await storage.get('trash/old.json')).toBeUndefined();
  });
});

describe('copySource', () => {
  // s3rver accepts an unencoded header too, so the exact value AWS receives is pinned here.
  it('percent-encodes each key segment, keeping slashes and Hive-style "=" literal', () => {
    expect(copySource('lake', 'landing/snapshot_date=2024-02-05/chart entries+1 é?#.json')).toBe(
      'lake/landing/snapshot_date=2024-02-05/chart%20entries%2B1%20%C3%A9%3F%23.json',
    );
  });
});
