// Paths shared by tests: the recorded real data beside the repository (../shared/real-data) and temp lakes.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const realData = join(repoRoot, '..', 'shared', 'real-data');
export const chartsDir = join(realData, 'charts');

export function tempDir(prefix = 'spotify-etl-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A clock that never really sleeps: sleeping advances time and is recorded. */
export function fakeClock(start = '2026-11-25T16:00:00Z'): {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  sleeps: number[];
  advance: (ms: number) => void;
} {
  let t = Date.parse(start);
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance: (ms) => {
      t += ms;
    },
  };
}
