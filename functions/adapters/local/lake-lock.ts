// Mutual exclusion for a folder lake across processes (a cron job and a hand run on one lake). On Linux the lock
// is an abstract Unix socket named after the lake's real path: binding it is atomic, and the kernel frees it when
// its holder dies, SIGKILL included, so a lock is never stale. Elsewhere it is a file created exclusively and
// broken when the process it names is gone.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, realpath, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { LakeLock } from '#functions/ports.js';

/** Who holds the lock, as the holder tells a process that waits for it. */
export interface LockHolder {
  readonly pid: number;
  readonly command: string;
  readonly since: string;
}

export interface FolderLakeLockOptions {
  /** What this process is doing, told to the processes that wait (e.g. `spotify-etl run`). */
  readonly command?: string;
  /** Called once per wait, with the holder when it could be asked. */
  readonly onWait?: (holder: LockHolder | undefined) => void;
  /** How often a waiting process tries again. */
  readonly pollMs?: number;
  /** Force the lock-file fallback (tests of the non-Linux path). */
  readonly useFile?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Listens on the abstract socket, or resolves undefined when another process holds it. */
function bind(name: string, holder: LockHolder): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end(JSON.stringify(holder)));
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error),
    );
    server.listen({ path: name, exclusive: true }, () => {
      server.unref(); // holding the lock must not keep a finished process alive
      resolve(server);
    });
  });
}

/** Asks the holder of the abstract socket who it is (undefined when it does not answer in time). */
function askHolder(name: string): Promise<LockHolder | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect({ path: name });
    const done = (holder: LockHolder | undefined): void => {
      socket.destroy();
      resolve(holder);
    };
    socket.setTimeout(500, () => done(undefined));
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => {
      try {
        done(JSON.parse(text) as LockHolder);
      } catch {
        done(undefined);
      }
    });
    socket.on('error', () => done(undefined));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FolderLakeLock implements LakeLock {
  /** Holders of this process queue here first, so that one process never waits on itself. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pollMs: number;

  constructor(
    private readonly root: string,
    private readonly options: FolderLakeLockOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 50;
  }

  hold<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const release = await this.acquire();
      try {
        return await fn();
      } finally {
        await release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private holder(): LockHolder {
    return {
      pid: process.pid,
      command: this.options.command ?? 'spotify-etl',
      since: new Date().toISOString(),
    };
  }

  private async acquire(): Promise<() => Promise<void>> {
    await mkdir(this.root, { recursive: true });
    return process.platform === 'linux' && !this.options.useFile ? this.acquireSocket() : this.acquireFile();
  }

  private async acquireSocket(): Promise<() => Promise<void>> {
    const id = createHash('sha256')
      .update(await realpath(this.root))
      .digest('hex')
      .slice(0, 40);
    const name = `\0spotify-etl-lake-${id}`;
    let told = false;
    for (;;) {
      const server = await bind(name, this.holder());
      if (server) return () => new Promise<void>((resolve) => server.close(() => resolve()));
      if (!told) {
        told = true;
        this.options.onWait?.(await askHolder(name));
      }
      await sleep(this.pollMs);
    }
  }

  private async acquireFile(): Promise<() => Promise<void>> {
    const path = join(this.root, '.lake.lock');
    let told = false;
    for (;;) {
      try {
        const file = await open(path, 'wx');
        await file.writeFile(JSON.stringify(this.holder()));
        await file.close();
        return () => rm(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readFile(path, 'utf8')
        .then((text) => JSON.parse(text) as LockHolder)
        .catch(() => undefined);
      if (holder && !alive(holder.pid)) {
        await rm(path, { force: true }); // its holder died without releasing it
        continue;
      }
      if (!told) {
        told = true;
        this.options.onWait?.(holder);
      }
      await sleep(this.pollMs);
    }
  }
}
