// The checker Lambda handler end to end against a mocked Athena (the emulator runs no Athena SQL) and the AWS
// emulator's S3 (moto) for the markers of the chart dates waiting for a check: canned results per check query, the report in the log, the EMF
// line, and throwing only when the checks cannot run at all.
import { jest } from '@jest/globals';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { GetQueryResultsOutput } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { ChecksCannotRun, ENGINE_PROBE_SQL } from '#functions/core/checks/scheduled.js';
import { KNOWN_GAPS } from '#functions/core/checks/index.js';
import { EtlError } from '#functions/errors.js';
import { s3Storage } from '#functions/adapters/aws/dependencies.js';
import { createS3Client } from '#functions/adapters/aws/s3-storage.js';
import { loadConfig } from '#functions/config.js';
import { listPending, markPending } from '#functions/core/pending-checks.js';
import { CHECKS_PENDING } from '#functions/core/lake.js';
import { athenaPage } from '../helpers/athena.js';
import { captureOutput } from '../helpers/logs.js';
import { createBucket, startMoto, type RunningMoto } from '../helpers/moto.js';

const athena = mockClient(AthenaClient);
const saved = { ...process.env };

const EMPTY = athenaPage([], []);

/** The chart-days query's marker, and its answer: a clean 200-entry chart on each date inside the query's range. */
const CHART_DAYS = 'AS demo_rows';
const chartDays =
  (dates: readonly string[], chartId = 'global-daily') =>
  (sql: string): GetQueryResultsOutput => {
    const [, from = '', to = ''] = /BETWEEN DATE '([\d-]+)' AND DATE '([\d-]+)'/.exec(sql) ?? [];
    return athenaPage(
      ['chart_id', 'snapshot_date', 'n', 'last_position', 'demo_rows'].map((Name) => ({
        Name,
        Type: ['chart_id', 'snapshot_date'].includes(Name) ? 'varchar' : 'bigint',
      })),
      dates.filter((d) => d >= from && d <= to).map((d) => [chartId, d, '200', '200', '0']),
    );
  };

type Canned = GetQueryResultsOutput | ((sql: string) => GetQueryResultsOutput);

/** Serves each query the first canned page whose marker its SQL contains; every other query has no rows. */
function serve(canned: readonly (readonly [marker: string, result: Canned])[]): void {
  const results = new Map<string, GetQueryResultsOutput>();
  let n = 0;
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    const id = `q-${++n}`;
    const answer = canned.find(([marker]) => input.QueryString.includes(marker))?.[1] ?? EMPTY;
    results.set(id, typeof answer === 'function' ? answer(input.QueryString) : answer);
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  athena
    .on(GetQueryResultsCommand)
    .callsFake((input: { QueryExecutionId: string }) => results.get(input.QueryExecutionId) ?? EMPTY);
}

/**
 * Runs the handler with the engine's poll sleeps on fake timers, and returns what it logged: stdout and stderr, as
 * Lambda collects both (Powertools writes WARN and ERROR lines to stderr).
 */
async function invoke(
  time: string,
  checks?: 'daily' | 'pending',
): Promise<{ lines: Record<string, unknown>[]; error?: unknown }> {
  const { handler } = await import('#functions/check/handler.js');
  const output = captureOutput();
  // Only the timers: the clock stays real, or the S3 requests signed late in a run would be "too skewed".
  jest.useFakeTimers({
    doNotFake: [
      'Date',
      'hrtime',
      'performance',
      'nextTick',
      'setImmediate',
      'clearImmediate',
      'queueMicrotask',
    ],
  });
  let error: unknown;
  try {
    let settled = false;
    const run = handler({ time, ...(checks ? { checks } : {}) }).then(
      () => void (settled = true),
      (e: unknown) => void ((error = e), (settled = true)),
    );
    while (!settled) await jest.advanceTimersByTimeAsync(1000);
    await run;
  } finally {
    jest.useRealTimers();
    output.restore();
  }
  return { lines: output.lines(), error };
}

