// Concurrency helpers: a limiter, a fail-fast mapLimit, and a fate shared by the calls in flight.
import { setMaxListeners } from 'node:events';

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** At most `n` tasks run at once, the rest wait in order. */
export function createLimiter(n: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    active--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/**
 * Runs `fn` over `items` with at most `n` in flight; results keep the input order. The first failure stops the
 * rest: no further item starts, the signal handed to the items in flight aborts (its reason is that error), and
 * the promise rejects with the first error once those have settled, so nothing started here outlives it.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  n: number,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const controller = new AbortController();
  const results = new Array<R>(items.length);
  let failure: { readonly error: unknown } | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, controller.signal);
      } catch (error) {
        if (failure) continue; // a later failure (often the abort echoing back): the first one is reported
        failure = { error };
        controller.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}

/**
 * Calls in flight that share one fate: the first to fail aborts `signal` with its error as the reason, so the
 * others stop at once, and calls started while they wind down fail without starting. When none is left in flight
 * the fate starts afresh, so one failed run does not poison the next (a warm Lambda container keeps its client).
 */
export class SharedFate {
  private controller = SharedFate.controller();
  private inFlight = 0;

  /**
   * Each call in flight listens on the shared signal until it settles (an HTTP attempt until its deadline), so
   * more than EventTarget's default of 10 listeners is normal here, and bounded by the calls in flight.
   */
  private static controller(): AbortController {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  }

  /** Aborted (reason: the first error) from the first failure until the calls in flight have all settled. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  async run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = this.controller;
    controller.signal.throwIfAborted();
    this.inFlight++;
    try {
      return await task(controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) controller.abort(error);
      throw error;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && controller.signal.aborted) this.controller = SharedFate.controller();
    }
  }
}
