// The concurrency helpers of core/limit.ts: mapLimit stops at its first failure, SharedFate makes the calls in flight
// share it (issue #9: queued lookups went on retrying after the run had failed, and the CLI never exited).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SharedFate, mapLimit } from '#functions/core/limit.js';
import { repoRoot } from '../helpers/paths.js';

/** A promise with its resolve and reject in hand, to settle tasks in the order a test needs. */
function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (no timers involved). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('mapLimit', () => {
  it('keeps the input order of the results and never runs more than n at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit([30, 10, 20, 0, 5], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < n; i++) await Promise.resolve(); // finish in another order than started
      running--;
      return n * 2;
    });
    expect(results).toEqual([60, 20, 40, 0, 10]);
    expect(most).toBe(2);
  });

  it('starts no item after the first failure, aborts the signal of those in flight, and rejects with that error once they settled', async () => {
    const started: number[] = [];
    const signals: AbortSignal[] = [];
    const second = deferred<number>();
    const failure = new Error('Spotify did not answer /api/token');
    let outcome: unknown = 'pending';
    const run = mapLimit([1, 2, 3, 4, 5, 6], 2, async (n, signal) => {
      started.push(n);
      signals.push(signal);
      if (n === 1) throw failure;
      signal.addEventListener('abort', () => second.reject(new Error('aborted')));
      return second.promise;
    }).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    await settle();
    expect(started).toEqual([1, 2]); // not 3…6: today's mapLimit went on through the whole queue
    expect(signals[1]?.aborted).toBe(true);
    expect(signals[1]?.reason).toBe(failure);
    await run;
    expect(outcome).toBe(failure); // the first error, not item 2's echo of the abort
  });

  it('waits for the items in flight before rejecting, so nothing it started outlives it', async () => {
    const slow = deferred<string>();
    let slowDone = false;
    let rejected = false;
    const run = mapLimit(['fails', 'ignores the signal'], 2, async (item) => {
      if (item === 'fails') throw new Error('quota');
      const value = await slow.promise;
      slowDone = true;
      return value;
    }).catch(() => {
      rejected = true;
    });
    await settle();
    expect(rejected).toBe(false);
    slow.resolve('late');
    await run;
    expect(slowDone).toBe(true);
    expect(rejected).toBe(true);
  });

  it('resolves an empty list at once', async () => {
    await expect(mapLimit([], 4, async () => 1)).resolves.toEqual([]);
  });
});

describe('SharedFate', () => {
  it('lets the first failure abort the calls in flight, refuses new calls while they wind down, then starts afresh', async () => {
    const fate = new SharedFate();
    const failure = new Error('Spotify answered 400');
    const first = deferred();
    let siblingSignal: AbortSignal | undefined;
    const sibling = fate.run(
      (signal) =>
        new Promise((_, reject) => {
          siblingSignal = signal;
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        }),
    );
    const failing = fate.run(async () => {
      await first.promise;
      throw failure;
    });
    // A call in flight that settles only when the test says so: until then the fate stays aborted.
    const lingering = deferred();
    const last = fate.run(() => lingering.promise);

    first.resolve();
    await expect(failing).rejects.toBe(failure);
    await expect(sibling).rejects.toBe(failure);
    expect(siblingSignal?.aborted).toBe(true);

    let started = false;
    await expect(
      fate.run(async () => {
        started = true;
      }),
    ).rejects.toBe(failure);
    expect(started).toBe(false);

    lingering.resolve();
    await last;
    expect(fate.signal.aborted).toBe(false); // none left in flight: the next run is not poisoned
    await expect(fate.run(async () => 'fresh')).resolves.toBe('fresh');
  });

  it('stays unaborted while every call succeeds', async () => {
    const fate = new SharedFate();
    await expect(Promise.all([fate.run(async () => 1), fate.run(async () => 2)])).resolves.toEqual([1, 2]);
    expect(fate.signal.aborted).toBe(false);
  });
});

describe('SharedFate with many calls in flight', () => {
  it('lets each call listen on the shared signal without a MaxListenersExceededWarning', () => {
    // In a child process: Jest's sandbox does not pass Node's process warnings to the test.
    const script = `
      import { SharedFate } from ${JSON.stringify(join(repoRoot, 'functions/core/limit.ts'))};
      const fate = new SharedFate();
      await Promise.all(Array.from({ length: 30 }, () => fate.run(async (signal) => {
        signal.addEventListener('abort', () => {});
        await new Promise((r) => setTimeout(r, 5));
      })));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: repoRoot,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('MaxListenersExceededWarning');
  });
});
