// The Spotify Web API client: @spotify/web-api-ts-sdk driven through its extension points, with our own
// token strategies, base URLs, retries, timeouts and error explanations (the SDK 1.2.0 has none of these right).
import { setTimeout as delay } from 'node:timers/promises';
import { SpotifyApi, type AccessToken, type IAuthStrategy } from '@spotify/web-api-ts-sdk';
import { hasSpotifyCredentials, type SpotifySettings } from '../../config.js';
import { SpotifyAccessError, SpotifyApiError, SpotifyQuotaError } from '../../errors.js';
import { SharedFate, createLimiter, type Limiter } from '../../core/limit.js';
import type { CatalogStats, Clock, Logger, SpotifyCatalog } from '../../ports.js';
import { silentLogger, systemClock } from '../../ports.js';
import { fullJitterMs } from '../../core/backoff.js';
import type {
  Paging,
  PlaylistItem,
  SpotifyAlbum,
  SpotifyArtist,
  SpotifyTrack,
} from '../../core/spotify-types.js';

/** The root the SDK hard-codes (static SpotifyApi.rootUrl); our fetch rewrites it to SPOTIFY_API_URL. */
const SDK_ROOT = 'https://api.spotify.com/v1/';

type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface WebApiDeps {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Source of jitter, injectable for deterministic tests. */
  readonly random?: () => number;
  readonly fetch?: FetchFn;
}

class MutableStats implements CatalogStats {
  apiCalls = 0;
  retries = 0;
  tokenRequests = 0;
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

/**
 * Sends one request with timeout and the bounded retry rules; returns the last response. Every attempt and every
 * wait between attempts stops when `fate.signal` aborts (a sibling call failed), rejecting with its reason.
 */
class ResilientHttp {
  constructor(
    private readonly settings: SpotifySettings,
    private readonly deps: Required<WebApiDeps>,
    readonly stats: MutableStats,
    private readonly fate: SharedFate,
  ) {}

  private backoffMs(attempt: number): number {
    return Math.round(fullJitterMs(attempt, { baseMs: 500, maxMs: 30_000, random: this.deps.random }));
  }

  async send(
    url: string,
    init: RequestInit,
    kind: 'api' | 'token',
    onUnauthorized?: () => Promise<string>,
  ): Promise<Response> {
    const { signal } = this.fate;
    let refreshed = false;
    let headers = new Headers(init.headers);
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      if (kind === 'api') this.stats.apiCalls++;
      else this.stats.tokenRequests++;
      let response: Response;
      const deadline = attemptSignal(signal, this.settings.timeoutMs);
      try {
        response = await this.deps.fetch(url, { ...init, headers, signal: deadline.signal });
      } catch (error) {
        deadline.release();
        signal.throwIfAborted(); // stopped because a sibling failed: not a network error, never retried
        // By name, not instanceof: fetch's DOMException may come from another realm (Jest's VM context).
        const errorName = (error as { name?: unknown } | null)?.name;
        const what =
          errorName === 'TimeoutError' || errorName === 'AbortError'
            ? `no answer within ${this.settings.timeoutMs} ms`
            : `network error (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)})`;
        if (attempt < this.settings.maxRetries) {
          await this.retry(attempt, `${what} on ${pathOf(url)}`, signal);
          continue;
        }
        throw new SpotifyApiError(
          0,
          `Spotify did not answer ${pathOf(url)}: ${what}, after ${attempt + 1} attempts.`,
          {
            hint: 'Check the network or SPOTIFY_API_URL / SPOTIFY_ACCOUNTS_URL; SPOTIFY_TIMEOUT_MS sets the per-call timeout.',
            cause: error,
          },
        );
      }
      if (response.status === 429) {
        if (await isQuotaExceeded(response)) return response; // never retried: the quota does not refill within a run
        const wait = retryAfterSeconds(response);
        if (wait > this.settings.maxRetryAfterSeconds) {
          throw new SpotifyQuotaError(
            `Spotify asked to wait ${wait} s before calling ${pathOf(url)} again (Retry-After); the run stops rather than wait that long.`,
            {
              hint: `Run again later; cached entities are kept, so the next run asks only for what is missing. SPOTIFY_MAX_RETRY_AFTER_SECONDS (now ${this.settings.maxRetryAfterSeconds}) sets the longest wait.`,
            },
          );
        }
        if (attempt < this.settings.maxRetries) {
          this.stats.retries++;
          this.deps.logger.warn('spotify rate limited; waiting Retry-After', {
            path: pathOf(url),
            seconds: wait,
          });
          await sleep(this.deps.clock, wait * 1000, signal);
          continue;
        }
        return response;
      }
      if (response.status >= 500 && attempt < this.settings.maxRetries) {
        await response.body?.cancel();
        await this.retry(attempt, `HTTP ${response.status} on ${pathOf(url)}`, signal);
        continue;
      }
      if (response.status === 401 && onUnauthorized && !refreshed) {
        // An access token can expire mid-run (they last 3600 s): refresh once, then give up.
        refreshed = true;
        await response.body?.cancel();
        headers = new Headers(headers);
        headers.set('Authorization', `Bearer ${await onUnauthorized()}`);
        attempt--;
        continue;
      }
      return response;
    }
  }

