// A local HTTP server that speaks the Spotify Web API and Accounts service with the 2026 rules, for the offline
// demo and the tests: client-credentials / refresh / PKCE tokens, per-id lookups, playlist paging, injected faults.
// It serves any ServerCatalog: the demo's (demo-catalog.ts) or the tests' recorded one (test/helpers/).
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  PlaylistItem,
  SpotifyAlbum,
  SpotifyArtist,
  SpotifyTrack,
} from '#functions/core/spotify-types.js';

export const DEMO_CLIENT_ID = 'demo-client-id';
export const DEMO_CLIENT_SECRET = 'demo-client-secret';
/** The body Spotify sends when the per-account quota is used up (no Retry-After helps). */
export const QUOTA_EXCEEDED_BODY = Object.freeze({
  error: Object.freeze({ status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' }),
});

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

/** A failure to play instead of the normal answer; `status` unset means "answer normally after the delay". */
export interface Fault {
  /** Tested against the request path with its query string; unset matches every request (token requests too). */
  readonly path?: RegExp;
  readonly status?: number;
  /** Seconds, sent as the Retry-After header. */
  readonly retryAfter?: number;
  readonly body?: unknown;
  readonly delayMs?: number;
  /** How many matching requests get the fault (default 1; Infinity for all). */
  readonly times?: number;
  /** Destroy the socket without answering: the client sees a network error. */
  readonly dropConnection?: boolean;
}

export interface ServerOptions {
  readonly catalog: ServerCatalog;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Extended-quota apps keep popularity, followers, genres… and may read Spotify-owned playlists. */
  readonly extendedQuota?: boolean;
  readonly tokenTtlSeconds?: number;
  /** User refresh tokens the server accepts (as if issued by an earlier login). */
  readonly refreshTokens?: readonly string[];
  /** 0 (default) picks a free port; the server listens on 127.0.0.1 only. */
  readonly port?: number;
}

export interface RequestLogEntry {
  readonly method: string;
  /** Path with query string, as received. */
  readonly path: string;
  /** The status sent; 0 while pending or when the connection was dropped. */
  readonly status: number;
}

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
const USER_SCOPE = 'playlist-read-private playlist-read-collaborative';

interface TokenInfo {
  readonly kind: 'user' | 'client';
  readonly expiresAt: number;
  expired: boolean;
}

interface PendingFault {
  readonly fault: Fault;
  remaining: number;
}

type Json = Record<string, unknown>;

function apiError(status: number, message: string): Json {
  return { error: { status, message } };
}

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'The access token expired',
  403: 'Forbidden',
  404: 'Resource not found',
  429: 'API rate limit exceeded',
  500: 'Server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

/** A copy without the extended-quota fields, at every depth (nested album and artists too). */
export function stripExtendedFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripExtendedFields);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value))
    if (!EXTENDED_FIELDS.has(key)) out[key] = stripExtendedFields(v);
  return out;
}

const newToken = (prefix: string): string => prefix + randomBytes(24).toString('base64url');

export class LocalSpotifyServer {
  readonly url: string;
  readonly apiUrl: string;
  private readonly log: { method: string; path: string; status: number }[] = [];
  private readonly faults: PendingFault[] = [];
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly refreshTokens: Set<string>;
  private readonly codes = new Map<string, { challenge: string; redirectUri: string | undefined }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private quotaUsedUp = false;
  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly extendedQuota: boolean;
  private readonly tokenTtlSeconds: number;

