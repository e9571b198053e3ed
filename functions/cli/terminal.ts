// What the commands share on the terminal side: the logger (stderr), progress lines, the lake-lock notice, dates.
import type { LockHolder } from '../adapters/local/lake-lock.js';
import { isIsoDate } from '../core/dates.js';
import type { TransformReport } from '../core/transform.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../ports.js';
import type { Io } from './command.js';

/** Log lines on stderr: errors always, warnings and info with --verbose. */
export function cliLogger(io: Io, verbose: boolean): Logger {
  const write = (level: string, message: string, details?: Record<string, unknown>): void =>
    io.err(`${level}: ${message}${details ? ` ${JSON.stringify(details)}` : ''}`);
  return {
    info: (m, d) => (verbose ? write('info', m, d) : undefined),
    warn: (m, d) => (verbose ? write('warn', m, d) : undefined),
    error: (m, d) => write('error', m, d),
  };
}

/** `label done/total`, rewritten in place on a terminal; nothing otherwise. */
export function progress(io: Io, label: string): ((done: number, total: number) => void) | undefined {
  if (!io.interactive) return undefined;
  return (done, total) => io.errRaw(`\r${label} ${done}/${total}${done === total ? '\n' : ''}`);
}

/** Says, once per wait, that another process is writing to the lake and this one waits for it. */
export function sayWaiting(io: Io): (holder: LockHolder | undefined) => void {
  return (holder) => {
    const who = holder
      ? `another process (pid ${holder.pid}, \`${holder.command}\`, since ${holder.since})`
      : 'another spotify-etl process';
    io.err(`waiting: ${who} is writing to the lake; this one goes on when it is done.`);
  };
}

/**
 * What a transform could not finish (an object to retry), can never read (quarantined) or set aside (rejected
 * lines): any of them fails the command, so that exit 0 means the work is complete.
 */
export function unfinished(t: TransformReport): number {
  return t.failedObjects.length + t.quarantinedObjects.length + t.rejected;
}

/** The objects of a transform that did not end well, one line each (stderr). */
export function transformProblems(t: TransformReport): string[] {
  return [
    ...t.objects
      .filter((o) => o.rejectedKey && o.status === 'transformed')
      .map((o) => `rejected lines of ${o.key}: see ${o.rejectedKey}`),
    ...t.failedObjects.map((f) => `transform failed for ${f.key}: ${f.error}`),
    ...t.quarantinedObjects.map((q) => `quarantined ${q.key}: ${q.reason}`),
  ];
}

/** A `--date`-like option's value, checked: a real calendar day or a usage error. */
export function dateOption(name: string, value: string | boolean | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!isIsoDate(value)) {
    throw new UsageError(`--${name} ${value} is not a date.`, {
      hint: `Use YYYY-MM-DD, e.g. --${name} 2026-11-25.`,
    });
  }
  return value;
}

/** A numeric option's value, checked. */
export function intOption(
  name: string,
  value: string | boolean | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} ${value} is not a whole number from ${min} to ${max}.`);
  }
  return n;
}

export const str = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;