  private async retry(attempt: number, what: string, signal: AbortSignal): Promise<void> {
    this.stats.retries++;
    const ms = this.backoffMs(attempt);
    this.deps.logger.warn('spotify request failed; retrying', { what, attempt: attempt + 1, delayMs: ms });
    await sleep(this.deps.clock, ms, signal);
  }
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
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

interface TokenAnswer {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly scope?: string;
}

/**
 * Our IAuthStrategy for the SDK: client credentials or a user refresh token, fetched through the
 * resilient HTTP layer (the SDK's own client-credentials strategy ignores a custom fetch, SDK issue #145).
 */
export class SpotifyTokenStrategy implements IAuthStrategy {
  private token: (AccessToken & { expiresAt: number }) | undefined;
  private pending: Promise<AccessToken> | undefined;

  constructor(
    private readonly settings: SpotifySettings,
    private readonly http: ResilientHttp,
    private readonly clock: Clock,
  ) {}

  setConfiguration(): void {}

  async getOrCreateAccessToken(): Promise<AccessToken> {
    // Refresh a minute early so a long run never sends a token that expires in flight.
    if (this.token && this.token.expiresAt - 60_000 > this.clock.now().getTime()) return this.token;
    return this.refresh();
  }

  async getAccessToken(): Promise<AccessToken | null> {
    return this.token ?? null;
  }

  removeAccessToken(): void {
    this.token = undefined;
  }

