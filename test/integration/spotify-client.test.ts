// The real Spotify client (web-api.ts) against the local Spotify-API server on loopback: tokens, retries,
// timeouts, the 2026 playlist rules and the development-mode field stripping. Time is a fake clock.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SpotifySettings } from '#functions/config.js';
import { loadConfig } from '#functions/config.js';
import { SpotifyAccessError, SpotifyApiError, SpotifyQuotaError } from '#functions/errors.js';
import type { Clock } from '#functions/ports.js';
import type { PlaylistItem, SpotifyTrack } from '#functions/core/spotify-types.js';
import { createSpotifyClient, type SpotifyClient } from '#functions/adapters/spotify/web-api.js';
import { DemoCatalog, demoId } from '#functions/adapters/local/demo-catalog.js';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  LocalSpotifyServer,
  type ServerCatalog,
} from '#functions/adapters/local/spotify-server.js';
import { FixtureCatalog } from '../helpers/fixture-catalog.js';
import { fakeClock } from '../helpers/paths.js';

const REFRESH_TOKEN = 'AQ-test-refresh-token';
const RECORDED = fileURLToPath(new URL('../../../shared/real-data/spotify/', import.meta.url));
const demo = new DemoCatalog();
const fixture = FixtureCatalog.fromRecorded();

/** Demo ids first, then the recorded real objects. */
const catalog: ServerCatalog = {
  findTrack: (id, full) => demo.findTrack(id, full) ?? fixture.findTrack(id),
  findAlbum: (id, full) => demo.findAlbum(id, full) ?? fixture.findAlbum(id),
  findArtist: (id, full) => demo.findArtist(id, full) ?? fixture.findArtist(id),
  findPlaylist: (id) => fixture.findPlaylist(id),
};

/** A demo track that the demo catalog does not mark as removed. */
const trackIndex = Array.from({ length: 100 }, (_, k) => k).find((k) => !demo.isRemoved(k)) ?? 0;
const TRACK_ID = demoId('track', trackIndex);
const UNKNOWN_ID = '0000000000000000000000';
const TRACK_PATH = /^\/v1\/tracks\//;

let server: LocalSpotifyServer;
let clock: ReturnType<typeof fakeClock>;
let sleeps: number[];

beforeEach(async () => {
  clock = fakeClock('2026-03-01T06:00:00Z');
  sleeps = clock.sleeps;
  server = await LocalSpotifyServer.start({ catalog, refreshTokens: [REFRESH_TOKEN] });
});

afterEach(async () => {
  await server.close();
});

function settings(
  overrides: Partial<SpotifySettings> = {},
  on: LocalSpotifyServer = server,
): SpotifySettings {
  return {
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    refreshToken: undefined,
    apiUrl: on.apiUrl,
    accountsUrl: on.url,
    market: undefined,
    concurrency: 1,
    maxRetries: 3,
    maxRetryAfterSeconds: 120,
    timeoutMs: 5_000,
    fullEntities: false,
    ...overrides,
  };
}