const emf = (lines: Record<string, unknown>[]) => lines.filter((l) => '_aws' in l);

let moto: RunningMoto;
const BUCKET = 'spotify-etl-check-test';
const RAW = 'top_200_global/raw_data/to_process/2026/11/27/16/raw-1';

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env, {
    DATA_BUCKET: BUCKET,
    ATHENA_WORKGROUP: 'spotify-etl',
    GLUE_DATABASE: 'spotify_etl',
  });
  delete process.env.CHECK_DAYS;
  const client = createS3Client({ ...moto.clientConfig, forcePathStyle: true });
  await createBucket(moto, client, BUCKET);
  client.destroy();
});

afterAll(async () => {
  process.env = saved;
  await moto.stop();
});

beforeEach(() => athena.reset());

/** The lake's markers in the emulator's S3 (the handler's own adapter, built the same way). */
const lake = () => s3Storage(loadConfig());

/** The date ranges the checks covered: each range's closing count query names it. */
const rangesQueried = (): string[] =>
  athena
    .commandCalls(StartQueryExecutionCommand)
    .map((c) => c.args[0].input.QueryString ?? '')
    .filter((q) => q.includes('AS chart_days'))
    .map((q) => /BETWEEN DATE '([\d-]+)' AND DATE '([\d-]+)'/.exec(q)?.slice(1).join('..') ?? '');

