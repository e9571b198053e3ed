// An in-memory Storage, for unit tests of domain code that needs a lake but is not about files (FolderStorage is).
import { EtlError } from '#functions/errors.js';
import type { Storage } from '#functions/ports.js';

/** Chunk size of `read`, so that readers meet an object in pieces as they do from a file or S3. */
const CHUNK_BYTES = 64 * 1024;

export class MemoryStorage implements Storage {
  private readonly objects = new Map<string, Buffer>();

  async get(key: string): Promise<Uint8Array | undefined> {
    const body = this.objects.get(key);
    // A copy, as a read from a file is: a caller that changes it does not change the stored object.
    return body === undefined ? undefined : Buffer.from(body);
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const body = this.objects.get(key);
    if (body === undefined) return undefined;
    return (async function* () {
      for (let at = 0; at < body.length; at += CHUNK_BYTES)
        yield Buffer.from(body.subarray(at, at + CHUNK_BYTES));
    })();
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body));
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async move(from: string, to: string): Promise<void> {
    if (from === to) return;
    const body = this.objects.get(from);
    if (body === undefined) throw new EtlError(`Cannot move ${from} to ${to}: the source does not exist.`);
    this.objects.set(to, body);
    this.objects.delete(from);
  }
}