function connect(s: SpotifySettings): SpotifyClient {
  const client = createSpotifyClient(s, { clock, random: () => 1 });
  if (!client) throw new Error('no client: the settings have no credentials');
  return client;
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Polls until `condition` holds (the server and the client run in this process: a few ms each round). */
async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  for (const end = Date.now() + ms; !condition();) {
    if (Date.now() > end) throw new Error(`not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The promise's value, or a rejection when it takes longer than `ms` (a watchdog, not a back-off). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const apiRequests = (on: LocalSpotifyServer = server) => on.requests.filter((r) => r.path.startsWith('/v1/'));
const tokenRequests = (on: LocalSpotifyServer = server) => on.requests.filter((r) => r.path === '/api/token');

describe('Spotify client against the local Spotify-API server', () => {
  it('fetches a track with a client-credentials token: one token request, one API call', async () => {
    const { catalog: spotify } = connect(settings());
    const track = await spotify.getTrack(TRACK_ID);
    expect(track?.id).toBe(TRACK_ID);
    expect(spotify.stats()).toEqual({ apiCalls: 1, retries: 0, tokenRequests: 1 });
    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/api/token', 200],
      ['GET', `/v1/tracks/${TRACK_ID}`, 200],
    ]);
  });

  it('sends every request to SPOTIFY_API_URL and SPOTIFY_ACCOUNTS_URL', async () => {
    const config = loadConfig({
      SPOTIFY_CLIENT_ID: DEMO_CLIENT_ID,
      SPOTIFY_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      SPOTIFY_API_URL: server.apiUrl,
      SPOTIFY_ACCOUNTS_URL: server.url,
    });
    const { catalog: spotify } = connect(config.spotify);
    const artistId = demoId('artist', 5);
    await spotify.getTrack(TRACK_ID);
    await spotify.getArtist(artistId);
    expect(server.requests.map((r) => r.path)).toEqual([
      '/api/token',
      `/v1/tracks/${TRACK_ID}`,
      `/v1/artists/${artistId}`,
    ]);
  });

  it('returns undefined for a track Spotify does not have (404)', async () => {
    const { catalog: spotify } = connect(settings());
    await expect(spotify.getTrack(UNKNOWN_ID)).resolves.toBeUndefined();
    expect(apiRequests().map((r) => r.status)).toEqual([404]);
  });

  it('reports a malformed id as the 400 Spotify sends, not as a missing track', async () => {
    const { catalog: spotify } = connect(settings());
    const error = await caught(spotify.getTrack('not-an-id'));
    expect(error).toBeInstanceOf(SpotifyApiError);
    expect((error as SpotifyApiError).status).toBe(400);
    expect(error.message).toMatch(/Invalid base62 id/);
  });

  describe('rate limits and quota', () => {
    it('retries a 429 after the Retry-After seconds and succeeds', async () => {
      server.inject({ path: TRACK_PATH, status: 429, retryAfter: 7 });
      const { catalog: spotify } = connect(settings());
      expect((await spotify.getTrack(TRACK_ID))?.id).toBe(TRACK_ID);
      expect(sleeps).toEqual([7000]);
      expect(spotify.stats()).toEqual({ apiCalls: 2, retries: 1, tokenRequests: 1 });
      expect(apiRequests().map((r) => r.status)).toEqual([429, 200]);
    });

    it('stops at once on 429 QUOTA_EXCEEDED with a SpotifyQuotaError, without retrying', async () => {
      server.quotaExceeded();
      const { catalog: spotify } = connect(settings());
      const error = await caught(spotify.getTrack(TRACK_ID));
      expect(error).toBeInstanceOf(SpotifyQuotaError);
      expect(error.message).toMatch(/QUOTA_EXCEEDED/);
      expect((error as SpotifyQuotaError).hint).toMatch(/run again later/i);
      expect(sleeps).toEqual([]);
      expect(spotify.stats()).toMatchObject({ apiCalls: 1, retries: 0 });
      expect(apiRequests()).toHaveLength(1);
    });

    it('stops without sleeping when Retry-After is longer than maxRetryAfterSeconds', async () => {
      server.inject({ path: TRACK_PATH, status: 429, retryAfter: 3600 });
      const { catalog: spotify } = connect(settings({ maxRetryAfterSeconds: 120 }));
      const error = await caught(spotify.getTrack(TRACK_ID));
      expect(error).toBeInstanceOf(SpotifyQuotaError);
      expect(error.message).toMatch(/3600 s/);
      expect((error as SpotifyQuotaError).hint).toMatch(/SPOTIFY_MAX_RETRY_AFTER_SECONDS/);
      expect(sleeps).toEqual([]);
      expect(apiRequests()).toHaveLength(1);
    });
  });

  describe('server errors, network errors and timeouts', () => {
    it('retries 500 then 502 with a growing back-off and succeeds', async () => {
      server.inject({ path: TRACK_PATH, status: 500 });
      server.inject({ path: TRACK_PATH, status: 502 });
      const { catalog: spotify } = connect(settings());
      expect((await spotify.getTrack(TRACK_ID))?.id).toBe(TRACK_ID);
      expect(sleeps).toEqual([500, 1000]); // full jitter with random() = 1: the cap, doubling
      expect(apiRequests().map((r) => r.status)).toEqual([500, 502, 200]);
      expect(spotify.stats()).toEqual({ apiCalls: 3, retries: 2, tokenRequests: 1 });
    });

    it('gives up on a persistent 500 after maxRetries with a SpotifyApiError', async () => {
      server.inject({ path: TRACK_PATH, status: 500, times: Infinity });
      const { catalog: spotify } = connect(settings({ maxRetries: 3 }));
      const error = await caught(spotify.getTrack(TRACK_ID));
      expect(error).toBeInstanceOf(SpotifyApiError);
      expect((error as SpotifyApiError).status).toBe(500);
      expect(apiRequests()).toHaveLength(4); // maxRetries + 1
      expect(sleeps).toEqual([500, 1000, 2000]);
    });

    it('retries a dropped connection (network error) and succeeds', async () => {
      server.inject({ path: TRACK_PATH, dropConnection: true });
      const { catalog: spotify } = connect(settings());
      expect((await spotify.getTrack(TRACK_ID))?.id).toBe(TRACK_ID);
      expect(sleeps).toEqual([500]);
      expect(apiRequests().map((r) => r.status)).toEqual([0, 200]);
    });

    it('retries an answer slower than timeoutMs and succeeds when the next one is quick', async () => {
      server.inject({ path: TRACK_PATH, delayMs: 1000 });
      const { catalog: spotify } = connect(settings({ timeoutMs: 200 }));
      expect((await spotify.getTrack(TRACK_ID))?.id).toBe(TRACK_ID);
      expect(sleeps).toEqual([500]);
      expect(apiRequests()).toHaveLength(2);
    });

    it('fails clearly when every answer is slower than timeoutMs', async () => {
      server.inject({ path: TRACK_PATH, delayMs: 1000, times: Infinity });
      const { catalog: spotify } = connect(settings({ timeoutMs: 200, maxRetries: 1 }));
      const error = await caught(spotify.getTrack(TRACK_ID));
      expect(error).toBeInstanceOf(SpotifyApiError);
      expect(error.message).toMatch(/no answer within 200 ms, after 2 attempts/);
      expect((error as SpotifyApiError).hint).toMatch(/SPOTIFY_TIMEOUT_MS/);
      expect(apiRequests()).toHaveLength(2);
    });
  });

  describe('a failed call stops the calls beside it (issue #9)', () => {
    const others = Array.from({ length: 100 }, (_, k) => k).filter(
      (k) => k !== trackIndex && !demo.isRemoved(k),
    );
    const SLOW_ID = demoId('track', others[0] ?? 1);
    const RETRIED_ID = demoId('track', others[1] ?? 2);

    it.each([
      ['a back-off after a 503', { status: 503 }, 500],
      ['the Retry-After wait of a 429', { status: 429, retryAfter: 7 }, 7000],
    ])(
      'aborts a request in flight and %s when one lookup fails, sends nothing more, then starts afresh',
      async (_, fault, wait) => {
        server.inject({ path: new RegExp(`^/v1/tracks/${SLOW_ID}`), delayMs: 60_000 });
        server.inject({ path: new RegExp(`^/v1/tracks/${RETRIED_ID}`), ...fault, times: Infinity });
        const waits: number[] = [];
        // A wait on this clock ends only when the abort ends it: no real time passes in the test.
        const stalled: Clock = {
          now: () => clock.now(),
          sleep: (ms) => {
            waits.push(ms);
            return new Promise(() => {});
          },
        };
        const client = createSpotifyClient(settings({ concurrency: 3, timeoutMs: 30_000 }), {
          clock: stalled,
          random: () => 1,
        });
        const spotify = client!.catalog;
        const slow = caught(spotify.getTrack(SLOW_ID));
        const retried = caught(spotify.getTrack(RETRIED_ID));
        await until(() => waits.length === 1 && server.requests.some((r) => r.path.includes(SLOW_ID)));

        const failure = await caught(spotify.getTrack('not-an-id'));
        expect((failure as SpotifyApiError).status).toBe(400);
        const sent = server.requests.length;
        // Before the fix the slow request sat out its 30 s timeout and the other one waited for ever.
        await expect(within(2_000, slow)).resolves.toBe(failure);
        await expect(within(2_000, retried)).resolves.toBe(failure);
        expect(waits).toEqual([wait]);
        expect(server.requests).toHaveLength(sent);

        // Once the failed calls have settled the client is not poisoned (a warm Lambda container keeps it).
        await expect(spotify.getTrack(TRACK_ID)).resolves.toMatchObject({ id: TRACK_ID });
      },
    );
  });

  describe('tokens', () => {
    it('refreshes an expired access token once and succeeds', async () => {
      const { catalog: spotify } = connect(settings());
      await spotify.getTrack(TRACK_ID);
      server.expireTokens();
      expect((await spotify.getTrack(TRACK_ID))?.id).toBe(TRACK_ID);
      expect(server.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
        '/api/token 200',
        `/v1/tracks/${TRACK_ID} 200`,
        `/v1/tracks/${TRACK_ID} 401`,
        '/api/token 200',
        `/v1/tracks/${TRACK_ID} 200`,
      ]);
      expect(spotify.stats()).toEqual({ apiCalls: 3, retries: 0, tokenRequests: 2 });
    });

    it('gives a SpotifyAccessError when the 401 persists after the refresh', async () => {
      server.inject({ path: TRACK_PATH, status: 401, times: Infinity });
      const { catalog: spotify } = connect(settings());
      const error = await caught(spotify.getTrack(TRACK_ID));
      expect(error).toBeInstanceOf(SpotifyAccessError);
      expect(error.message).toMatch(/even after a refresh/);
      expect(tokenRequests()).toHaveLength(2);
      expect(apiRequests()).toHaveLength(2);
    });

    it('explains a wrong client secret with a hint naming SPOTIFY_CLIENT_SECRET', async () => {
      const { catalog: spotify } = connect(settings({ clientSecret: 'not-the-secret' }));
      const error = await caught(spotify.getTrack(TRACK_ID));
      expect(error).toBeInstanceOf(SpotifyAccessError);
      expect(error.message).toMatch(/invalid_client: Invalid client secret/);
      expect((error as SpotifyAccessError).hint).toMatch(/SPOTIFY_CLIENT_SECRET/);
      expect(apiRequests()).toHaveLength(0);
    });
  });

  describe('playlists (2026 rules)', () => {
    const recordedPage1 = JSON.parse(
      readFileSync(join(RECORDED, 'playlist-4dn0iEoAxn69ea0Tyov8V5-full-object-page1.json'), 'utf8'),
    ) as { tracks: { items: PlaylistItem[] } };
    const recordedPage2 = JSON.parse(
      readFileSync(join(RECORDED, 'playlist-4dn0iEoAxn69ea0Tyov8V5-tracks-offset-100.json'), 'utf8'),
    ) as { items: PlaylistItem[] };

    it('follows `next` through pages of 50 with a user token and yields every served item', async () => {
      const { catalog: spotify } = connect(
        settings({ clientSecret: undefined, refreshToken: REFRESH_TOKEN }),
      );
      const items = await collect(spotify.playlistItems(FixtureCatalog.RECORDED_PLAYLIST));
      // The recording holds 200 of the playlist's 244 items; the fixture serves those 200.
      expect(items).toHaveLength(200);
      expect(items.filter((i) => i.is_local)).toHaveLength(8);
      const names = items.map((i) => i.item?.name);
      const recorded = [...recordedPage1.tracks.items, ...recordedPage2.items].map((i) => i.track?.name);
      expect(names).toEqual(recorded);
      expect(items.every((i) => i.item === null || i.item?.name === i.track?.name)).toBe(true);
      expect(apiRequests().map((r) => new URL(r.path, server.url).searchParams.get('offset'))).toEqual([
        null,
        '50',
        '100',
        '150',
      ]);
      expect(tokenRequests()).toHaveLength(1);
    });

    it('reads a 40-entry chart playlist in one page', async () => {
      const { catalog: spotify } = connect(
        settings({ clientSecret: undefined, refreshToken: REFRESH_TOKEN }),
      );
      const items = await collect(spotify.playlistItems(FixtureCatalog.NL_TOP_40));
      expect(items).toHaveLength(40);
      expect(items[0]?.item?.artists?.[0]?.name).toBe('Rema');
      expect(apiRequests()).toHaveLength(1);
    });

    it('explains the 404 of a Spotify-owned playlist and points to charts-csv', async () => {
      const { catalog: spotify } = connect(settings());
      const error = await caught(collect(spotify.playlistItems(FixtureCatalog.TOP_50_GLOBAL)));
      expect(error).toBeInstanceOf(SpotifyAccessError);
      expect(error.message).toMatch(/Spotify-owned playlists/);
      expect((error as SpotifyAccessError).hint).toMatch(/charts-csv/);
      expect(apiRequests().map((r) => r.status)).toEqual([404]);
    });

    it('explains the 403 a client-credentials token gets on playlist contents (February 2026)', async () => {
      const { catalog: spotify } = connect(settings());
      const error = await caught(collect(spotify.playlistItems(FixtureCatalog.RECORDED_PLAYLIST)));
      expect(error).toBeInstanceOf(SpotifyAccessError);
      expect(error.message).toMatch(/February 2026/);
      expect(apiRequests().map((r) => r.status)).toEqual([403]);
    });
  });

  describe('development mode and extended quota', () => {
    const artistIndex = 3; // a popular demo artist: followers, genres and popularity in the full object

    it('strips popularity, genres, followers, label and markets for a development-mode app', async () => {
      const { catalog: spotify } = connect(settings());
      const artist = await spotify.getArtist(demoId('artist', artistIndex));
      expect(artist?.images?.length).toBeGreaterThan(0);
      expect(artist).not.toHaveProperty('popularity');
      expect(artist).not.toHaveProperty('genres');
      expect(artist).not.toHaveProperty('followers');
      expect(await spotify.getTrack(TRACK_ID)).not.toHaveProperty('popularity');
      const am = await spotify.getAlbum('5bU1XKYxHhEwukllT20xtk');
      expect(am?.name).toBe('AM');
      for (const field of ['label', 'popularity', 'genres', 'available_markets', 'external_ids']) {
        expect(am).not.toHaveProperty(field);
      }
      const recordedTrack = (await spotify.getTrack(fixture.trackIds()[0] as string)) as SpotifyTrack;
      expect(recordedTrack.album).not.toHaveProperty('available_markets');
      expect(recordedTrack).not.toHaveProperty('external_ids');
    });

    it('keeps them for an extended-quota app', async () => {
      const extended = await LocalSpotifyServer.start({ catalog, extendedQuota: true });
      try {
        const { catalog: spotify } = connect(settings({}, extended));
        const artist = await spotify.getArtist(demoId('artist', artistIndex));
        expect(artist).toHaveProperty('popularity');
        expect(artist).toHaveProperty('genres');
        expect(artist).toHaveProperty('followers');
        expect(await spotify.getTrack(TRACK_ID)).toHaveProperty('popularity');
        const am = await spotify.getAlbum('5bU1XKYxHhEwukllT20xtk');
        expect(am?.label).toBe('Domino Recording Co');
        expect(am).toHaveProperty('external_ids');
      } finally {
        await extended.close();
      }
    });
  });
});

describe('LocalSpotifyServer', () => {
  const form = (fields: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

  it('exchanges an authorization code only with the PKCE verifier that matches its S256 challenge', async () => {
    const verifier = 'a-verifier-that-is-long-enough-for-pkce-0123456789';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    server.issueAuthorizationCode('code-1', challenge);
    const fields = {
      grant_type: 'authorization_code',
      code: 'code-1',
      redirect_uri: 'http://127.0.0.1:8888/callback',
    };
    const wrong = await fetch(
      `${server.url}/api/token`,
      form({ ...fields, client_id: DEMO_CLIENT_ID, code_verifier: 'wrong' }),
    );
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'code_verifier was incorrect',
    });
    const right = await fetch(
      `${server.url}/api/token`,
      form({ ...fields, client_id: DEMO_CLIENT_ID, code_verifier: verifier }),
    );
    const answer = (await right.json()) as { token_type: string; refresh_token?: string };
    expect(right.status).toBe(200);
    expect(answer.token_type).toBe('Bearer');
    // The refresh token it hands out works with the client.
    const { catalog: spotify } = connect(
      settings({ clientSecret: undefined, refreshToken: answer.refresh_token }),
    );
    expect(await collect(spotify.playlistItems(FixtureCatalog.NL_TOP_40))).toHaveLength(40);
  });

  it('refuses an unknown refresh token with invalid_grant', async () => {
    const response = await fetch(
      `${server.url}/api/token`,
      form({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: DEMO_CLIENT_ID }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid refresh token',
    });
  });

  it('answers 401 without a token, 403 on the removed batch endpoints and 400 for a limit above 50', async () => {
    expect((await fetch(`${server.apiUrl}/tracks/${TRACK_ID}`)).status).toBe(401);
    const { auth } = connect(settings({ clientSecret: undefined, refreshToken: REFRESH_TOKEN }));
    const headers = { Authorization: `Bearer ${(await auth.refresh()).access_token}` };
    const batch = await fetch(`${server.apiUrl}/tracks?ids=${TRACK_ID}`, { headers });
    expect(batch.status).toBe(403);
    expect(await batch.json()).toEqual({ error: { status: 403, message: 'Forbidden' } });
    const tooMany = await fetch(
      `${server.apiUrl}/playlists/${FixtureCatalog.RECORDED_PLAYLIST}/items?limit=51`,
      { headers },
    );
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({ error: { status: 400, message: 'Invalid limit' } });
  });
});
