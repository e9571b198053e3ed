// `spotify-etl run --source playlist:<id>` against the local Spotify-API server serving recorded real playlists.
import { main } from '#functions/cli/main.js';
import { DEMO_CLIENT_ID, LocalSpotifyServer } from '#functions/adapters/local/spotify-server.js';
import { SpotifyAccessError } from '#functions/errors.js';
import { FixtureCatalog } from '../helpers/fixture-catalog.js';
import { tempDir } from '../helpers/paths.js';

let server: LocalSpotifyServer;
const saved = { ...process.env };

beforeAll(async () => {
  server = await LocalSpotifyServer.start({
    catalog: FixtureCatalog.fromRecorded(),
    refreshTokens: ['user-refresh-token'],
  });
  for (const k of Object.keys(process.env))
    if (k.startsWith('SPOTIFY_') || k === 'CHART_SOURCE') delete process.env[k];
  Object.assign(process.env, {
    SPOTIFY_API_URL: server.apiUrl,
    SPOTIFY_ACCOUNTS_URL: server.url,
    SPOTIFY_CLIENT_ID: DEMO_CLIENT_ID,
    SPOTIFY_REFRESH_TOKEN: 'user-refresh-token',
  });
});
afterAll(async () => {
  process.env = saved;
  await server.close();
});

async function cli(args: string[]): Promise<string> {
  const lines: string[] = [];
  await main(args, { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return lines.join('\n');
}

describe('playlist source', () => {
  it('reads a user playlist page by page (50 items) and writes one song row per item, local files included', async () => {
    const lake = await tempDir();
    const out = await cli([
      'run',
      '--lake',
      lake,
      '--source',
      'playlist:4dn0iEoAxn69ea0Tyov8V5',
      '--date',
      '2026-11-25',
    ]);
    expect(out).toMatch(/playlist:4dn0iEoAxn69ea0Tyov8V5 2026-11-25 .*200 entries/);
    expect(server.requests.filter((r) => r.path.includes('/items')).map((r) => r.status)).toEqual([
      200, 200, 200, 200,
    ]);
    expect(server.requests.some((r) => r.path.startsWith('/v1/tracks/'))).toBe(false); // items already carry the tracks
    const json = await cli([
      'query',
      "select count(*) n, count(*) filter (where is_local) locals, count(song_added) added from song_data where snapshot_date = DATE '2026-11-25'",
      '--lake',
      lake,
      '--format',
      'json',
    ]);
    expect(JSON.parse(json)).toEqual([{ n: 200, locals: 8, added: 200 }]);
  });

  it('explains the 404 of a Spotify-owned playlist (Top 50 - Global) and offers the alternatives', async () => {
    const error = await main(
      ['run', '--lake', await tempDir(), '--source', 'playlist:37i9dQZEVXbMDoHDwVN2tF'],
      () => {},
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpotifyAccessError);
    expect((error as SpotifyAccessError).message).toMatch(/Spotify-owned playlists .* answer 404/);
    expect((error as SpotifyAccessError).hint).toMatch(/charts-csv/);
  });
});
