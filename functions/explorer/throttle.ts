// Sign-in throttling, per account and per client: the first failures cost nothing; after that each attempt waits
// twice as long as the one before, up to a quarter of an hour. A guesser gets a few hundred tries a day at most;
// the real user who mistypes is never locked out for longer than the cap, and a success clears the account's count.
import type { Clock } from '#functions/ports.js';
import type { ThrottleStore } from './ports.js';

/** Failures within this window count. */
export const WINDOW_MS = 60 * 60_000;
/** Failures allowed before any delay. */
export const FREE_FAILURES = 5;
/** The longest wait between attempts. */
export const MAX_DELAY_MS = 15 * 60_000;

export const accountKey = (email: string): string => `account:${email.trim().toLowerCase()}`;
export const clientKey = (client: string): string => `client:${client}`;

/** The delay after `failures` failures: 0 for the free ones, then 1 s, 2 s, 4 s… capped. */
export function delayAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - FREE_FAILURES));
}

/** Milliseconds to wait before another attempt may be judged (0: go ahead), the longest over the keys. */
export async function waitBefore(
  store: ThrottleStore,
  keys: readonly string[],
  clock: Clock,
): Promise<number> {
  const now = clock.now().getTime();
  let wait = 0;
  for (const key of keys) {
    const { count, last } = await store.failures(key, now - WINDOW_MS);
    if (last !== undefined) wait = Math.max(wait, last + delayAfter(count) - now);
  }
  return Math.max(0, wait);
}

export async function recordFailure(
  store: ThrottleStore,
  keys: readonly string[],
  clock: Clock,
): Promise<void> {
  const now = clock.now().getTime();
  for (const key of keys) await store.recordFailure(key, now);
}
