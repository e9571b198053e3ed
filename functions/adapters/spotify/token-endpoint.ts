// Spotify's token endpoint (POST /api/token): the request for each grant, and how to read its answer and its errors.

/** A token endpoint answer (RFC 6749 §5.1). */
export interface TokenAnswer {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly scope?: string;
}

/** The grants we ask for: an app token, a user token renewed, and the PKCE code exchange of `spotify-etl login`. */
export type TokenGrant =
  | {
      readonly grant: 'client_credentials';
      readonly clientId?: string | undefined;
      readonly clientSecret?: string | undefined;
    }
  | {
      readonly grant: 'refresh_token';
      readonly refreshToken: string;
      readonly clientId?: string | undefined;
      readonly clientSecret?: string | undefined;
    }
  | {
      readonly grant: 'authorization_code';
      readonly code: string;
      readonly redirectUri: string;
      readonly clientId: string;
      /** The PKCE code verifier whose challenge went to /authorize. */
      readonly verifier: string;
    };

/** The token endpoint under an accounts root (https://accounts.spotify.com, or the local server in tests). */
export function tokenUrl(accountsUrl: string): string {
  return `${accountsUrl}/api/token`;
}

/** The POST for one grant: a form body, with HTTP Basic app credentials when the app has a secret. */
export function tokenRequest(grant: TokenGrant): RequestInit {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams();
  body.set('grant_type', grant.grant);
  if (grant.grant === 'authorization_code') {
    // A public client proves the verifier instead of a secret.
    body.set('code', grant.code);
    body.set('redirect_uri', grant.redirectUri);
    body.set('client_id', grant.clientId);
    body.set('code_verifier', grant.verifier);
    return { method: 'POST', headers, body: body.toString() };
  }
  if (grant.grant === 'refresh_token') {
    body.set('refresh_token', grant.refreshToken);
    if (grant.clientId) body.set('client_id', grant.clientId);
  }
  if (grant.clientId && grant.clientSecret) {
    headers.Authorization = `Basic ${Buffer.from(`${grant.clientId}:${grant.clientSecret}`).toString('base64')}`;
  }
  return { method: 'POST', headers, body: body.toString() };
}

/** Why the endpoint refused: its `error: error_description`, or the start of the raw text when that is not JSON. */
export function tokenErrorReason(text: string): string {
  const parsed = parseJsonObject(text) as { error?: unknown; error_description?: unknown };
  return [parsed.error, parsed.error_description].filter(Boolean).join(': ') || text.slice(0, 200);
}

/** The answer's fields, or an empty object when the text is not a JSON object (callers check what they need). */
export function parseTokenAnswer(text: string): Partial<TokenAnswer> {
  return parseJsonObject(text) as Partial<TokenAnswer>;
}

function parseJsonObject(text: string): object {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}
