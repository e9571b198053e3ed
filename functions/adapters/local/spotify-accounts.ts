// The local Accounts service: POST /api/token (client credentials, refresh token, PKCE code exchange) and the
// access tokens it has issued, which the /v1 endpoints check.
import { createHash, randomBytes } from 'node:crypto';

export const DEMO_CLIENT_ID = 'demo-client-id';
export const DEMO_CLIENT_SECRET = 'demo-client-secret';
const USER_SCOPE = 'playlist-read-private playlist-read-collaborative';

export interface TokenInfo {
  readonly kind: 'user' | 'client';
  readonly expiresAt: number;
  expired: boolean;
}

export interface AccountsOptions {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly tokenTtlSeconds?: number;
  /** User refresh tokens the service accepts (as if issued by an earlier login). */
  readonly refreshTokens?: readonly string[];
}

type Json = Record<string, unknown>;
type TokenAnswer = [number, Json];

const newToken = (prefix: string): string => prefix + randomBytes(24).toString('base64url');
const invalidClient = (description: string): TokenAnswer => [
  400,
  { error: 'invalid_client', error_description: description },
];
const invalidGrant = (description: string): TokenAnswer => [
  400,
  { error: 'invalid_grant', error_description: description },
];

/** The client id and secret of a token request: from the Basic header if sent, else from the form. */
function clientOf(
  authorization: string | undefined,
  form: URLSearchParams,
): { id: string | undefined; secret: string | undefined } {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!basic)
    return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return {
    id: colon < 0 ? decoded : decoded.slice(0, colon),
    secret: colon < 0 ? '' : decoded.slice(colon + 1),
  };
}

export class LocalAccounts {
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly refreshTokens: Set<string>;
  private readonly codes = new Map<string, { challenge: string; redirectUri: string | undefined }>();
  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly tokenTtlSeconds: number;

  constructor(options: AccountsOptions) {
    this.clientId = options.clientId ?? DEMO_CLIENT_ID;
    this.clientSecret = options.clientSecret ?? DEMO_CLIENT_SECRET;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.refreshTokens = new Set(options.refreshTokens ?? []);
  }

  /** Every access token issued so far answers 401 "The access token expired"; new tokens work. */
  expireTokens(): void {
    for (const info of this.tokens.values()) info.expired = true;
  }

  /** Registers a code as if the user had approved the app; the token request must prove the PKCE verifier. */
  issueAuthorizationCode(code: string, codeChallenge: string, redirectUri?: string): void {
    this.codes.set(code, { challenge: codeChallenge, redirectUri });
  }

  /** The token info, or the 401 message. */
  authenticate(header: string | undefined): TokenInfo | string {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match) return 'No token provided';
    const info = this.tokens.get(match[1] as string);
    if (!info) return 'Invalid access token';
    if (info.expired || info.expiresAt <= Date.now()) return 'The access token expired';
    return info;
  }

  /** POST /api/token: the three grants the project uses, with the Accounts service's error bodies. */
  token(authorization: string | undefined, form: URLSearchParams): TokenAnswer {
    const client = clientOf(authorization, form);
    if (client.id !== undefined && client.id !== this.clientId) return invalidClient('Invalid client');
    if (client.secret !== undefined && client.secret !== this.clientSecret)
      return invalidClient('Invalid client secret');

    const grant = form.get('grant_type');
    switch (grant) {
      case 'client_credentials':
        if (client.id === undefined || client.secret === undefined) return invalidClient('Invalid client');
        return [200, this.issue('client')];
      case 'refresh_token': {
        if (client.id === undefined) return invalidClient('Invalid client');
        const refreshToken = form.get('refresh_token') ?? '';
        if (!this.refreshTokens.has(refreshToken)) return invalidGrant('Invalid refresh token');
        return [200, this.issue('user', refreshToken)];
      }
      case 'authorization_code':
        if (client.id === undefined) return invalidClient('Invalid client');
        return this.exchangeCode(form);
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

  /** The authorization_code grant: the code must be known, the redirect URI the same, the PKCE verifier right. */
  private exchangeCode(form: URLSearchParams): TokenAnswer {
    const code = this.codes.get(form.get('code') ?? '');
    if (!code) return invalidGrant('Invalid authorization code');
    const redirectUri = form.get('redirect_uri');
    if (redirectUri === null || (code.redirectUri !== undefined && redirectUri !== code.redirectUri)) {
      return invalidGrant('Invalid redirect URI');
    }
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
      return invalidGrant('code_verifier was incorrect');
    }
    this.codes.delete(form.get('code') ?? ''); // a code is good for one exchange
    const refreshToken = newToken('AQ');
    this.refreshTokens.add(refreshToken);
    return [200, this.issue('user', refreshToken)];
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
}
