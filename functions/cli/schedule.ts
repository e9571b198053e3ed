// `spotify-etl schedule`: a long-running process that runs the daily job on a cron schedule, as EventBridge does on AWS.
import type { Clock } from '../ports.js';
import { Cron as Croner } from 'croner';
import { EtlError } from '../errors.js';

/** 16:00 UTC daily: the chart of the day before is published by then, as the EventBridge rule on AWS assumes. */
export const DEFAULT_CRON = '0 16 * * *';

/**
 * A five-field cron expression, evaluated in UTC by croner. The croner object is paused and has no function, so it
 * only computes run times and never starts a timer: the schedule loop owns the waiting, on the injected Clock.
 */
export interface Cron {
  readonly expression: string;
  readonly croner: Croner;
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

/**
 * Checks one field against the classic grammar, so that an error names the field (croner would also take names,
 * L, W, # and +), and returns it as croner should read it to mean what Vixie cron means: `a/n` is `a-max/n`, and
 * a step past the end of its range (which croner refuses) is just the range's first value.
 */
function checkField(expr: string, text: string, spec: FieldSpec): string {
  const number = (s: string): number => {
    if (!/^\d+$/.test(s)) throw fieldError(expr, spec, text, `"${s}" is not a number`);
    const n = Number(s);
    if (n < spec.min || n > spec.max) {
      throw fieldError(expr, spec, text, `${n} is outside ${spec.min}-${spec.max}`);
    }
    return n;
  };
  const parts = text.split(',').map((part) => {
    const match = /^([^/]+)(?:\/(.*))?$/.exec(part);
    if (!match) throw fieldError(expr, spec, text, `"${part}" is empty`);
    const [, range, step] = match as unknown as [string, string, string | undefined];
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) {
      throw fieldError(expr, spec, text, `the step "/${step}" is not a positive number`);
    }
    let from = spec.min;
    let to = spec.max;
    if (range !== '*') {
      const [a = '', b, ...more] = range.split('-');
      if (more.length > 0) throw fieldError(expr, spec, text, `"${range}" is not a range a-b`);
      from = number(a);
      to = b === undefined ? (step === undefined ? from : spec.max) : number(b);
      if (from > to) throw fieldError(expr, spec, text, `the range ${from}-${to} runs backwards`);
    }
    if (step === undefined) return part;
    return Number(step) > to - from ? String(from) : `${range === '*' ? '*' : `${from}-${to}`}/${step}`;
  });
  return parts.join(',');
}

/** Parses a standard five-field cron expression (UTC); a bad expression throws an EtlError naming the field. */
export function parseCron(expr: string): Cron {
  const text = expr.trim();
  const fields = text.split(/\s+/);
  if (text === '' || fields.length !== 5) {
    throw new EtlError(
      `Cron "${expr}" has ${text === '' ? 0 : fields.length} fields; expected 5: minute hour day-of-month month day-of-week.`,
      { hint: CRON_HINT },
    );
  }
  const pattern = fields.map((f, i) => checkField(text, f, FIELDS[i] as FieldSpec)).join(' ');
  let croner: Croner;
  try {
    croner = new Croner(pattern, {
      timezone: 'UTC',
      mode: '5-part', // no seconds or year field
      paused: true,
      // Vixie cron: when either day field starts with *, a day must match both; otherwise either one. Croner's own
      // OR applies unless a field is exactly *, which would make "0 0 */2 * 1" run on every odd day as well.
      domAndDow: (fields[2] as string).startsWith('*') || (fields[4] as string).startsWith('*'),
    });
  } catch (error) {
    // Not expected after checkField; croner's message is still better than a stack trace.
    const why = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
    throw new EtlError(`Cron "${expr}" is not valid: ${why}.`, { hint: CRON_HINT });
  }
  // "0 0 30 2 *" is well formed but never runs: better said now than by a process that sleeps forever.
  if (croner.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
    throw new EtlError(`Cron "${expr}" never runs: no month has the day-of-month it names.`, {
      hint: CRON_HINT,
    });
  }
  return { expression: text, croner };
}

/** The first minute strictly after `after` that the cron names (UTC). */
export function nextRun(cron: Cron, after: Date): Date {
  const next = cron.croner.nextRun(after);
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
