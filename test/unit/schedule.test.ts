// The cron schedule of `spotify-etl schedule`: parsing, the next run time (UTC), and the loop on a fake clock.
import { EtlError } from '#functions/errors.js';
import { nextRun, parseCron, runSchedule, DEFAULT_CRON } from '#functions/cli/schedule.js';
import { fakeClock } from '../helpers/paths.js';

const next = (expr: string, after: string): string => nextRun(parseCron(expr), new Date(after)).toISOString();

/** The run times after `after`, one after the other. */
function runs(expr: string, after: string, count: number): string[] {
  const cron = parseCron(expr);
  const out: string[] = [];
  let t = new Date(after);
  for (let i = 0; i < count; i++) {
    t = nextRun(cron, t);
    out.push(t.toISOString());
  }
  return out;
}

function rejection(expr: string): EtlError {
  try {
    parseCron(expr);
  } catch (error) {
    expect(error).toBeInstanceOf(EtlError);
    return error as EtlError;
  }
  throw new Error(`expected "${expr}" to be rejected`);
}

describe('nextRun', () => {
  it('runs the daily job at 16:00 UTC the same day from 15:59', () => {
    expect(next(DEFAULT_CRON, '2026-11-25T15:59:00Z')).toBe('2026-11-25T16:00:00.000Z');
    expect(next(DEFAULT_CRON, '2026-11-25T15:59:59.999Z')).toBe('2026-11-25T16:00:00.000Z');
  });

  it('is strictly after: from 16:00 exactly (or a second later) the next run is the next day', () => {
    expect(next(DEFAULT_CRON, '2026-11-25T16:00:00Z')).toBe('2026-11-26T16:00:00.000Z');
    expect(next(DEFAULT_CRON, '2026-11-25T16:00:30Z')).toBe('2026-11-26T16:00:00.000Z');
  });

  it('steps every 15 minutes with */15, across the hour', () => {
    expect(runs('*/15 * * * *', '2026-11-25T10:07:00Z', 4)).toEqual([
      '2026-11-25T10:15:00.000Z',
      '2026-11-25T10:30:00.000Z',
      '2026-11-25T10:45:00.000Z',
      '2026-11-25T11:00:00.000Z',
    ]);
  });

  it('takes lists and ranges with steps', () => {
    expect(runs('0,30 6,18 * * *', '2026-11-25T06:10:00Z', 4)).toEqual([
      '2026-11-25T06:30:00.000Z',
      '2026-11-25T18:00:00.000Z',
      '2026-11-25T18:30:00.000Z',
      '2026-11-26T06:00:00.000Z',
    ]);
    expect(runs('5 9-17/4 * * *', '2026-11-25T00:00:00Z', 4)).toEqual([
      '2026-11-25T09:05:00.000Z',
      '2026-11-25T13:05:00.000Z',
      '2026-11-25T17:05:00.000Z',
      '2026-11-26T09:05:00.000Z',
    ]);
    expect(runs('10-12 0 * * *', '2026-11-25T00:10:00Z', 2)).toEqual([
      '2026-11-25T00:11:00.000Z',
      '2026-11-25T00:12:00.000Z',
    ]);
  });

  it('skips the weekend with day-of-week 1-5', () => {
    // 2026-11-27 is a Friday.
    expect(runs('0 16 * * 1-5', '2026-11-27T12:00:00Z', 2)).toEqual([
      '2026-11-27T16:00:00.000Z',
      '2026-11-30T16:00:00.000Z',
    ]);
  });

  it('reads day-of-week 7 as Sunday', () => {
    expect(next('0 8 * * 7', '2026-11-25T00:00:00Z')).toBe('2026-11-29T08:00:00.000Z');
    expect(next('0 8 * * 0', '2026-11-25T00:00:00Z')).toBe('2026-11-29T08:00:00.000Z');
  });

  it('runs on either day when both day-of-month and day-of-week are given, as cron does', () => {
    // The 1st of the month or a Monday: Mon 2026-11-30, then Tue 2026-12-01, then Mon 2026-12-07.
    expect(runs('0 0 1 * 1', '2026-11-25T00:00:00Z', 3)).toEqual([
      '2026-11-30T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
    ]);
  });

  it('crosses month boundaries, including short months and leap days', () => {
    expect(next('0 16 * * *', '2026-11-30T17:00:00Z')).toBe('2026-12-01T16:00:00.000Z');
    expect(next('0 0 31 * *', '2026-11-01T00:00:00Z')).toBe('2026-12-31T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('0 0 1 3,9 *', '2026-11-25T00:00:00Z')).toBe('2027-03-01T00:00:00.000Z');
  });

  it('goes from Dec 31 to Jan 1 of the next year', () => {
    expect(next(DEFAULT_CRON, '2026-12-31T16:00:00Z')).toBe('2027-01-01T16:00:00.000Z');
    expect(next('59 23 * * *', '2026-12-31T23:58:00Z')).toBe('2026-12-31T23:59:00.000Z');
    expect(next('0 0 * * *', '2026-12-31T23:59:00Z')).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('parseCron rejects bad expressions, naming the field', () => {
  it.each([
    ['60 16 * * *', 'minute', /60 is outside 0-59/],
    ['0 24 * * *', 'hour', /0-23/],
    ['0 16 0 * *', 'day-of-month', /1-31/],
    ['0 16 * 13 *', 'month', /1-12/],
    ['0 16 * * 8', 'day-of-week', /0-7/],
    ['*/0 * * * *', 'minute', /step/],
    ['0 16 * * mon', 'day-of-week', /not a number/],
    ['0 17-16 * * *', 'hour', /backwards/],
    ['0 1,,2 * * *', 'hour', /empty|not a number/],
  ])('%s → the %s field', (expr, field, why) => {
    const e = rejection(expr);
    expect(e.message).toContain(`the ${field} field`);
    expect(e.message).toMatch(why);
    expect(e.hint).toMatch(/minute hour day-of-month month day-of-week/);
  });

  it('says how many fields it expects', () => {
    expect(rejection('0 16 * *').message).toMatch(/has 4 fields; expected 5/);
    expect(rejection('').message).toMatch(/has 0 fields; expected 5/);
    expect(rejection('0 0 16 * * *').message).toMatch(/has 6 fields/);
  });

  it('refuses a well-formed expression that never runs', () => {
    expect(rejection('0 0 30 2 *').message).toMatch(/never runs/);
  });
});

describe('runSchedule', () => {
  it('runs the job at each scheduled time on the clock and logs the next run and each summary', async () => {
    const clock = fakeClock('2026-11-25T15:30:00Z');
    const ranAt: string[] = [];
    const log: string[] = [];
    await runSchedule({
      cron: parseCron(DEFAULT_CRON),
      clock,
      job: async () => {
        ranAt.push(clock.now().toISOString());
        return `run ${ranAt.length} ok`;
      },
      log: (line) => log.push(line),
      maxRuns: 3,
    });
    expect(ranAt).toEqual([
      '2026-11-25T16:00:00.000Z',
      '2026-11-26T16:00:00.000Z',
      '2026-11-27T16:00:00.000Z',
    ]);
    expect(log).toEqual([
      'next run at 2026-11-25 16:00 UTC',
      '2026-11-25 16:00 UTC run 1 ok',
      'next run at 2026-11-26 16:00 UTC',
      '2026-11-26 16:00 UTC run 2 ok',
      'next run at 2026-11-27 16:00 UTC',
      '2026-11-27 16:00 UTC run 3 ok',
      'schedule finished after 3 runs',
    ]);
    // Waits are sliced (at most a minute each) and add up to exactly the time between runs.
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(60_000);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(
      Date.parse('2026-11-27T16:00:00Z') - Date.parse('2026-11-25T15:30:00Z'),
    );
  });

  it('logs a failed run on one line with its hint and keeps going', async () => {
    const clock = fakeClock('2026-11-25T16:00:00Z');
    const ranAt: string[] = [];
    const log: string[] = [];
    await runSchedule({
      cron: parseCron('0 */6 * * *'),
      clock,
      job: async () => {
        ranAt.push(clock.now().toISOString());
        if (ranAt.length === 1) {
          throw new EtlError('Spotify refused a token (refresh_token): HTTP 400 invalid_grant.', {
            hint: 'Run `spotify-etl login` again.',
          });
        }
        if (ranAt.length === 2) throw new Error('disk\nfull');
        return 'ok';
      },
      log: (line) => log.push(line),
      maxRuns: 3,
    });
    expect(ranAt).toEqual([
      '2026-11-25T18:00:00.000Z',
      '2026-11-26T00:00:00.000Z',
      '2026-11-26T06:00:00.000Z',
    ]);
    expect(log).toContain(
      '2026-11-25 18:00 UTC run failed: Spotify refused a token (refresh_token): HTTP 400 invalid_grant. (Run `spotify-etl login` again.)',
    );
    expect(log).toContain('2026-11-26 00:00 UTC run failed: disk full');
    expect(log).toContain('2026-11-26 06:00 UTC ok');
  });

  it('skips a scheduled time that passed while a long run was still going, instead of running twice', async () => {
    const clock = fakeClock('2026-11-25T09:59:00Z');
    const ranAt: string[] = [];
    await runSchedule({
      cron: parseCron('0 * * * *'),
      clock,
      job: async () => {
        ranAt.push(clock.now().toISOString());
        clock.advance(90 * 60_000); // a run of 90 minutes
        return 'ok';
      },
      log: () => {},
      maxRuns: 2,
    });
    expect(ranAt).toEqual(['2026-11-25T10:00:00.000Z', '2026-11-25T12:00:00.000Z']);
  });

  it('stops when the signal aborts, during a wait or between runs', async () => {
    const clock = fakeClock('2026-11-25T15:00:00Z');
    const controller = new AbortController();
    const ranAt: string[] = [];
    const log: string[] = [];
    await runSchedule({
      cron: parseCron(DEFAULT_CRON),
      clock,
      job: async () => {
        ranAt.push(clock.now().toISOString());
        if (ranAt.length === 2) controller.abort();
        return 'ok';
      },
      log: (line) => log.push(line),
      signal: controller.signal,
    });
    expect(ranAt).toEqual(['2026-11-25T16:00:00.000Z', '2026-11-26T16:00:00.000Z']);
    expect(log.at(-1)).toBe('schedule stopped');
  });

  it('returns at once when aborted while sleeping, without running the job', async () => {
    const controller = new AbortController();
    let now = Date.parse('2026-11-25T15:00:00Z');
    let calls = 0;
    const job = async (): Promise<string> => {
      calls++;
      return 'ok';
    };
    const done = runSchedule({
      cron: parseCron(DEFAULT_CRON),
      // A clock whose sleep never ends: only the abort can end the wait.
      clock: { now: () => new Date(now), sleep: () => new Promise<void>(() => {}) },
      job,
      log: () => {},
      signal: controller.signal,
    });
    now += 1;
    controller.abort();
    await done;
    expect(calls).toBe(0);
  });

  it('does nothing when the signal is already aborted', async () => {
    const clock = fakeClock();
    let calls = 0;
    const job = async (): Promise<string> => {
      calls++;
      return 'ok';
    };
    await runSchedule({
      cron: parseCron(DEFAULT_CRON),
      clock,
      job,
      log: () => {},
      signal: AbortSignal.abort(),
    });
    expect(calls).toBe(0);
    expect(clock.sleeps).toEqual([]);
  });
});
