// Spotify credentials from Secrets Manager: the secret `spotify-etl/spotify` holds a JSON object
// {"client_id": "…", "client_secret": "…", "refresh_token": "…"} (refresh_token optional).
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '#functions/config.js';
import { ConfigError, EtlError } from '#functions/errors.js';
import { systemClock, type Clock } from '#functions/ports.js';

export interface SpotifySecret {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly refreshToken?: string;
}

const FIELDS = {
  client_id: 'clientId',
  client_secret: 'clientSecret',
  refresh_token: 'refreshToken',
} as const;

const fixHint = (arn: string): string =>
  `Store a JSON object: aws secretsmanager put-secret-value --secret-id ${arn} --secret-string '{"client_id":"…","client_secret":"…"}'`;

/**
 * Reads the secret once (call it at container start). Empty strings count as absent, so the placeholder the stack
 * creates (`{"client_id":"","client_secret":"",…}`) means "no credentials yet"; unknown keys are ignored.
 * Throws an EtlError when the secret cannot be read or is not a JSON object of strings.
 */
export async function readSpotifySecret(client: SecretsManagerClient, arn: string): Promise<SpotifySecret> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (error) {
    throw new EtlError(`Cannot read the Spotify secret ${arn}: ${(error as Error).name}.`, {
      hint: 'Check that SPOTIFY_SECRET_ARN names the stack’s secret and that the function may read it.',
      cause: error,
    });
  }
  if (text === undefined) {
    throw new EtlError(`The Spotify secret ${arn} has no string value (a binary secret?).`, {
      hint: fixHint(arn),
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The message never echoes the text: it holds credentials.
    throw new EtlError(`The Spotify secret ${arn} is not valid JSON.`, { hint: fixHint(arn) });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new EtlError(`The Spotify secret ${arn} is not a JSON object.`, { hint: fixHint(arn) });
  }
  const result: { -readonly [K in keyof SpotifySecret]: SpotifySecret[K] } = {};
  for (const [key, field] of Object.entries(FIELDS)) {
    const value = (parsed as Record<string, unknown>)[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      throw new EtlError(`The Spotify secret ${arn} has a ${typeof value} in "${key}": expected a string.`, {
        hint: fixHint(arn),
      });
    }
    const trimmed = value.trim();
    if (trimmed !== '') result[field] = trimmed;
  }
  return result;
}

/**
 * The configuration with the credentials of the secret named by SPOTIFY_SECRET_ARN (no ARN: unchanged); values in
 * the secret win over the environment, and loadConfig's pairing rule still holds. Call once, at container start:
 * `const config = await withSpotifySecret(loadConfig(), new SecretsManagerClient({}))`.
 */
export async function withSpotifySecret(config: Config, client: SecretsManagerClient): Promise<Config> {
  const arn = config.aws.spotifySecretArn;
  if (arn === undefined) return config;
  const secret = await readSpotifySecret(client, arn);
  const spotify = {
    ...config.spotify,
    ...(secret.clientId ? { clientId: secret.clientId } : {}),
    ...(secret.clientSecret ? { clientSecret: secret.clientSecret } : {}),
    ...(secret.refreshToken ? { refreshToken: secret.refreshToken } : {}),
  };
  if ((spotify.clientId === undefined) !== (spotify.clientSecret === undefined) && !spotify.refreshToken) {
    throw new ConfigError(`The Spotify secret ${arn} must hold client_id and client_secret together.`, {
      hint: fixHint(arn),
    });
  }
  return Object.freeze({ ...config, spotify: Object.freeze(spotify) });
}

/** How long a warm container trusts the secret it read: a value put after a deploy is used within this time. */
export const SECRET_MAX_AGE_MS = 5 * 60_000;

/**
 * withSpotifySecret, read again when the last read is older than `maxAgeMs`: a warm container picks up changed
 * credentials within minutes instead of keeping the ones it started with. A failed read is not kept, so the next
 * call tries again. (Powertools Parameters would cache the same way, but it would remove only the GetSecretValue
 * call, and its JSON transform would put JSON.parse's message, which quotes the text, into the error.)
 */
export function refreshingSpotifySecret(
  base: Config,
  client: SecretsManagerClient,
  { maxAgeMs = SECRET_MAX_AGE_MS, clock = systemClock }: { maxAgeMs?: number; clock?: Clock } = {},
): () => Promise<Config> {
  let last: { readonly at: number; readonly config: Promise<Config> } | undefined;
  return () => {
    const now = clock.now().getTime();
    if (last === undefined || now - last.at >= maxAgeMs) {
      const read = withSpotifySecret(base, client);
      const entry = { at: now, config: read };
      last = entry;
      read.catch(() => {
        if (last === entry) last = undefined;
      });
    }
    return last.config;
  };
}
