// The Spotify Web API client: @spotify/web-api-ts-sdk driven through its extension points, assembled from our own
// HTTP layer (http.ts), token strategies (auth.ts), error explanations (errors.ts) and catalog (catalog.ts).
import { SpotifyApi } from '@spotify/web-api-ts-sdk';
import { hasSpotifyCredentials, type SpotifySettings } from '#functions/config.js';
import { SharedFate, createLimiter } from '#functions/core/limit.js';
import type { SpotifyCatalog } from '#functions/ports.js';
import { silentLogger, systemClock } from '#functions/ports.js';
import { SpotifyTokenStrategy } from './auth.js';
import { SDK_ROOT, WebApiCatalog } from './catalog.js';
import { explainResponse } from './errors.js';
import { MutableStats, ResilientHttp, type WebApiDeps } from './http.js';

export { SpotifyTokenStrategy } from './auth.js';
export { WebApiCatalog } from './catalog.js';
export { explainPlaylistError } from './errors.js';
export type { WebApiDeps } from './http.js';

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
      return http.sendWithRefresh(url, init ?? {}, async () => (await auth.refresh()).access_token);
    },
    responseValidator: { validateResponse: explainResponse },
    errorHandler: { handleErrors: async () => false },
  });
  const catalog = new WebApiCatalog(api, stats, createLimiter(settings.concurrency), settings, fate);
  return { catalog, api, auth };
}
