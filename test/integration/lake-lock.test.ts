// The folder lake's cross-process lock: one holder at a time across processes, a waiter says who it waits for,
// and a holder killed with SIGKILL never leaves the lake locked (socket: the kernel frees it; file: a dead pid).
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderLakeLock } from '#functions/adapters/local/lake-lock.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

interface Holder {
  readonly pid: number;
  readonly output: Promise<string>;
  readonly kill: () => void;
}

function holdInChild(lake: string, ms: number, mode: 'socket' | 'file'): Holder {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'test/helpers/hold-lock.ts'), lake, String(ms), mode],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return {
    pid: child.pid ?? 0,
    output: new Promise((resolve) => child.on('close', () => resolve(out))),
    kill: () => child.kill('SIGKILL'),
  };
}

const times = (out: string, word: string): number => Number(new RegExp(`${word} (\\d+)`).exec(out)?.[1]);

let lake: string;
beforeEach(async () => {
  lake = await tempDir('lake-lock-');
});
afterEach(async () => {
  await rm(lake, { recursive: true, force: true });
});

describe.each(['socket', 'file'] as const)('FolderLakeLock (%s)', (mode) => {
  it('gives the lock to one process at a time; the one that waits says for whom', async () => {
    const a = holdInChild(lake, 600, mode);
    await new Promise((r) => setTimeout(r, 400)); // a holds it (tsx start-up included)
    const b = holdInChild(lake, 50, mode);
    const [outA, outB] = await Promise.all([a.output, b.output]);
    expect(outB).toMatch(new RegExp(`waiting (${a.pid}|\\?)`));
    expect(times(outB, 'held')).toBeGreaterThanOrEqual(times(outA, 'released'));
  }, 20_000);

  it('is not left held by a process killed with SIGKILL', async () => {
    const a = holdInChild(lake, 60_000, mode);
    await new Promise((r) => setTimeout(r, 500));
    a.kill();
    await a.output;
    const lock = new FolderLakeLock(lake, { useFile: mode === 'file', pollMs: 10 });
    let timer: NodeJS.Timeout | undefined;
    const got = await Promise.race([
      lock.hold(async () => 'held'),
      new Promise((r) => (timer = setTimeout(() => r('still locked'), 5_000))),
    ]);
    clearTimeout(timer);
    expect(got).toBe('held');
  }, 20_000);

  it('queues holders of one process without waiting on itself', async () => {
    const lock = new FolderLakeLock(lake, { useFile: mode === 'file', pollMs: 10 });
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        lock.hold(async () => {
          order.push(`${name}+`);
          await new Promise((r) => setTimeout(r, 20));
          order.push(`${name}-`);
        }),
      ),
    );
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });
});
