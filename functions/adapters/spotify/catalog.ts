// The SpotifyCatalog port over the Web API: tracks, albums, artists and playlist pages through the SDK's makeRequest.
import type { SpotifyApi } from '@spotify/web-api-ts-sdk';
import type { SpotifySettings } from '#functions/config.js';
import { SpotifyApiError } from '#functions/errors.js';
import type { Limiter, SharedFate } from '#functions/core/limit.js';
import type { CatalogStats, SpotifyCatalog } from '#functions/ports.js';
import type {
  Paging,
  PlaylistItem,
  SpotifyAlbum,
  SpotifyArtist,
  SpotifyTrack,
} from '#functions/core/spotify-types.js';
import { explainPlaylistError } from './errors.js';

/** The root the SDK hard-codes (static SpotifyApi.rootUrl); our fetch rewrites it to SPOTIFY_API_URL. */
export const SDK_ROOT = 'https://api.spotify.com/v1/';

/** SpotifyCatalog over the Web API: one call per id (batch endpoints are gone for development-mode apps). */
export class WebApiCatalog implements SpotifyCatalog {
  constructor(
    private readonly api: SpotifyApi,
    private readonly counters: CatalogStats,
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

/** A `next` link as a path under the API root, whichever root (ours or the SDK's) it was written with. */
function relativeToApi(next: string, apiUrl: string): string {
  for (const root of [`${apiUrl}/`, SDK_ROOT]) if (next.startsWith(root)) return next.slice(root.length);
  const u = new URL(next);
  return u.pathname.replace(/^\/v1\//, '') + u.search;
}
