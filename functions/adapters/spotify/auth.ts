// Getting Spotify tokens: client credentials or a refresh token for the client, and the PKCE code exchange of login.
import type { AccessToken, IAuthStrategy } from '@spotify/web-api-ts-sdk';
import type { SpotifySettings } from '#functions/config.js';
import { EtlError, SpotifyAccessError } from '#functions/errors.js';
import type { Clock } from '#functions/ports.js';
import type { ResilientHttp } from './http.js';
import { codeRefused, tokenRefused } from './errors.js';
import {
  parseTokenAnswer,
  tokenErrorReason,
  tokenRequest,
  tokenUrl,
  type TokenAnswer,
  type TokenGrant,
} from './token-endpoint.js';

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

  private tokenGrant(): TokenGrant {
    const { clientId, clientSecret, refreshToken } = this.settings;
    return refreshToken
      ? { grant: 'refresh_token', refreshToken, clientId, clientSecret }
      : { grant: 'client_credentials', clientId, clientSecret };
  }

  private async requestToken(): Promise<AccessToken> {
    const url = tokenUrl(this.settings.accountsUrl);
    const response = await this.http.send(url, tokenRequest(this.tokenGrant()), 'token');
    const text = await response.text();
    if (!response.ok) throw tokenRefused(this.grant, response.status, tokenErrorReason(text));
    const answer = JSON.parse(text) as TokenAnswer;
    const expiresAt = this.clock.now().getTime() + answer.expires_in * 1000;
    this.token = {
      access_token: answer.access_token,
      token_type: answer.token_type,
      expires_in: answer.expires_in,
      refresh_token: answer.refresh_token ?? this.settings.refreshToken ?? '',
      expires: expiresAt,
      expiresAt,
    };
    return this.token;
  }
}

/** What `spotify-etl login` sends to redeem the authorization code. */
export interface CodeGrant {
  readonly code: string;
  readonly redirectUri: string;
  readonly clientId: string;
  readonly verifier: string;
}

/**
 * Redeems the authorization code of a PKCE login for a refresh token. One attempt with a 30 s deadline: a person
 * is waiting, and a code is single-use, so a retry could only fail. Rejects with an EtlError when the endpoint
 * cannot be reached and a SpotifyAccessError when it refuses the code.
 */
export async function exchangeAuthorizationCode(
  doFetch: typeof fetch,
  accountsUrl: string,
  grant: CodeGrant,
): Promise<{ refreshToken: string; scope: string }> {
  const url = tokenUrl(accountsUrl);
  let response: Response;
  try {
    response = await doFetch(url, {
      ...tokenRequest({ grant: 'authorization_code', ...grant }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new EtlError(`Could not reach ${url} to exchange the authorization code.`, {
      hint: 'Check the network (or SPOTIFY_ACCOUNTS_URL) and run `spotify-etl login` again.',
      cause: error,
    });
  }
  const text = await response.text();
  if (!response.ok) throw codeRefused(response.status, tokenErrorReason(text));
  const parsed = parseTokenAnswer(text);
  if (!parsed.refresh_token) {
    throw new SpotifyAccessError('Spotify answered the code exchange without a refresh token.', {
      hint: 'Run `spotify-etl login` again.',
    });
  }
  return { refreshToken: parsed.refresh_token, scope: parsed.scope ?? '' };
}
