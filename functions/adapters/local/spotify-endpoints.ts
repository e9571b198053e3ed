// The local Web API's /v1 endpoints: per-id track/album/artist lookups and playlists with paged items, answered
// from a ServerCatalog with the 2026 development-mode rules (stripped fields, closed batch and Spotify playlists).
import { createHash } from 'node:crypto';
import type {
  PlaylistItem,
  SpotifyAlbum,
  SpotifyArtist,
  SpotifyTrack,
} from '#functions/core/spotify-types.js';
import type { TokenInfo } from './spotify-accounts.js';

export interface ServerPlaylist {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly items: readonly PlaylistItem[];
}

/** What the server answers from; `full` asks for the full object (the server always does, then strips). */
export interface ServerCatalog {
  findTrack(id: string, full: boolean): SpotifyTrack | undefined;
  findAlbum(id: string, full: boolean): SpotifyAlbum | undefined;
  findArtist(id: string, full: boolean): SpotifyArtist | undefined;
  findPlaylist?(id: string): ServerPlaylist | undefined;
}

type Json = Record<string, unknown>;
type Answer = [number, unknown];

/** The Web API's error body. */
export function apiError(status: number, message: string): Json {
  return { error: { status, message } };
}

/** The body Spotify sends when the per-account quota is used up (no Retry-After helps). */
export const QUOTA_EXCEEDED_BODY = Object.freeze({
  error: Object.freeze({ status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' }),
});

/** Fields development-mode apps stopped receiving (November 2024 / February 2026). */
const EXTENDED_FIELDS = new Set([
  'popularity',
  'followers',
  'label',
  'genres',
  'available_markets',
  'external_ids',
]);
const BASE62_ID = /^[0-9A-Za-z]{22}$/;

/** A copy without the extended-quota fields, at every depth (nested album and artists too). */
export function stripExtendedFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripExtendedFields);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value))
    if (!EXTENDED_FIELDS.has(key)) out[key] = stripExtendedFields(v);
  return out;
}

export class LocalWebApi {
  private readonly apiUrl: string;

  /** `url` is the server's origin; extended-quota apps keep the extended fields and read Spotify's playlists. */
  constructor(
    private readonly catalog: ServerCatalog,
    private readonly url: string,
    private readonly extendedQuota: boolean,
  ) {
    this.apiUrl = `${url}/v1`;
  }

  /** GET /v1/… by an authenticated caller: [status, body], stripped for development-mode apps. */
  answer(url: URL, auth: TokenInfo): Answer {
    const [status, payload] = this.route(url, auth);
    return [status, status < 300 && !this.extendedQuota ? stripExtendedFields(payload) : payload];
  }

  private route(url: URL, auth: TokenInfo): Answer {
    const parts = url.pathname.split('/').slice(2).map(decodeURIComponent); // drop '' and 'v1'
    const [collection, id, sub] = parts;
    const notFound: Answer = [404, apiError(404, 'Resource not found')];
    if (collection === 'tracks' || collection === 'albums' || collection === 'artists') {
      // The batch endpoints (?ids=) were removed for development-mode apps in February 2026.
      if (parts.length === 1) return [403, apiError(403, 'Forbidden')];
      if (parts.length !== 2 || id === undefined) return [404, apiError(404, 'Service not found')];
      if (!BASE62_ID.test(id)) return [400, apiError(400, 'Invalid base62 id')];
      const found =
        collection === 'tracks'
          ? this.catalog.findTrack(id, true)
          : collection === 'albums'
            ? this.catalog.findAlbum(id, true)
            : this.catalog.findArtist(id, true);
      return found === undefined ? notFound : [200, found];
    }
    if (collection === 'playlists' && id !== undefined && parts.length <= 3) {
      if (!BASE62_ID.test(id)) return [400, apiError(400, 'Invalid base62 id')];
      const playlist = this.catalog.findPlaylist?.(id);
      // Since November 2024 Spotify-owned playlists answer 404 to apps without extended quota.
      if (!playlist || (playlist.ownerId === 'spotify' && !this.extendedQuota)) return notFound;
      if (sub === undefined) return [200, this.playlistObject(playlist)];
      if (sub !== 'items') return [404, apiError(404, 'Service not found')];
      // Since February 2026 contents go only to a user token (owner or collaborator); we do not model ownership.
      if (auth.kind !== 'user') return [403, apiError(403, 'Forbidden')];
      return this.itemsPage(playlist, url);
    }
    return [404, apiError(404, 'Service not found')];
  }

  private playlistObject(playlist: ServerPlaylist): Json {
    const owner = encodeURIComponent(playlist.ownerId);
    return {
      collaborative: false,
      description: '',
      external_urls: { spotify: `https://open.spotify.com/playlist/${playlist.id}` },
      href: `${this.apiUrl}/playlists/${playlist.id}`,
      id: playlist.id,
      images: [],
      name: playlist.name,
      owner: {
        display_name: playlist.ownerId === 'spotify' ? 'Spotify' : playlist.ownerId,
        external_urls: { spotify: `https://open.spotify.com/user/${owner}` },
        href: `${this.apiUrl}/users/${owner}`,
        id: playlist.ownerId,
        type: 'user',
        uri: `spotify:user:${owner}`,
      },
      public: true,
      snapshot_id: createHash('sha1').update(playlist.id).digest('base64'),
      // A reference only: the contents come from /items (and only for user tokens).
      items: { href: `${this.apiUrl}/playlists/${playlist.id}/items`, total: playlist.items.length },
      type: 'playlist',
      uri: `spotify:playlist:${playlist.id}`,
    };
  }

  private itemsPage(playlist: ServerPlaylist, url: URL): Answer {
    const limitParam = url.searchParams.get('limit');
    const offsetParam = url.searchParams.get('offset');
    const limit = limitParam === null ? 20 : Number(limitParam);
    const offset = offsetParam === null ? 0 : Number(offsetParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) return [400, apiError(400, 'Invalid limit')];
    if (!Number.isInteger(offset) || offset < 0) return [400, apiError(400, 'Invalid offset')];
    const total = playlist.items.length;
    const pageUrl = (at: number): string => {
      const u = new URL(url.pathname, this.url);
      u.searchParams.set('offset', String(at));
      u.searchParams.set('limit', String(limit));
      for (const keep of ['market', 'additional_types']) {
        const v = url.searchParams.get(keep);
        if (v !== null) u.searchParams.set(keep, v);
      }
      return u.toString();
    };
    const items = playlist.items.slice(offset, offset + limit).map((entry) => {
      const object = entry.item ?? entry.track ?? null;
      // The 2026 shape: `item`, with the deprecated `track` still sent alongside.
      return {
        added_at: entry.added_at ?? null,
        is_local: entry.is_local ?? false,
        item: object,
        track: object,
      };
    });
    return [
      200,
      {
        href: pageUrl(offset),
        items,
        limit,
        next: offset + limit < total ? pageUrl(offset + limit) : null,
        offset,
        previous: offset > 0 ? pageUrl(Math.max(0, offset - limit)) : null,
        total,
      },
    ];
  }
}
