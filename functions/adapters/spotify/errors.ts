// What went wrong talking to Spotify, told as SpotifyApiError / SpotifyAccessError / SpotifyQuotaError with a hint.
import { SpotifyAccessError, SpotifyApiError, SpotifyQuotaError } from '#functions/errors.js';

/** The path and query of a URL, for messages (the host is always one of the two configured roots). */
export function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

/** Nobody answered (timeouts, network errors) through every attempt. */
export function unreachable(url: string, what: string, attempts: number, cause: unknown): SpotifyApiError {
  return new SpotifyApiError(
    0,
    `Spotify did not answer ${pathOf(url)}: ${what}, after ${attempts} attempts.`,
    {
      hint: 'Check the network or SPOTIFY_API_URL / SPOTIFY_ACCOUNTS_URL; SPOTIFY_TIMEOUT_MS sets the per-call timeout.',
      cause,
    },
  );
}

/** A Retry-After longer than we are willing to wait. */
export function retryAfterTooLong(url: string, seconds: number, maxSeconds: number): SpotifyQuotaError {
  return new SpotifyQuotaError(
    `Spotify asked to wait ${seconds} s before calling ${pathOf(url)} again (Retry-After); the run stops rather than wait that long.`,
    {
      hint: `Run again later; cached entities are kept, so the next run asks only for what is missing. SPOTIFY_MAX_RETRY_AFTER_SECONDS (now ${maxSeconds}) sets the longest wait.`,
    },
  );
}

/** The token endpoint refused our app credentials or the stored refresh token. */
export function tokenRefused(
  grant: 'refresh_token' | 'client_credentials',
  status: number,
  reason: string,
): SpotifyAccessError {
  const hint =
    grant === 'refresh_token'
      ? 'The refresh token was revoked or belongs to another app: run `spotify-etl login` again.'
      : 'Check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (developer.spotify.com/dashboard), or unset them to run without enrichment.';
  return new SpotifyAccessError(`Spotify refused a token (${grant}): HTTP ${status} ${reason}.`, { hint });
}

/** The token endpoint refused the authorization code of `spotify-etl login`. */
export function codeRefused(status: number, reason: string): SpotifyAccessError {
  return new SpotifyAccessError(`Spotify refused the authorization code: HTTP ${status} ${reason}.`, {
    hint: 'Run `spotify-etl login` again; check that SPOTIFY_CLIENT_ID is the app whose redirect URIs list the callback.',
  });
}

/** Turns every non-2xx Web API answer into an error that says what happened and what to do. */
export async function explainResponse(response: Response): Promise<void> {
  if (response.ok) return;
  const path = pathOf(response.url);
  const text = await response.text().catch(() => '');
  let message: string;
  let reason = '';
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; reason?: string } };
    message = parsed.error?.message ?? '';
    reason = parsed.error?.reason ?? '';
  } catch {
    message = text.slice(0, 200);
  }
  const said = [message, reason].filter(Boolean).join(', ');
  if (response.status === 429 && reason === 'QUOTA_EXCEEDED') {
    throw new SpotifyQuotaError(
      `Spotify's per-account quota is used up (429 QUOTA_EXCEEDED on ${path}); the run stops instead of retrying.`,
      {
        hint: 'The quota refills over time: run again later. Entities fetched so far are cached, so the next run asks only for what is missing.',
      },
    );
  }
  if (response.status === 429) {
    throw new SpotifyQuotaError(`Spotify kept answering 429 (rate limit) on ${path} after every retry.`, {
      hint: 'Lower SPOTIFY_CONCURRENCY or run again later.',
    });
  }
  if (response.status === 401) {
    throw new SpotifyAccessError(
      `Spotify rejected the access token on ${path} even after a refresh (401 ${said}).`,
      {
        hint: 'Check the app credentials; for a user token run `spotify-etl login` again.',
      },
    );
  }
  throw new SpotifyApiError(
    response.status,
    `Spotify answered ${response.status} on ${path}${said ? `: ${said}` : ''}.`,
  );
}

/** 404/403 on a playlist: explain the 2024/2026 rules instead of a stack trace. */
export function explainPlaylistError(playlistId: string, error: unknown): unknown {
  if (!(error instanceof SpotifyApiError) || (error.status !== 404 && error.status !== 403)) return error;
  const alternatives =
    'Alternatives: download the chart CSV from charts.spotify.com and use --source charts-csv:<file> (or drop it in top_200_global/inbox/); or use a playlist you own or collaborate on, with a user token from `spotify-etl login`.';
  if (error.status === 404) {
    return new SpotifyAccessError(
      `Playlist ${playlistId} answered 404. Since November 2024 Spotify-owned playlists (editorial and algorithmic, such as Top 50 - Global) answer 404 to apps without extended quota, and a playlist that does not exist answers the same.`,
      { hint: alternatives, cause: error },
    );
  }
  return new SpotifyAccessError(
    `Playlist ${playlistId} answered 403. Since February 2026 playlist contents are returned only to a user who owns or collaborates on the playlist; a client-credentials token reads metadata only.`,
    { hint: alternatives, cause: error },
  );
}