  /** A new token; concurrent callers share one token request. */
  refresh(): Promise<AccessToken> {
    this.pending ??= this.requestToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  get grant(): 'refresh_token' | 'client_credentials' {
    return this.settings.refreshToken ? 'refresh_token' : 'client_credentials';
  }

  private async requestToken(): Promise<AccessToken> {
    const { clientId, clientSecret, refreshToken } = this.settings;
    const body = new URLSearchParams();
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (refreshToken) {
      body.set('grant_type', 'refresh_token');
      body.set('refresh_token', refreshToken);
      if (clientId) body.set('client_id', clientId);
    } else {
      body.set('grant_type', 'client_credentials');
    }
    if (clientId && clientSecret) {
      headers.Authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    }
    const url = `${this.settings.accountsUrl}/api/token`;
    const response = await this.http.send(url, { method: 'POST', headers, body: body.toString() }, 'token');
    const text = await response.text();
    if (!response.ok) {
      let reason: string;
      try {
        const parsed = JSON.parse(text) as { error?: string; error_description?: string };
        reason = [parsed.error, parsed.error_description].filter(Boolean).join(': ');
      } catch {
        reason = text.slice(0, 200);
      }
      const hint = refreshToken
        ? 'The refresh token was revoked or belongs to another app: run `spotify-etl login` again.'
        : 'Check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (developer.spotify.com/dashboard), or unset them to run without enrichment.';
      throw new SpotifyAccessError(
        `Spotify refused a token (${this.grant}): HTTP ${response.status} ${reason}.`,
        {
          hint,
        },
      );
    }
    const answer = JSON.parse(text) as TokenAnswer;
    this.token = {
      access_token: answer.access_token,
      token_type: answer.token_type,
      expires_in: answer.expires_in,
      refresh_token: answer.refresh_token ?? refreshToken ?? '',
      expires: this.clock.now().getTime() + answer.expires_in * 1000,
      expiresAt: this.clock.now().getTime() + answer.expires_in * 1000,
    };
    return this.token;
  }
}

/** Turns every non-2xx answer into an error that says what happened and what to do. */
async function explainResponse(response: Response): Promise<void> {
  if (response.ok) return;
  const path = pathOf(response.url);
  const text = await response.text().catch(() => '');
  let message: string;
  let reason = '';
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; reason?: string } };
    message = parsed.error?.message ?? '';
    reason = parsed.error?.reason ?? '';
  } catch {
    message = text.slice(0, 200);
  }
  const said = [message, reason].filter(Boolean).join(', ');
  if (response.status === 429 && reason === 'QUOTA_EXCEEDED') {
    throw new SpotifyQuotaError(
      `Spotify's per-account quota is used up (429 QUOTA_EXCEEDED on ${path}); the run stops instead of retrying.`,
      {
        hint: 'The quota refills over time: run again later. Entities fetched so far are cached, so the next run asks only for what is missing.',
      },
    );
  }
  if (response.status === 429) {
    throw new SpotifyQuotaError(`Spotify kept answering 429 (rate limit) on ${path} after every retry.`, {
      hint: 'Lower SPOTIFY_CONCURRENCY or run again later.',
    });
  }
  if (response.status === 401) {
    throw new SpotifyAccessError(
      `Spotify rejected the access token on ${path} even after a refresh (401 ${said}).`,
      {
        hint: 'Check the app credentials; for a user token run `spotify-etl login` again.',
      },
    );
  }
  throw new SpotifyApiError(
    response.status,
    `Spotify answered ${response.status} on ${path}${said ? `: ${said}` : ''}.`,
  );
}

export interface SpotifyClient {
  readonly catalog: SpotifyCatalog;
  readonly api: SpotifyApi;
  readonly auth: SpotifyTokenStrategy;
}

/** Builds the catalog, or undefined when no credentials are configured (the run then skips enrichment). */
export function createSpotifyClient(
  settings: SpotifySettings,
  deps: WebApiDeps = {},
): SpotifyClient | undefined {
  if (!hasSpotifyCredentials(settings)) return undefined;
  const full: Required<WebApiDeps> = {
    clock: deps.clock ?? systemClock,
    logger: deps.logger ?? silentLogger,
    random: deps.random ?? Math.random,
    fetch: deps.fetch ?? ((url, init) => fetch(url, init)),
  };
  const stats = new MutableStats();
  // One fate for the client's calls in flight: a run stops at its first fatal error (extract's lookups treat
  // every error but 404 so), and the concurrent lookups must then not go on retrying, or the process never exits.
  const fate = new SharedFate();
  const http = new ResilientHttp(settings, full, stats, fate);
  const auth = new SpotifyTokenStrategy(settings, http, full.clock);
  const apiRoot = `${settings.apiUrl}/`;
  const api = new SpotifyApi(auth, {
    fetch: (input, init) => {
      const url = String(input).startsWith(SDK_ROOT)
        ? apiRoot + String(input).slice(SDK_ROOT.length)
        : String(input);
      return http.send(url, init ?? {}, 'api', async () => (await auth.refresh()).access_token);
    },
    responseValidator: { validateResponse: explainResponse },
    errorHandler: { handleErrors: async () => false },
  });
  const catalog = new WebApiCatalog(api, stats, createLimiter(settings.concurrency), settings, fate);
  return { catalog, api, auth };
}