  private constructor(
    private readonly server: Server,
    private readonly catalog: ServerCatalog,
    options: ServerOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.url}/v1`;
    this.clientId = options.clientId ?? DEMO_CLIENT_ID;
    this.clientSecret = options.clientSecret ?? DEMO_CLIENT_SECRET;
    this.extendedQuota = options.extendedQuota ?? false;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.refreshTokens = new Set(options.refreshTokens ?? []);
  }

  static async start(options: ServerOptions): Promise<LocalSpotifyServer> {
    const server = createServer();
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', fail);
        ok();
      });
    });
    const instance = new LocalSpotifyServer(server, options.catalog, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      instance.handle(req, res).catch((error: unknown) => {
        if (res.headersSent || res.destroyed) return;
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(apiError(500, `Local server error: ${String(error)}`)));
      });
    });
    return instance;
  }

  /** Every request received, in order of arrival. */
  get requests(): readonly RequestLogEntry[] {
    return this.log;
  }

  inject(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  /** Every access token issued so far answers 401 "The access token expired"; new tokens work. */
  expireTokens(): void {
    for (const info of this.tokens.values()) info.expired = true;
  }

  /** Every /v1 request from now on answers 429 QUOTA_EXCEEDED. */
  quotaExceeded(): void {
    this.quotaUsedUp = true;
  }

  /** Registers a code as if the user had approved the app; the token request must prove the PKCE verifier. */
  issueAuthorizationCode(code: string, codeChallenge: string, redirectUri?: string): void {
    this.codes.set(code, { challenge: codeChallenge, redirectUri });
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((ok) => this.server.close(() => ok()));
    this.server.closeAllConnections();
    await closed;
  }

  private takeFault(path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.remaining > 0 && (f.fault.path?.test(path) ?? true));
    if (index < 0) return undefined;
    const pending = this.faults[index] as PendingFault;
    pending.remaining--;
    if (pending.remaining <= 0) this.faults.splice(index, 1);
    return pending.fault;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((ok) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        ok();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry = { method: req.method ?? 'GET', path: req.url ?? '/', status: 0 };
    this.log.push(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');

    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      if (res.destroyed || res.writableEnded) return; // the client gave up (timeout) while we were slow
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(text);
    };

    const fault = this.takeFault(entry.path);
    if (fault) {
      if (fault.delayMs) await this.wait(fault.delayMs);
      if (fault.dropConnection) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        const headers: Record<string, string> =
          fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
        const payload = fault.body ?? apiError(fault.status, DEFAULT_MESSAGES[fault.status] ?? 'Error');
        send(fault.status, payload, headers);
        return;
      }
    }

    const url = new URL(entry.path, this.url);
    if (url.pathname === '/api/token') {
      if (entry.method !== 'POST') return send(405, apiError(405, 'Method not allowed'));
      const [status, payload] = this.token(req.headers.authorization, new URLSearchParams(body));
      return send(status, payload);
    }
    if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
      if (this.quotaUsedUp) return send(429, QUOTA_EXCEEDED_BODY);
      const auth = this.authenticate(req.headers.authorization);
      if (typeof auth === 'string') {
        return send(401, apiError(401, auth), { 'WWW-Authenticate': 'Bearer realm="spotify"' });
      }
      if (entry.method !== 'GET') return send(405, apiError(405, 'Method not allowed'));
      const [status, payload] = this.api(url, auth);
      return send(status, status < 300 && !this.extendedQuota ? stripExtendedFields(payload) : payload);
    }
    send(404, apiError(404, 'Service not found'));
  }

  /** The token info, or the 401 message. */
  private authenticate(header: string | undefined): TokenInfo | string {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match) return 'No token provided';
    const info = this.tokens.get(match[1] as string);
    if (!info) return 'Invalid access token';
    if (info.expired || info.expiresAt <= Date.now()) return 'The access token expired';
    return info;
  }

  private issue(kind: TokenInfo['kind'], refreshToken?: string): Json {
    const accessToken = newToken('BQ');
    this.tokens.set(accessToken, {
      kind,
      expiresAt: Date.now() + this.tokenTtlSeconds * 1000,
      expired: false,
    });
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.tokenTtlSeconds,
      scope: kind === 'user' ? USER_SCOPE : '',
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    };
  }

  /** POST /api/token: the three grants the project uses, with the Accounts service's error bodies. */
  private token(authorization: string | undefined, form: URLSearchParams): [number, Json] {
    const invalidClient = (description: string): [number, Json] => [
      400,
      { error: 'invalid_client', error_description: description },
    ];
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = colon < 0 ? decoded : decoded.slice(0, colon);
      clientSecret = colon < 0 ? '' : decoded.slice(colon + 1);
    }
    if (clientId !== undefined && clientId !== this.clientId) return invalidClient('Invalid client');
    if (clientSecret !== undefined && clientSecret !== this.clientSecret)
      return invalidClient('Invalid client secret');

    const grant = form.get('grant_type');
    switch (grant) {
      case 'client_credentials':
        if (clientId === undefined || clientSecret === undefined) return invalidClient('Invalid client');
        return [200, this.issue('client')];
      case 'refresh_token': {
        if (clientId === undefined) return invalidClient('Invalid client');
        const refreshToken = form.get('refresh_token') ?? '';
        if (!this.refreshTokens.has(refreshToken)) {
          return [400, { error: 'invalid_grant', error_description: 'Invalid refresh token' }];
        }
        return [200, this.issue('user', refreshToken)];
      }
      case 'authorization_code': {
        if (clientId === undefined) return invalidClient('Invalid client');
        const code = this.codes.get(form.get('code') ?? '');
        if (!code) return [400, { error: 'invalid_grant', error_description: 'Invalid authorization code' }];
        const redirectUri = form.get('redirect_uri');
        if (redirectUri === null || (code.redirectUri !== undefined && redirectUri !== code.redirectUri)) {
          return [400, { error: 'invalid_grant', error_description: 'Invalid redirect URI' }];
        }
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
          return [400, { error: 'invalid_grant', error_description: 'code_verifier was incorrect' }];
        }
        this.codes.delete(form.get('code') ?? ''); // a code is good for one exchange
        const refreshToken = newToken('AQ');
        this.refreshTokens.add(refreshToken);
        return [200, this.issue('user', refreshToken)];
      }
      case null:
        return [
          400,
          { error: 'unsupported_grant_type', error_description: 'grant_type parameter is missing' },
        ];
      default:
        return [
          400,
          {
            error: 'unsupported_grant_type',
            error_description: 'grant_type must be client_credentials, authorization_code or refresh_token',
          },
        ];
    }
  }

  /** GET /v1/…: [status, body] before stripping. */
  private api(url: URL, auth: TokenInfo): [number, unknown] {
    const parts = url.pathname.split('/').slice(2).map(decodeURIComponent); // drop '' and 'v1'
    const [collection, id, sub] = parts;
    const notFound: [number, unknown] = [404, apiError(404, 'Resource not found')];
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

  private itemsPage(playlist: ServerPlaylist, url: URL): [number, unknown] {
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
