// Errors that say what happened and what to do; the CLI prints message + hint, handlers log and rethrow.

export class EtlError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** A setting is missing or malformed; names the variable and what it expects. */
export class ConfigError extends EtlError {}

/** Spotify refused access (404/403 on a playlist, 401 after refresh, bad credentials). */
export class SpotifyAccessError extends EtlError {}

/** The per-account quota (429 QUOTA_EXCEEDED) or retries exhausted: the run stops. */
export class SpotifyQuotaError extends EtlError {}

export class SpotifyApiError extends EtlError {
  readonly status: number;
  constructor(status: number, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.status = status;
  }
}

/** A chart file could not be read as a Spotify Charts CSV. */
export class ChartFormatError extends EtlError {}

/** Records could not be delivered to the stream after the bounded retries. */
export class DeliveryError extends EtlError {}

/** A stored object cannot be read at all (a damaged gzip stream): no retry will change that. */
export class CorruptObjectError extends EtlError {}

/** The command line is wrong (unknown command or option, a missing argument, a bad value): exit code 2. */
export class UsageError extends EtlError {}
