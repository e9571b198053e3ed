// `spotify-etl login`: Spotify's authorization-code flow with PKCE on a loopback callback, storing the refresh token.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { EtlError } from '../errors.js';
import { exchangeAuthorizationCode } from '../adapters/spotify/auth.js';

export const DEFAULT_SCOPES: readonly string[] = ['playlist-read-private', 'playlist-read-collaborative'];
export const DEFAULT_LOGIN_PORT = 8888;

export interface LoginOptions {
  readonly clientId: string;
  /** https://accounts.spotify.com, or the local Spotify-API server in tests. */
  readonly accountsUrl: string;
  readonly scopes?: readonly string[];
  /** The loopback port of the callback (default 8888); 0 picks a free one. */
  readonly port?: number;
  readonly tokenFile: string;
  /** Shows the authorize URL to the user; by default prints it and tries xdg-open / open. */
  readonly openUrl?: (url: string) => Promise<void> | void;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly out?: (line: string) => void;
}

export interface LoginResult {
  readonly refreshToken: string;
  readonly scope: string;
  readonly tokenFile: string;
}

/** What the token file holds (JSON, mode 0600). */
export interface StoredToken {
  readonly client_id: string;
  readonly refresh_token: string;
  readonly scope: string;
  readonly obtained_at: string;
}

/** `$XDG_CONFIG_HOME/spotify-etl/token.json`, or `~/.config/spotify-etl/token.json`. */
export function defaultTokenFile(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const home = env.HOME?.trim() || homedir();
  return join(xdg ? xdg : join(home, '.config'), 'spotify-etl', 'token.json');
}

/** The refresh token stored by an earlier login, or undefined when there is no (readable) token file. */
export async function readStoredRefreshToken(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EtlError(`Cannot read the token file ${file}: ${(error as Error).message}.`, {
      hint: 'Fix its permissions, or run `spotify-etl login` again.',
    });
  }
  try {
    const stored = JSON.parse(text) as Partial<StoredToken>;
    return typeof stored.refresh_token === 'string' && stored.refresh_token !== ''
      ? stored.refresh_token
      : undefined;
  } catch {
    throw new EtlError(`The token file ${file} is not JSON.`, {
      hint: 'Delete it and run `spotify-etl login` again.',
    });
  }
}

