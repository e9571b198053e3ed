// The one place that reads the environment: validates every setting and returns a frozen, typed object.
import { ConfigError } from './errors.js';

export interface SpotifySettings {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** A user refresh token from `spotify-etl login` (PKCE); needed for playlist contents since 2026. */
  readonly refreshToken: string | undefined;
  readonly apiUrl: string;
  readonly accountsUrl: string;
  readonly market: string | undefined;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Retries per request for 429 (rolling window), 5xx and network errors. */
  readonly maxRetries: number;
  /** Longest Retry-After we accept before stopping the run instead of waiting. */
  readonly maxRetryAfterSeconds: number;
  readonly timeoutMs: number;
  /** Also call /albums/{id} and /artists/{id} (worth it only for extended-quota apps: genres, followers, label). */
  readonly fullEntities: boolean;
}

export interface Config {
  readonly spotify: SpotifySettings;
  /** Local lake root (CLI). */
  readonly lakeRoot: string;
  /** demo | charts-csv[:<file>] | playlist:<id>; charts-csv without a file reads the inbox. */
  readonly chartSource: string | undefined;
  readonly region: string;
  /** Cached Spotify entities older than this are asked for again. */
  readonly cacheTtlDays: number;
  /** The checker on AWS checks this many chart dates, up to the day it runs. */
  readonly checkDays: number;
  /** The Lambda handlers' log level (Powertools Logger). */
  readonly logLevel: LogLevel;
  readonly aws: {
    readonly region: string | undefined;
    readonly dataBucket: string | undefined;
    readonly deliveryStreamName: string | undefined;
    readonly s3Endpoint: string | undefined;
    readonly s3ForcePathStyle: boolean;
    readonly spotifySecretArn: string | undefined;
    /** The Athena workgroup the checker queries in (its settings are enforced: results location, scan cap). */
    readonly athenaWorkGroup: string | undefined;
    /** The Glue database of song_data, album_data and artist_data. */
    readonly glueDatabase: string | undefined;
    /** The Glue Schema Registry `spotify-etl schemas register` writes to (its --registry wins). */
    readonly glueRegistry: string | undefined;
  };
  readonly localDelivery: {
    /** Firehose BufferingHints.SizeInMBs equivalent, in bytes. */
    readonly bufferBytes: number;
    readonly bufferSeconds: number;
    readonly gzip: boolean;
  };
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Env = Readonly<Record<string, string | undefined>>;

/** What Glue accepts as a registry name. */
export const GLUE_REGISTRY_NAME = /^[A-Za-z0-9_$#-]{1,255}$/;

function str(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = str(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}="${v}" is not valid: expected an integer from ${min} to ${max}.`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = str(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name}="${v}" is not valid: expected true or false.`);
}

function name(env: Env, variable: string, pattern: RegExp, expected: string): string | undefined {
  const v = str(env, variable);
  if (v !== undefined && !pattern.test(v)) {
    throw new ConfigError(`${variable}="${v}" is not valid: expected ${expected}.`);
  }
  return v;
}

function logLevel(env: Env): LogLevel {
  const v = str(env, 'LOG_LEVEL')?.toUpperCase() ?? 'INFO';
  if (!(LOG_LEVELS as readonly string[]).includes(v)) {
    throw new ConfigError(`LOG_LEVEL="${v}" is not valid: expected one of ${LOG_LEVELS.join(', ')}.`);
  }
  return v as LogLevel;
}

function url(env: Env, name: string, fallback: string): string {
  const v = str(env, name) ?? fallback;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(`${name}="${v}" is not valid: expected an http(s) URL.`);
  }
  return v.replace(/\/+$/, '');
}

export interface LoadConfigOptions {
  /** The caller authorizes a user with PKCE (`spotify-etl login`): SPOTIFY_CLIENT_ID needs no secret. */
  readonly pkce?: boolean;
}

