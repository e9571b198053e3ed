// `spotify-etl schedule`: a long-running process that runs the daily job on a cron schedule, as EventBridge does on AWS.
import type { Clock } from '../ports.js';
import { EtlError } from '../errors.js';

/** 16:00 UTC daily: the chart of the day before is published by then, as the EventBridge rule on AWS assumes. */
export const DEFAULT_CRON = '0 16 * * *';

/** A parsed five-field cron expression, evaluated in UTC. */
export interface Cron {
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is read as Sunday). */
  readonly daysOfWeek: ReadonlySet<number>;
  /** Classic cron: when both day fields are restricted, a day matching either one runs. */
  readonly dayOfMonthIsStar: boolean;
  readonly dayOfWeekIsStar: boolean;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly expects: string;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59, expects: '0-59' },
  { name: 'hour', min: 0, max: 23, expects: '0-23' },
  { name: 'day-of-month', min: 1, max: 31, expects: '1-31' },
  { name: 'month', min: 1, max: 12, expects: '1-12' },
  { name: 'day-of-week', min: 0, max: 7, expects: '0-7 (0 and 7 are Sunday)' },
];

const CRON_HINT =
  'Five fields in UTC: minute hour day-of-month month day-of-week, e.g. --cron "0 16 * * *" (16:00 UTC daily). ' +
  'Each field takes *, a number, a list a,b, a range a-b, or a step */n or a-b/n.';

function fieldError(expr: string, spec: FieldSpec, text: string, why: string): EtlError {
  return new EtlError(
    `Cron "${expr}": the ${spec.name} field "${text}" is not valid: ${why}; expected * or numbers ${spec.expects} in lists, ranges or steps.`,
    { hint: CRON_HINT },
  );
}

function parseField(expr: string, text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  const number = (s: string): number => {
    if (!/^\d+$/.test(s)) throw fieldError(expr, spec, text, `"${s}" is not a number`);
    const n = Number(s);
    if (n < spec.min || n > spec.max) {
      throw fieldError(expr, spec, text, `${n} is outside ${spec.min}-${spec.max}`);
    }
    return n;
  };
  for (const part of text.split(',')) {
    const match = /^([^/]+)(?:\/(.*))?$/.exec(part);
    if (!match) throw fieldError(expr, spec, text, `"${part}" is empty`);
    const [, range, stepText] = match as unknown as [string, string, string | undefined];
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        throw fieldError(expr, spec, text, `the step "/${stepText}" is not a positive number`);
      }
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range.includes('-')) {
      const [a = '', b = '', ...more] = range.split('-');
      if (more.length > 0) throw fieldError(expr, spec, text, `"${range}" is not a range a-b`);
      from = number(a);
      to = number(b);
      if (from > to) throw fieldError(expr, spec, text, `the range ${from}-${to} runs backwards`);
    } else {
      from = number(range);
      // `a/n` means "from a to the end, every n", as in Vixie cron.
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Parses a standard five-field cron expression (UTC); a bad expression throws an EtlError naming the field. */
export function parseCron(expr: string): Cron {
  const text = expr.trim();
  const parts = text.split(/\s+/);
  if (text === '' || parts.length !== 5) {
    throw new EtlError(
      `Cron "${expr}" has ${text === '' ? 0 : parts.length} fields; expected 5: minute hour day-of-month month day-of-week.`,
      { hint: CRON_HINT },
    );
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = parts.map((p, i) =>
    parseField(text, p, FIELDS[i] as FieldSpec),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (daysOfWeek.delete(7)) daysOfWeek.add(0);
  const cron: Cron = {
    expression: text,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    dayOfMonthIsStar: (parts[2] as string).startsWith('*'),
    dayOfWeekIsStar: (parts[4] as string).startsWith('*'),
  };
  // "0 0 30 2 *" is well formed but never runs: better said now than by a process that sleeps forever.
  if (findNext(cron, new Date(Date.UTC(2000, 0, 1))) === undefined) {
    throw new EtlError(`Cron "${expr}" never runs: no month has the day-of-month it names.`, {
      hint: CRON_HINT,
    });
  }
  return cron;
}

function dayMatches(cron: Cron, d: Date): boolean {
  const dom = cron.daysOfMonth.has(d.getUTCDate());
  const dow = cron.daysOfWeek.has(d.getUTCDay());
  if (cron.dayOfMonthIsStar || cron.dayOfWeekIsStar) return dom && dow;
  return dom || dow;
}

/** Leap years repeat within 8 years (2096 → 2104), so a day that exists is found within that window. */
const SEARCH_YEARS = 8;

function findNext(cron: Cron, after: Date): Date | undefined {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1); // strictly after, at minute resolution
  const lastYear = t.getUTCFullYear() + SEARCH_YEARS;
  while (t.getUTCFullYear() <= lastYear) {
    if (!cron.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(cron, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cron.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!cron.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  return undefined;
}

/** The first minute strictly after `after` that the cron names (UTC). */
export function nextRun(cron: Cron, after: Date): Date {
  const next = findNext(cron, after);
  if (!next) throw new EtlError(`Cron "${cron.expression}" never runs after ${after.toISOString()}.`);
  return next;
}

export interface ScheduleOptions {
  readonly cron: Cron;
  readonly clock: Clock;
  /** One run; resolves with a one-line summary. A throw is logged and the schedule goes on. */
  readonly job: () => Promise<string>;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Stop after this many runs (tests); unset runs until the signal aborts. */
  readonly maxRuns?: number;
}

/**
 * Sleeps are cut into slices so that a long wait never overflows setTimeout (about 24.8 days) and a laptop that
 * was suspended notices the time on waking instead of sleeping the whole interval again.
 */
const MAX_SLEEP_MS = 60_000;

const minute = (d: Date): string => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** Waits for `ms` on the clock, or less when the signal aborts first. */
function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    clock.sleep(ms).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Runs `job` at every time the cron names until the signal aborts (or `maxRuns` runs). Each run logs one line:
 * its summary, or "run failed: <message> (<hint>)"; a failed run does not stop the schedule. A run that lasts past
 * the next scheduled time makes that time be skipped, not run twice (the inbox catches up on missed days).
 */
export async function runSchedule(options: ScheduleOptions): Promise<void> {
  const { cron, clock, job, log, signal, maxRuns } = options;
  let runs = 0;
  while (!signal?.aborted && (maxRuns === undefined || runs < maxRuns)) {
    const next = nextRun(cron, clock.now());
    log(`next run at ${minute(next)}`);
    for (let left = next.getTime() - clock.now().getTime(); left > 0 && !signal?.aborted;) {
      await sleep(clock, Math.min(left, MAX_SLEEP_MS), signal);
      left = next.getTime() - clock.now().getTime();
    }
    if (signal?.aborted) break;
    const started = clock.now();
    try {
      const summary = await job();
      log(`${minute(started)} ${summary}`);
    } catch (error) {
      const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ');
      const message = oneLine(error instanceof Error ? error.message : String(error));
      const hint = error instanceof EtlError && error.hint ? ` (${oneLine(error.hint)})` : '';
      log(`${minute(started)} run failed: ${message}${hint}`);
    }
    runs++;
  }
  log(signal?.aborted ? 'schedule stopped' : `schedule finished after ${runs} runs`);
}
