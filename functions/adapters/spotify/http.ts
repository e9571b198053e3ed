// The HTTP layer under the Spotify client: per-attempt deadlines, bounded retries, and one refresh after a 401.
import { setTimeout as delay } from 'node:timers/promises';
import type { SpotifySettings } from '#functions/config.js';
import type { SharedFate } from '#functions/core/limit.js';
import { fullJitterMs } from '#functions/core/backoff.js';
import type { CatalogStats, Clock, Logger } from '#functions/ports.js';
import { systemClock } from '#functions/ports.js';
import { pathOf, retryAfterTooLong, unreachable } from './errors.js';

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface WebApiDeps {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Source of jitter, injectable for deterministic tests. */
  readonly random?: () => number;
  readonly fetch?: FetchFn;
}

export class MutableStats implements CatalogStats {
  apiCalls = 0;
  retries = 0;
  tokenRequests = 0;
}

/** The last response of a run of attempts, and the number of the attempt that got it. */
interface Answered {
  readonly response: Response;
  readonly attempt: number;
}

/**
 * Waits `ms` on the clock, or rejects with the signal's reason as soon as it aborts. Clock.sleep takes no signal
 * and a pending systemClock timer would keep the process alive after the abort, so real time gets a cancellable
 * timer; an injected clock (tests) is raced with the signal.
 */
async function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (clock === systemClock) {
    await delay(ms, undefined, { signal }).catch((error: unknown) => {
      signal.throwIfAborted();
      throw error;
    });
    return;
  }
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([clock.sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * One attempt's signal: aborted with the fate's reason, or with a TimeoutError after `ms` (which also bounds reading
 * the body). Not AbortSignal.any([signal, AbortSignal.timeout(ms)]): Node 20 may garbage-collect a timeout signal
 * held only by the composite before it fires (nodejs/node#57736), and a server that never answers then hangs us.
 */
function attemptSignal(signal: AbortSignal, ms: number): { readonly signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  const release = (): void => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  };
  const timer = setTimeout(() => {
    release();
    controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
  }, ms);
  timer.unref(); // as AbortSignal.timeout's: the request in flight keeps the process alive, not its deadline
  signal.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, release };
}

function retryAfterSeconds(response: Response): number {
  const header = response.headers.get('retry-after');
  const n = header === null ? NaN : Number(header);
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n) : 1;
}

async function isQuotaExceeded(response: Response): Promise<boolean> {
  const body = await response
    .clone()
    .text()
    .catch(() => '');
  return body.includes('QUOTA_EXCEEDED');
}

/** What a failed fetch was, for logs and messages. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  // By name, not instanceof: fetch's DOMException may come from another realm (Jest's VM context).
  const errorName = (error as { name?: unknown } | null)?.name;
  if (errorName === 'TimeoutError' || errorName === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const detail =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);
  return `network error (${detail})`;
}

/**
 * Sends requests with timeout and the bounded retry rules; returns the last response. Every attempt and every
 * wait between attempts stops when `fate.signal` aborts (a sibling call failed), rejecting with its reason.
 */
export class ResilientHttp {
  constructor(
    private readonly settings: SpotifySettings,
    private readonly deps: Required<WebApiDeps>,
    readonly stats: MutableStats,
    private readonly fate: SharedFate,
  ) {}

  /** One request with retries (token requests pass 'token' so that they are counted apart). */
  async send(url: string, init: RequestInit, kind: 'api' | 'token'): Promise<Response> {
    return (await this.attempts(url, init, kind, 0)).response;
  }

  /**
   * An API request whose access token may expire mid-run (they last 3600 s): after a 401 it asks `refresh` for a
   * new token and sends once more, then gives up. The attempt after the refresh keeps the attempt number of the
   * 401, so the refresh neither spends nor renews the retry budget.
   */
  async sendWithRefresh(url: string, init: RequestInit, refresh: () => Promise<string>): Promise<Response> {
    const first = await this.attempts(url, init, 'api', 0);
    if (first.response.status !== 401) return first.response;
    await first.response.body?.cancel();
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${await refresh()}`);
    return (await this.attempts(url, { ...init, headers }, 'api', first.attempt)).response;
  }

  /** Attempts from number `first` on, until an answer that is not retried. */
  private async attempts(
    url: string,
    init: RequestInit,
    kind: 'api' | 'token',
    first: number,
  ): Promise<Answered> {
    const { signal } = this.fate;
    const headers = new Headers(init.headers);
    for (let attempt = first; ; attempt++) {
      signal.throwIfAborted();
      if (kind === 'api') this.stats.apiCalls++;
      else this.stats.tokenRequests++;
      const response = await this.fetchOnce(url, { ...init, headers }, attempt);
      if (response === undefined) continue; // failed, and the wait before the next attempt is over
      if (await this.waitedToRetry(response, url, attempt)) continue;
      return { response, attempt };
    }
  }

  /** One fetch under its deadline; undefined after a failure that will be retried (having waited the back-off). */
  private async fetchOnce(url: string, init: RequestInit, attempt: number): Promise<Response | undefined> {
    const { signal } = this.fate;
    const deadline = attemptSignal(signal, this.settings.timeoutMs);
    try {
      // The deadline is not released on success: it also bounds reading the body.
      return await this.deps.fetch(url, { ...init, signal: deadline.signal });
    } catch (error) {
      deadline.release();
      signal.throwIfAborted(); // stopped because a sibling failed: not a network error, never retried
      const what = describeFetchError(error, this.settings.timeoutMs);
      if (attempt < this.settings.maxRetries) {
        await this.retry(attempt, `${what} on ${pathOf(url)}`, signal);
        return undefined;
      }
      throw unreachable(url, what, attempt + 1, error);
    }
  }

  /** True once the wait before retrying a 429 or a 5xx is over; false when the response is the answer. */
  private async waitedToRetry(response: Response, url: string, attempt: number): Promise<boolean> {
    const { signal } = this.fate;
    if (response.status === 429) {
      if (await isQuotaExceeded(response)) return false; // never retried: the quota does not refill within a run
      const wait = retryAfterSeconds(response);
      if (wait > this.settings.maxRetryAfterSeconds) {
        throw retryAfterTooLong(url, wait, this.settings.maxRetryAfterSeconds);
      }
      if (attempt >= this.settings.maxRetries) return false;
      this.stats.retries++;
      this.deps.logger.warn('spotify rate limited; waiting Retry-After', {
        path: pathOf(url),
        seconds: wait,
      });
      await sleep(this.deps.clock, wait * 1000, signal);
      return true;
    }
    if (response.status >= 500 && attempt < this.settings.maxRetries) {
      await response.body?.cancel();
      await this.retry(attempt, `HTTP ${response.status} on ${pathOf(url)}`, signal);
      return true;
    }
    return false;
  }

  private async retry(attempt: number, what: string, signal: AbortSignal): Promise<void> {
    this.stats.retries++;
    const ms = Math.round(fullJitterMs(attempt, { baseMs: 500, maxMs: 30_000, random: this.deps.random }));
    this.deps.logger.warn('spotify request failed; retrying', { what, attempt: attempt + 1, delayMs: ms });
    await sleep(this.deps.clock, ms, signal);
  }
}
