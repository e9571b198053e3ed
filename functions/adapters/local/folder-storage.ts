// Storage on a local folder: the lake on a laptop. Keys map to paths under the root; writes are atomic (rename).
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Storage } from '#functions/ports.js';
import { EtlError } from '#functions/errors.js';

export class FolderStorage implements Storage {
  constructor(readonly root: string) {}

  path(key: string): string {
    if (key.split('/').some((part) => part === '..'))
      throw new EtlError(`Refusing key outside the lake: ${key}`);
    return join(this.root, ...key.split('/'));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      await stat(this.path(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    return createReadStream(this.path(key), { highWaterMark: 256 * 1024 });
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    // Write then rename, so a reader (DuckDB, the transformer) never sees half a file.
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temp, body);
    await rename(temp, target);
  }

  async list(prefix: string): Promise<string[]> {
    // Walk only the deepest folder the prefix names, then filter by the rest of the prefix.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (!entry.name.endsWith('.tmp')) keys.push(relative(this.root, full).split(sep).join('/'));
      }
    };
    await walk(folder === '' ? this.root : this.path(folder));
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async move(from: string, to: string): Promise<void> {
    if (from === to) return;
    const source = this.path(from);
    const target = this.path(to);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(source, target);
    } catch (error) {
      if (isMissing(error)) {
        throw new EtlError(`Cannot move ${from} to ${to}: the source does not exist.`);
      }
      if ((error as NodeJS.ErrnoException).code === 'EXDEV') {
        await copyFile(source, target);
        await rm(source);
        return;
      }
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
