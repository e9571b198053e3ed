// A local HTTP server that speaks the Spotify Web API and Accounts service with the 2026 rules, for the offline
// demo and the tests: it routes each request to the Accounts service (spotify-accounts.ts), the /v1 endpoints
// (spotify-endpoints.ts) or an injected fault (spotify-faults.ts), and logs it.
// It serves any ServerCatalog: the demo's (demo-catalog.ts) or the tests' recorded one (test/helpers/).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalAccounts, type AccountsOptions } from './spotify-accounts.js';
import { apiError, LocalWebApi, QUOTA_EXCEEDED_BODY, type ServerCatalog } from './spotify-endpoints.js';
import { FaultQueue, faultAnswer, type Fault } from './spotify-faults.js';

// What the server's users need, from one import.
export { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from './spotify-accounts.js';
export {
  QUOTA_EXCEEDED_BODY,
  stripExtendedFields,
  type ServerCatalog,
  type ServerPlaylist,
} from './spotify-endpoints.js';
export type { Fault } from './spotify-faults.js';

export interface ServerOptions extends AccountsOptions {
  readonly catalog: ServerCatalog;
  /** Extended-quota apps keep popularity, followers, genres… and may read Spotify-owned playlists. */
  readonly extendedQuota?: boolean;
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

export class LocalSpotifyServer {
  readonly url: string;
  readonly apiUrl: string;
  private readonly log: { method: string; path: string; status: number }[] = [];
  private readonly faults = new FaultQueue();
  private readonly accounts: LocalAccounts;
  private readonly webApi: LocalWebApi;
  private quotaUsedUp = false;

  private constructor(
    private readonly server: Server,
    options: ServerOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.url}/v1`;
    this.accounts = new LocalAccounts(options);
    this.webApi = new LocalWebApi(options.catalog, this.url, options.extendedQuota ?? false);
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
    const instance = new LocalSpotifyServer(server, options);
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
    this.faults.inject(fault);
  }

  /** Every access token issued so far answers 401 "The access token expired"; new tokens work. */
  expireTokens(): void {
    this.accounts.expireTokens();
  }

  /** Every /v1 request from now on answers 429 QUOTA_EXCEEDED. */
  quotaExceeded(): void {
    this.quotaUsedUp = true;
  }

  /** Registers a code as if the user had approved the app; the token request must prove the PKCE verifier. */
  issueAuthorizationCode(code: string, codeChallenge: string, redirectUri?: string): void {
    this.accounts.issueAuthorizationCode(code, codeChallenge, redirectUri);
  }

  async close(): Promise<void> {
    this.faults.cancelWaits();
    const closed = new Promise<void>((ok) => this.server.close(() => ok()));
    this.server.closeAllConnections();
    await closed;
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

    const fault = this.faults.take(entry.path);
    if (fault) {
      if (fault.delayMs) await this.faults.wait(fault.delayMs);
      if (fault.dropConnection) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) return send(...faultAnswer({ ...fault, status: fault.status }));
    }

    const url = new URL(entry.path, this.url);
    if (url.pathname === '/api/token') {
      if (entry.method !== 'POST') return send(405, apiError(405, 'Method not allowed'));
      return send(...this.accounts.token(req.headers.authorization, new URLSearchParams(body)));
    }
    if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
      if (this.quotaUsedUp) return send(429, QUOTA_EXCEEDED_BODY);
      const auth = this.accounts.authenticate(req.headers.authorization);
      if (typeof auth === 'string') {
        return send(401, apiError(401, auth), { 'WWW-Authenticate': 'Bearer realm="spotify"' });
      }
      if (entry.method !== 'GET') return send(405, apiError(405, 'Method not allowed'));
      return send(...this.webApi.answer(url, auth));
    }
    send(404, apiError(404, 'Service not found'));
  }
}