describe('checker handler', () => {
  it('checks the 3 chart dates up to the scheduled date in Athena and emits the counts; mismatches do not throw', async () => {
    serve([
      ['max(snapshot_date) AS latest', athenaPage([{ Name: 'latest', Type: 'date' }], [['2026-11-27']])],
      [CHART_DAYS, chartDays(['2026-11-25', '2026-11-26', '2026-11-27'])],
      [
        'AS chart_days',
        athenaPage(
          [
            { Name: 'chart_days', Type: 'bigint' },
            { Name: 'song_rows', Type: 'bigint' },
          ],
          [['3', '600']],
        ),
      ],
      [
        'prev_days',
        athenaPage(
          [
            'chart_id',
            'snapshot_date',
            'song_id',
            'song_name',
            'position',
            'previous_rank',
            'was',
            'other_id',
            'other_name',
          ].map((Name) => ({
            Name,
            Type: ['position', 'previous_rank', 'was'].includes(Name) ? 'integer' : 'varchar',
          })),
          [['global-daily', '2026-11-26', 'new-id', 'Song', '3', '4', null, 'old-id', 'Another Song']],
        ),
      ],
    ]);

    const { lines, error } = await invoke('2026-11-27T17:00:00Z');

    expect(error).toBeUndefined();
    const queries = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(queries[0]).toEqual({
      QueryString: ENGINE_PROBE_SQL,
      WorkGroup: 'spotify-etl',
      QueryExecutionContext: { Database: 'spotify_etl' },
    });
    expect(queries[1]?.QueryString).toContain(
      "snapshot_date BETWEEN DATE '2026-11-25' AND DATE '2026-11-27'",
    );
    const finished = lines.find((l) => l.message === 'checks finished');
    expect(finished).toMatchObject({
      level: 'WARN',
      ok: false,
      range: { from: '2026-11-25', to: '2026-11-27' },
      checked: { chartDays: 3, songRows: 600 },
    });
    expect(emf(lines)).toEqual([
      expect.objectContaining({
        Function: 'check',
        FailedChecks: 0,
        PreviousRankMismatches: 1,
        ChartDaysChecked: 3,
      }),
    ]);
  });

  it('reports a failed check in FailedChecks and still returns normally', async () => {
    serve([
      [
        'lag(position)',
        athenaPage(
          ['chart_id', 'snapshot_date', 'position', 'n', 'prev_position'].map((Name) => ({
            Name,
            Type: ['chart_id', 'snapshot_date'].includes(Name) ? 'varchar' : 'bigint',
          })),
          [['global-daily', '2026-11-26', '200', '1', '198']],
        ),
      ],
      ['max(snapshot_date) AS latest', athenaPage([{ Name: 'latest', Type: 'date' }], [['2026-11-27']])],
      [CHART_DAYS, chartDays(['2026-11-25', '2026-11-26', '2026-11-27'])],
    ]);
    const { lines, error } = await invoke('2026-11-27T17:00:00Z');
    expect(error).toBeUndefined();
    const finished = lines.find((l) => l.message === 'checks finished') as {
      checks: { name: string; details: string[] }[];
    };
    expect(finished.checks.find((c) => c.name === 'ranks')?.details).toEqual([
      'global-daily 2026-11-26: rank 199 missing',
    ]);
    expect(emf(lines)).toEqual([expect.objectContaining({ FailedChecks: 1, PreviousRankMismatches: 0 })]);
  });

  it('hourly: with no chart date waiting, stops after one listing, without Athena and without a metric', async () => {
    serve([]);
    const { lines, error } = await invoke('2026-11-27T18:00:00Z', 'pending');
    expect(error).toBeUndefined();
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    expect(lines.map((l) => l.message)).toEqual(['no chart dates waiting for a check']);
    expect(emf(lines)).toEqual([]);
  });

  it('hourly: checks the dates the transformer marked (a backfill from 2021), without freshness, then clears them', async () => {
    serve([[CHART_DAYS, chartDays(['2021-03-01', '2021-03-02', '2021-06-30'])]]);
    await markPending(lake(), ['2021-03-01', '2021-03-02', '2021-06-30'], RAW);

    const { lines, error } = await invoke('2026-11-27T18:00:00Z', 'pending');

    expect(error).toBeUndefined();
    expect(rangesQueried()).toEqual(['2021-03-01..2021-03-02', '2021-06-30..2021-06-30']);
    const queries = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString);
    expect(queries.some((q) => q?.includes('max(snapshot_date) AS latest'))).toBe(false); // no freshness
    expect(lines.find((l) => l.message === 'checks finished')).toMatchObject({
      ok: true,
      range: { from: '2021-03-01', to: '2021-06-30' },
      pendingDates: 3,
    });
    expect(emf(lines)).toEqual([expect.objectContaining({ FailedChecks: 0 })]);
    expect((await listPending(lake())).dates).toEqual([]);
  });

  it('daily: checks the last 3 dates with freshness and the waiting dates, in one report and one metric', async () => {
    serve([
      ['max(snapshot_date) AS latest', athenaPage([{ Name: 'latest', Type: 'date' }], [['2026-11-27']])],
    ]);
    await markPending(lake(), ['2024-02-05'], RAW);

    const { lines } = await invoke('2026-11-27T17:00:00Z');

    expect(rangesQueried()).toEqual(['2024-02-05..2024-02-05', '2026-11-25..2026-11-27']);
    expect(lines.find((l) => l.message === 'checks finished')).toMatchObject({
      range: { from: '2024-02-05', to: '2026-11-27' },
    });
    expect(emf(lines)).toHaveLength(1);
    expect((await listPending(lake())).dates).toEqual([]);
  });

  it('keeps the waiting dates when the checks cannot run, so that the retry checks them', async () => {
    athena.on(StartQueryExecutionCommand).rejects(new Error('AccessDeniedException'));
    await markPending(lake(), ['2021-03-01'], RAW);
    const { error } = await invoke('2026-11-27T18:00:00Z', 'pending');
    expect(error).toBeInstanceOf(ChecksCannotRun);
    expect((await listPending(lake())).dates).toEqual(['2021-03-01']);
    await lake().delete((await listPending(lake())).keys[0] ?? '');
  });

  it('throws, and emits nothing, when Athena refuses the first query (so Lambda retries, then dead-letters)', async () => {
    athena.on(StartQueryExecutionCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: athena:StartQueryExecution'), {
        name: 'AccessDeniedException',
      }),
    );
    const { lines, error } = await invoke('2026-11-27T17:00:00Z');
    expect(error).toBeInstanceOf(ChecksCannotRun);
    expect(String((error as Error).message)).toContain(
      'not authorized to perform: athena:StartQueryExecution',
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
    expect(emf(lines)).toEqual([]);
  });

  it('hourly: fails a marked date that holds no chart in Athena, naming it', async () => {
    serve([]);
    await markPending(lake(), ['2021-03-01'], RAW);
    const { lines, error } = await invoke('2026-11-27T18:00:00Z', 'pending');
    expect(error).toBeUndefined();
    const finished = lines.find((l) => l.message === 'checks finished') as {
      ok: boolean;
      checks: { name: string; details: string[] }[];
    };
    expect(finished.ok).toBe(false);
    expect(finished.checks.find((c) => c.name === 'coverage')?.details).toEqual(['no chart on 2021-03-01']);
    expect(emf(lines)).toEqual([expect.objectContaining({ FailedChecks: 1, ChartDaysChecked: 0 })]);
  });

  it('honours the known gaps declared in the lake, and lists them as notes', async () => {
    serve([]);
    await lake().put(
      KNOWN_GAPS,
      JSON.stringify([{ from: '2021-03-01', to: '2021-03-01', reason: 'Spotify published no chart' }]),
    );
    await markPending(lake(), ['2021-03-01'], RAW);
    try {
      const { lines, error } = await invoke('2026-11-27T18:00:00Z', 'pending');
      expect(error).toBeUndefined();
      expect(lines.find((l) => l.message === 'checks finished')).toMatchObject({
        ok: true,
        knownGaps: 1,
        checks: expect.arrayContaining([
          expect.objectContaining({
            name: 'coverage',
            details: [
              'note: every chart 2021-03-01: absent as declared in known-gaps.json (Spotify published no chart)',
            ],
          }),
        ]),
      });
      expect(emf(lines)).toEqual([expect.objectContaining({ FailedChecks: 0 })]);
    } finally {
      await lake().delete(KNOWN_GAPS);
    }
  });

  it('throws, naming the file and the entry, for an invalid known-gaps file, and keeps the markers', async () => {
    serve([]);
    await lake().put(KNOWN_GAPS, JSON.stringify([{ from: '2021-03-01', to: '2021-02-30', reason: 'typo' }]));
    await markPending(lake(), ['2021-03-01'], RAW);
    try {
      const { lines, error } = await invoke('2026-11-27T18:00:00Z', 'pending');
      expect(error).toBeInstanceOf(EtlError);
      expect((error as Error).message).toBe(
        `${KNOWN_GAPS}: entry 1 {"from":"2021-03-01","to":"2021-02-30","reason":"typo"} has to "2021-02-30", not a calendar date YYYY-MM-DD.`,
      );
      expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
      expect(emf(lines)).toEqual([]);
      expect((await listPending(lake())).dates).toEqual(['2021-03-01']);
    } finally {
      await lake().delete(KNOWN_GAPS);
      for (const key of (await listPending(lake())).keys) await lake().delete(key);
    }
  });

  it('hourly: reports a marker of an impossible date as a failed check, then clears it', async () => {
    serve([]);
    await markPending(lake(), ['2024-02-30'], RAW);
    const { lines, error } = await invoke('2026-11-27T18:00:00Z', 'pending');
    expect(error).toBeUndefined();
    const finished = lines.find((l) => l.message === 'checks finished') as {
      ok: boolean;
      checks: { name: string; details: string[] }[];
    };
    expect(finished.ok).toBe(false);
    expect(finished.checks.map((c) => c.name)).toEqual(['markers']);
    expect(finished.checks[0]?.details[0]).toMatch(
      new RegExp(`^${CHECKS_PENDING}2024-02-30/ \\(1 marker\\): "2024-02-30" is not a calendar date`),
    );
    expect(emf(lines)).toEqual([expect.objectContaining({ FailedChecks: 1 })]);
    expect(await listPending(lake())).toEqual({ dates: [], keys: [] });
  });
});
