// `spotify-etl login` (authorization code + PKCE) against the local Spotify-API server; the test plays the browser
// that follows the authorize URL and Spotify's redirect to the loopback callback.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { EtlError, SpotifyAccessError } from '#functions/errors.js';
import {
  codeChallengeOf,
  defaultTokenFile,
  login,
  newCodeVerifier,
  readStoredRefreshToken,
  type LoginResult,
} from '#functions/cli/login.js';
import { createSpotifyClient } from '#functions/adapters/spotify/web-api.js';
import { DemoCatalog, demoId } from '#functions/adapters/local/demo-catalog.js';
import { DEMO_CLIENT_ID, LocalSpotifyServer } from '#functions/adapters/local/spotify-server.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

const demo = new DemoCatalog();
const trackIndex = Array.from({ length: 100 }, (_, k) => k).find((k) => !demo.isRemoved(k)) ?? 0;
const TRACK_ID = demoId('track', trackIndex);

let server: LocalSpotifyServer;
let dir: string;

beforeEach(async () => {
  server = await LocalSpotifyServer.start({ catalog: demo });
  dir = await tempDir('spotify-etl-login-');
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Visit {
  readonly authorize: URL;
  readonly status: number;
  readonly page: string;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/**
 * Runs login with a browser that, on the authorize URL, lets `approve` play Spotify (issue a code, or not) and
 * then follows the redirect it returns. Both outcomes come back settled, so a failed check never hides behind a
 * login timeout.
 */
async function loginWith(
  approve: (authorize: URL) => string,
  overrides: { tokenFile?: string; timeoutMs?: number } = {},
): Promise<{ login: Settled<LoginResult>; browser: Settled<Visit>; output: string[] }> {
  const output: string[] = [];
  let browser: Promise<Visit> = Promise.reject(new Error('the browser was never opened'));
  void browser.catch(() => {});
  const result = await settle(
    login({
      clientId: DEMO_CLIENT_ID,
      accountsUrl: server.url,
      port: 0,
      tokenFile: overrides.tokenFile ?? join(dir, 'config', 'spotify-etl', 'token.json'),
      timeoutMs: overrides.timeoutMs ?? 5_000,
      out: (line) => output.push(line),
      openUrl: (url) => {
        browser = (async () => {
          const authorize = new URL(url);
          const redirect = approve(authorize);
          const response = await fetch(redirect);
          return { authorize, status: response.status, page: await response.text() };
        })();
        void browser.catch(() => {});
      },
    }),
  );
  return { login: result, browser: await settle(browser), output };
}

/** The happy browser: checks the authorize URL, lets the server issue `code-1` for its challenge, redirects. */
function approveWith(
  challengeFor: (authorize: URL) => string = (a) => a.searchParams.get('code_challenge')!,
) {
  return (authorize: URL): string => {
    const redirectUri = authorize.searchParams.get('redirect_uri')!;
    server.issueAuthorizationCode('code-1', challengeFor(authorize), redirectUri);
    const redirect = new URL(redirectUri);
    redirect.searchParams.set('code', 'code-1');
    redirect.searchParams.set('state', authorize.searchParams.get('state')!);
    return redirect.toString();
  };
}

function value<T>(s: Settled<T>): T {
  if (!s.ok) throw s.error;
  return s.value;
}

function error<T>(s: Settled<T>): Error {
  if (s.ok) throw new Error('expected a rejection');
  return s.error as Error;
}

describe('spotify-etl login (authorization code with PKCE)', () => {
  it('sends an S256 PKCE authorize request with a 127.0.0.1 callback and the playlist scopes', async () => {
    const { browser, login: result } = await loginWith(approveWith());
    value(result);
    const { authorize } = value(browser);
    expect(authorize.origin + authorize.pathname).toBe(`${server.url}/authorize`);
    const q = authorize.searchParams;
    expect(q.get('client_id')).toBe(DEMO_CLIENT_ID);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('scope')).toBe('playlist-read-private playlist-read-collaborative');
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const redirect = new URL(q.get('redirect_uri')!);
    expect(redirect.protocol).toBe('http:');
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(redirect.pathname).toBe('/callback');
    expect(Number(redirect.port)).toBeGreaterThan(0);
  });

  it('exchanges the code, answers the browser, and stores a refresh token (mode 0600) that Spotify accepts', async () => {
    const tokenFile = join(dir, 'config', 'spotify-etl', 'token.json');
    const { browser, login: result, output } = await loginWith(approveWith(), { tokenFile });
    const done = value(result);
    expect(done.tokenFile).toBe(tokenFile);
    expect(done.refreshToken).toMatch(/^AQ/);
    expect(done.scope).toBe('playlist-read-private playlist-read-collaborative');
    expect(value(browser).status).toBe(200);
    expect(value(browser).page).toContain('You can close this window');
    expect(output.some((line) => line.startsWith(`${server.url}/authorize?`))).toBe(true);

    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, string>;
    expect(stored).toEqual({
      client_id: DEMO_CLIENT_ID,
      refresh_token: done.refreshToken,
      scope: done.scope,
      obtained_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown as string,
    });
    expect(await readStoredRefreshToken(tokenFile)).toBe(done.refreshToken);

    const client = createSpotifyClient({
      clientId: DEMO_CLIENT_ID,
      clientSecret: undefined,
      refreshToken: await readStoredRefreshToken(tokenFile),
      apiUrl: server.apiUrl,
      accountsUrl: server.url,
      market: undefined,
      concurrency: 1,
      maxRetries: 0,
      maxRetryAfterSeconds: 120,
      timeoutMs: 5_000,
      fullEntities: false,
    });
    expect(client?.auth.grant).toBe('refresh_token');
    expect((await client!.catalog.getTrack(TRACK_ID))?.id).toBe(TRACK_ID);
  });

  it('tightens an existing token file to 0600 when it logs in again', async () => {
    const tokenFile = join(dir, 'token.json');
    await writeFile(tokenFile, '{}', { mode: 0o644 });
    value((await loginWith(approveWith(), { tokenFile })).login);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
  });

  it('answers a bare or forged callback 400 without a token request, and still completes the real login', async () => {
    const tokenFile = join(dir, 'token.json');
    const strays: { status: number; page: string; tokenRequests: number; tokenFile: boolean }[] = [];
    let real: Promise<number> = Promise.reject(new Error('the browser was never opened'));
    void real.catch(() => {});
    const result = await settle(
      login({
        clientId: DEMO_CLIENT_ID,
        accountsUrl: server.url,
        port: 0,
        tokenFile,
        timeoutMs: 5_000,
        out: () => {},
        openUrl: (url) => {
          real = (async () => {
            const authorize = new URL(url);
            const callback = authorize.searchParams.get('redirect_uri')!;
            const forged = new URL(callback);
            forged.searchParams.set('code', 'code-forged');
            forged.searchParams.set('state', 'forged-state');
            for (const stray of [callback, forged.toString()]) {
              const response = await fetch(stray);
              strays.push({
                status: response.status,
                page: await response.text(),
                tokenRequests: server.requests.filter((r) => r.path === '/api/token').length,
                tokenFile: await stat(tokenFile).then(
                  () => true,
                  () => false,
                ),
              });
            }
            return (await fetch(approveWith()(authorize))).status;
          })();
          void real.catch(() => {});
        },
      }),
    );
    expect(value(result).refreshToken).toMatch(/^AQ/);
    expect(await real).toBe(200);
    expect(strays.map((s) => [s.status, s.tokenRequests, s.tokenFile])).toEqual([
      [400, 0, false],
      [400, 0, false],
    ]);
    expect(strays[0]!.page).toMatch(/does not belong to the login in progress/);
    expect(strays[0]!.page.length).toBeLessThan(400);
  });

  it('refuses a callback whose state does not match and, with no real one, times out storing nothing', async () => {
    const tokenFile = join(dir, 'token.json');
    const { browser, login: result } = await loginWith(
      (authorize) => {
        const redirect = new URL(approveWith()(authorize));
        redirect.searchParams.set('state', 'forged-state');
        return redirect.toString();
      },
      { tokenFile, timeoutMs: 500 },
    );
    expect(error(result).message).toMatch(/No answer from the browser/);
    expect(value(browser).status).toBe(400);
    await expect(stat(tokenFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(server.requests.some((r) => r.path === '/api/token')).toBe(false);
  });

  it('says the user declined when Spotify redirects with error=access_denied', async () => {
    const { browser, login: result } = await loginWith((authorize) => {
      const redirect = new URL(authorize.searchParams.get('redirect_uri')!);
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set('state', authorize.searchParams.get('state')!);
      return redirect.toString();
    });
    const e = error(result);
    expect(e).toBeInstanceOf(EtlError);
    expect(e.message).toMatch(/^You declined/);
    expect((e as EtlError).hint).toMatch(/spotify-etl login/);
    expect(value(browser).page).toContain('You can close this window');
  });

  it('fails with SpotifyAccessError when the token endpoint rejects the PKCE verifier', async () => {
    const tokenFile = join(dir, 'token.json');
    const otherChallenge = codeChallengeOf(newCodeVerifier());
    const { browser, login: result } = await loginWith(
      approveWith(() => otherChallenge),
      { tokenFile },
    );
    const e = error(result);
    expect(e).toBeInstanceOf(SpotifyAccessError);
    expect(e.message).toContain('invalid_grant');
    expect(e.message).toContain('code_verifier was incorrect');
    expect(value(browser).status).toBe(500);
    await expect(stat(tokenFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives up with a hint when the browser never comes back', async () => {
    const started = Date.now();
    const result = await settle(
      login({
        clientId: DEMO_CLIENT_ID,
        accountsUrl: server.url,
        port: 0,
        tokenFile: join(dir, 'token.json'),
        timeoutMs: 200,
        out: () => {},
        openUrl: () => {},
      }),
    );
    const e = error(result);
    expect(e).toBeInstanceOf(EtlError);
    expect(e.message).toMatch(/No answer from the browser/);
    expect((e as EtlError).hint).toMatch(/127\.0\.0\.1/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('uses a verifier of 43–128 unreserved characters', () => {
    for (let i = 0; i < 20; i++) expect(newCodeVerifier()).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
  });
});

describe('the token file', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultTokenFile({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/spotify-etl/token.json');
    expect(defaultTokenFile({ HOME: '/home/x' })).toBe('/home/x/.config/spotify-etl/token.json');
    expect(defaultTokenFile({ XDG_CONFIG_HOME: '', HOME: '/home/x' })).toBe(
      '/home/x/.config/spotify-etl/token.json',
    );
  });

  it('reads as undefined when absent and fails with a hint when it is not JSON', async () => {
    expect(await readStoredRefreshToken(join(dir, 'missing.json'))).toBeUndefined();
    await mkdir(join(dir, 'bad'), { recursive: true });
    await writeFile(join(dir, 'bad', 'token.json'), 'not json');
    await expect(readStoredRefreshToken(join(dir, 'bad', 'token.json'))).rejects.toMatchObject({
      hint: expect.stringMatching(/spotify-etl login/) as unknown as string,
    });
  });
});

/** The environment of a child CLI: none of the developer's SPOTIFY_* settings, a config home of the test's own. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPOTIFY_')));
  return { ...env, XDG_CONFIG_HOME: join(dir, 'config'), NO_COLOR: '1', ...extra };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('the login command (the real CLI)', () => {
  it('logs in with SPOTIFY_CLIENT_ID alone (PKCE needs no secret), refusing a bare callback on the way', async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/spotify-etl.js'), 'login', '--port', String(await freePort())],
      {
        env: childEnv({ SPOTIFY_CLIENT_ID: DEMO_CLIENT_ID, SPOTIFY_ACCOUNTS_URL: server.url }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const authorizeLine = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const line = stdout.split('\n').find((l) => l.startsWith(`${server.url}/authorize?`));
        if (line) resolve(line);
      });
      void exited.then((code) => reject(new Error(`login exited ${code}: ${stderr}`)));
    });
    const authorize = new URL(authorizeLine);
    const bare = await fetch(authorize.searchParams.get('redirect_uri')!);
    expect(bare.status).toBe(400);
    expect((await fetch(approveWith()(authorize))).status).toBe(200);
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/token stored in .*token\.json/);
    const tokenFile = join(dir, 'config', 'spotify-etl', 'token.json');
    expect(await readStoredRefreshToken(tokenFile)).toMatch(/^AQ/);
  }, 30_000);

  it('tells `run` with a client id but neither a secret nor a stored token to log in or set the secret', async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/spotify-etl.js'), 'run', '--lake', join(dir, 'lake')],
      { env: childEnv({ SPOTIFY_CLIENT_ID: DEMO_CLIENT_ID }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/SPOTIFY_CLIENT_ID is set without SPOTIFY_CLIENT_SECRET/);
    expect(stderr).toMatch(/hint: Run `spotify-etl login` once/);
  }, 30_000);
});