/** Compares a received state with ours in constant time; a missing one never matches. */
function sameSecret(received: string | null, expected: string): boolean {
  if (received === null) return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 7636: 43–128 characters of [A-Za-z0-9-._~]; base64url of 64 random bytes gives 86 of them. */
export function newCodeVerifier(): string {
  return randomBytes(64).toString('base64url');
}

export function codeChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * Runs the flow once: opens the authorize page, waits for Spotify to redirect the browser to the loopback callback,
 * exchanges the code (proving the PKCE verifier) and writes the token file. Resolves with the refresh token.
 * A callback whose state does not match (bare, forged, an old link) is answered 400 and the real one still
 * awaited. Rejects with an EtlError when the user declines or nobody answers within the timeout,
 * and with a SpotifyAccessError when the token endpoint refuses the code.
 */
// Long by design: the PKCE flow in the order it happens (verifier, server, consent URL, callback, exchange, store),
// one readable sequence with its cleanup in one finally.
export async function login(options: LoginOptions): Promise<LoginResult> {
  const out = options.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const doFetch = options.fetch ?? fetch;
  const accountsUrl = options.accountsUrl.replace(/\/+$/, '');
  const requestedPort = options.port ?? DEFAULT_LOGIN_PORT;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const verifier = newCodeVerifier();
  const state = randomBytes(16).toString('base64url');

  const server = createServer();
  await listen(server, requestedPort);
  const { port } = server.address() as AddressInfo;
  // Since April 2025 Spotify refuses `localhost` redirect URIs: loopback ones must use the IP literal 127.0.0.1.
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const authorizeUrl =
    `${accountsUrl}/authorize?` +
    new URLSearchParams({
      client_id: options.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      code_challenge_method: 'S256',
      code_challenge: codeChallengeOf(verifier),
      scope: (options.scopes ?? DEFAULT_SCOPES).join(' '),
      state,
    }).toString();

  let timer: NodeJS.Timeout | undefined;
  try {
    let handled = false;
    const handleCallback = async (
      req: IncomingMessage,
      res: ServerResponse,
    ): Promise<LoginResult | undefined> => {
      const url = new URL(req.url ?? '/', redirectUri);
      if (req.method !== 'GET' || url.pathname !== '/callback' || handled) {
        await answer(res, 404, 'Not found', 'This address only takes the Spotify login callback.');
        return undefined;
      }
      const params = url.searchParams;
      if (!sameSecret(params.get('state'), state)) {
        // Not Spotify's redirect for this login (a bare or forged request, an old link): refuse it and keep
        // waiting, so that a stray request cannot end the login the user is completing in the browser.
        await answer(
          res,
          400,
          'Login refused',
          'This callback does not belong to the login in progress (its state does not match).',
        );
        out('A callback whose state does not match this login was refused (400); still waiting.');
        return undefined;
      }
      handled = true;
      const error = params.get('error');
      if (error !== null) {
        await answer(
          res,
          200,
          'Login cancelled',
          'spotify-etl was not given access. You can close this window.',
        );
        if (error === 'access_denied') {
          throw new EtlError('You declined access on the Spotify page; no token was stored.', {
            hint: 'Run `spotify-etl login` again and choose Agree to let spotify-etl read your playlists.',
          });
        }
        throw new EtlError(`Spotify answered the login with error "${error}"; no token was stored.`, {
          hint: 'Check SPOTIFY_CLIENT_ID and that the app lists the redirect URI, then run `spotify-etl login` again.',
        });
      }
      const code = params.get('code');
      if (!code) {
        await answer(res, 400, 'Login failed', 'The callback carried no authorization code.');
        throw new EtlError('The login callback carried no authorization code.', {
          hint: 'Run `spotify-etl login` again.',
        });
      }
      try {
        const token = await exchangeAuthorizationCode(doFetch, accountsUrl, {
          code,
          redirectUri,
          clientId: options.clientId,
          verifier,
        });
        await storeToken(options.tokenFile, {
          client_id: options.clientId,
          refresh_token: token.refreshToken,
          scope: token.scope,
          obtained_at: new Date().toISOString(),
        });
        await answer(res, 200, 'Logged in', 'spotify-etl has its token. You can close this window.');
        return { ...token, tokenFile: options.tokenFile };
      } catch (error) {
        await answer(res, 500, 'Login failed', 'spotify-etl could not finish the login; see the terminal.');
        throw error;
      }
    };

    const outcome = new Promise<LoginResult>((resolve, reject) => {
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        handleCallback(req, res).then(
          (result) => {
            if (result) resolve(result);
          },
          (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
        );
      });
      timer = setTimeout(
        () =>
          reject(
            new EtlError(`No answer from the browser within ${Math.round(timeoutMs / 1000)} s.`, {
              hint: `Open the printed URL in a browser on this machine and allow access; the app's settings at developer.spotify.com/dashboard must list ${redirectUri} as a redirect URI.`,
            }),
          ),
        timeoutMs,
      );
    });
    // The callback may fail while the opener is still running; the rejection is awaited below.
    void outcome.catch(() => {});

    out('Open this URL in a browser to let spotify-etl read your playlists:');
    out(authorizeUrl);
    // A browser that cannot be opened is not fatal: the user can paste the printed URL.
    await Promise.resolve()
      .then(() => (options.openUrl ?? openInBrowser)(authorizeUrl))
      .catch((error: unknown) =>
        out(`Could not open a browser (${error instanceof Error ? error.message : String(error)}).`),
      );
    out(`Waiting for Spotify to redirect to ${redirectUri} …`);
    return await outcome;
  } finally {
    clearTimeout(timer);
    await closeServer(server);
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new EtlError(`Port ${port} on 127.0.0.1 is in use; the login callback cannot listen there.`, {
              hint: 'Stop the program using it, or choose another port (the app must list http://127.0.0.1:<port>/callback, or http://127.0.0.1/callback without a port).',
              cause: error,
            })
          : error,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

/** A small HTML page for the browser; resolves once the answer has been handed to the socket. */
function answer(res: ServerResponse, status: number, title: string, text: string): Promise<void> {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>spotify-etl: ${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
  return new Promise((resolve) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' });
    res.end(page, () => resolve());
  });
}

/** Writes the token readable by the owner only: mode on create, then chmod in case the file already existed. */
async function storeToken(file: string, token: StoredToken): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(token, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
}

/** Best effort: xdg-open / open / the Windows URL handler; a missing opener is ignored (the URL was printed). */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener on this machine: the printed URL is enough.
  }
}