/** SpotifyCatalog over the Web API: one call per id (batch endpoints are gone for development-mode apps). */
export class WebApiCatalog implements SpotifyCatalog {
  constructor(
    private readonly api: SpotifyApi,
    private readonly counters: MutableStats,
    private readonly limit: Limiter,
    private readonly settings: SpotifySettings,
    /** The same fate as the HTTP layer's, whose signal its requests and retry waits honour. */
    private readonly fate: SharedFate,
  ) {}

  stats(): CatalogStats {
    return { ...this.counters };
  }

  /** A 404 is an answer (undefined); any other failure also stops the calls in flight beside this one. */
  private getOne<T>(path: string): Promise<T | undefined> {
    return this.fate.run(async () => {
      try {
        return await this.limit(() => this.api.makeRequest<T>('GET', path));
      } catch (error) {
        if (error instanceof SpotifyApiError && error.status === 404) return undefined;
        throw error;
      }
    });
  }

  private marketQuery(): string {
    return this.settings.market ? `?market=${this.settings.market}` : '';
  }

  getTrack(id: string): Promise<SpotifyTrack | undefined> {
    return this.getOne<SpotifyTrack>(`tracks/${encodeURIComponent(id)}${this.marketQuery()}`);
  }

  getAlbum(id: string): Promise<SpotifyAlbum | undefined> {
    return this.getOne<SpotifyAlbum>(`albums/${encodeURIComponent(id)}${this.marketQuery()}`);
  }

  getArtist(id: string): Promise<SpotifyArtist | undefined> {
    return this.getOne<SpotifyArtist>(`artists/${encodeURIComponent(id)}`);
  }

  /** Follows `next` through pages of at most 50 items. */
  async *playlistItems(playlistId: string): AsyncIterable<PlaylistItem> {
    const market = this.settings.market ? `&market=${this.settings.market}` : '';
    let path: string | null =
      `playlists/${encodeURIComponent(playlistId)}/items?limit=50&additional_types=track,episode${market}`;
    while (path) {
      let page: Paging<PlaylistItem>;
      try {
        const pagePath = path;
        page = await this.fate.run(() =>
          this.limit(() => this.api.makeRequest<Paging<PlaylistItem>>('GET', pagePath)),
        );
      } catch (error) {
        throw explainPlaylistError(playlistId, error);
      }
      yield* page.items;
      path = page.next ? relativeToApi(page.next, this.settings.apiUrl) : null;
    }
  }
}

function relativeToApi(next: string, apiUrl: string): string {
  for (const root of [`${apiUrl}/`, SDK_ROOT]) if (next.startsWith(root)) return next.slice(root.length);
  const u = new URL(next);
  return u.pathname.replace(/^\/v1\//, '') + u.search;
}

/** 404/403 on a playlist: explain the 2024/2026 rules instead of a stack trace. */
export function explainPlaylistError(playlistId: string, error: unknown): unknown {
  if (!(error instanceof SpotifyApiError) || (error.status !== 404 && error.status !== 403)) return error;
  const alternatives =
    'Alternatives: download the chart CSV from charts.spotify.com and use --source charts-csv:<file> (or drop it in top_200_global/inbox/); or use a playlist you own or collaborate on, with a user token from `spotify-etl login`.';
  if (error.status === 404) {
    return new SpotifyAccessError(
      `Playlist ${playlistId} answered 404. Since November 2024 Spotify-owned playlists (editorial and algorithmic, such as Top 50 - Global) answer 404 to apps without extended quota, and a playlist that does not exist answers the same.`,
      { hint: alternatives, cause: error },
    );
  }
  return new SpotifyAccessError(
    `Playlist ${playlistId} answered 403. Since February 2026 playlist contents are returned only to a user who owns or collaborates on the playlist; a client-credentials token reads metadata only.`,
    { hint: alternatives, cause: error },
  );
}