/** Every setting, its default, and what it means; the README's configuration table mirrors this list. */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const source = str(env, 'CHART_SOURCE');
  if (source !== undefined && !/^(demo|charts-csv(:.+)?|playlist:[0-9A-Za-z]+)$/.test(source)) {
    throw new ConfigError(
      `CHART_SOURCE="${source}" is not valid: expected demo, charts-csv, charts-csv:<file> or playlist:<id>.`,
    );
  }
  const region = str(env, 'CHART_REGION') ?? 'global';
  if (!/^([a-z]{2}|global)$/.test(region)) {
    throw new ConfigError(
      `CHART_REGION="${region}" is not valid: expected global or a two-letter country code.`,
    );
  }
  const market = str(env, 'SPOTIFY_MARKET');
  if (market !== undefined && !/^[A-Z]{2}$/.test(market)) {
    throw new ConfigError(
      `SPOTIFY_MARKET="${market}" is not valid: expected an ISO 3166-1 alpha-2 code such as US.`,
    );
  }
  const clientId = str(env, 'SPOTIFY_CLIENT_ID');
  const clientSecret = str(env, 'SPOTIFY_CLIENT_SECRET');
  const refreshToken = str(env, 'SPOTIFY_REFRESH_TOKEN');
  if (clientSecret !== undefined && clientId === undefined && refreshToken === undefined) {
    throw new ConfigError('SPOTIFY_CLIENT_SECRET is set without SPOTIFY_CLIENT_ID.', {
      hint: "Export the app's SPOTIFY_CLIENT_ID too (developer.spotify.com/dashboard), or unset the secret.",
    });
  }
  // An id alone is what the PKCE login needs; every other use needs the secret or a user's refresh token.
  if (clientId !== undefined && clientSecret === undefined && refreshToken === undefined && !options.pkce) {
    throw new ConfigError(
      'SPOTIFY_CLIENT_ID is set without SPOTIFY_CLIENT_SECRET, and no user token is stored: Spotify cannot be called.',
      {
        hint: 'Run `spotify-etl login` once (PKCE needs the id alone), or export SPOTIFY_CLIENT_SECRET, or SPOTIFY_REFRESH_TOKEN.',
      },
    );
  }
  return Object.freeze({
    spotify: Object.freeze({
      clientId,
      clientSecret,
      refreshToken,
      apiUrl: url(env, 'SPOTIFY_API_URL', 'https://api.spotify.com/v1'),
      accountsUrl: url(env, 'SPOTIFY_ACCOUNTS_URL', 'https://accounts.spotify.com'),
      market,
      concurrency: int(env, 'SPOTIFY_CONCURRENCY', 4, 1, 32),
      maxRetries: int(env, 'SPOTIFY_MAX_RETRIES', 5, 0, 20),
      maxRetryAfterSeconds: int(env, 'SPOTIFY_MAX_RETRY_AFTER_SECONDS', 120, 1, 3600),
      timeoutMs: int(env, 'SPOTIFY_TIMEOUT_MS', 10_000, 100, 120_000),
      fullEntities: bool(env, 'SPOTIFY_FULL_ENTITIES', false),
    }),
    lakeRoot: str(env, 'SPOTIFY_ETL_LAKE') ?? './lake',
    chartSource: source,
    region,
    cacheTtlDays: int(env, 'CACHE_TTL_DAYS', 30, 0, 3650),
    checkDays: int(env, 'CHECK_DAYS', 3, 1, 31),
    logLevel: logLevel(env),
    aws: Object.freeze({
      region: str(env, 'AWS_REGION'),
      dataBucket: str(env, 'DATA_BUCKET'),
      deliveryStreamName: str(env, 'DELIVERY_STREAM_NAME'),
      s3Endpoint: str(env, 'S3_ENDPOINT') === undefined ? undefined : url(env, 'S3_ENDPOINT', ''),
      s3ForcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', str(env, 'S3_ENDPOINT') !== undefined),
      spotifySecretArn: str(env, 'SPOTIFY_SECRET_ARN'),
      athenaWorkGroup: name(
        env,
        'ATHENA_WORKGROUP',
        /^[A-Za-z0-9._-]{1,128}$/,
        'an Athena workgroup name (letters, digits, . _ -)',
      ),
      glueDatabase: name(
        env,
        'GLUE_DATABASE',
        /^[a-z0-9_]{1,255}$/,
        'a Glue database name Athena can use (lower-case letters, digits, _)',
      ),
      glueRegistry: name(
        env,
        'GLUE_REGISTRY',
        GLUE_REGISTRY_NAME,
        'a Glue registry name (1-255 letters, digits, - _ $ #)',
      ),
    }),
    localDelivery: Object.freeze({
      bufferBytes: int(env, 'LOCAL_BUFFER_MB', 5, 1, 128) * 1024 * 1024,
      bufferSeconds: int(env, 'LOCAL_BUFFER_SECONDS', 300, 0, 900),
      gzip: bool(env, 'RAW_GZIP', false),
    }),
  });
}

/** Whether Spotify can be called: a user token, or an app's id and secret (client credentials). */
export function hasSpotifyCredentials(s: SpotifySettings): boolean {
  return !!(s.refreshToken || (s.clientId && s.clientSecret));
}

/** Settings that only AWS handlers need; fails with the variable's name when one is missing. */
export function requireSetting<T>(value: T | undefined, name: string): T {
  if (value === undefined)
    throw new ConfigError(`${name} is not set.`, { hint: `Set ${name} in the environment.` });
  return value;
}
