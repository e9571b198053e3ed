// The checker's domain side: which report counts become metrics, the EMF line they make, and the scheduled runs
// that throw only when nothing can run.
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { emfDocument } from '#functions/adapters/aws/metrics.js';
import { ChecksCannotRun, ENGINE_PROBE_SQL, runScheduledChecks } from '#functions/core/checks/scheduled.js';
import { checkMetrics } from '#functions/check/metrics.js';
import { runChecks, type CheckReport, type CheckResult } from '#functions/core/checks/index.js';
import type { QueryEngine as SqlEngine } from '#functions/ports.js';
import { tempDir } from '../helpers/paths.js';

const passed = (name: CheckResult['name']): CheckResult => ({
  name,
  ok: true,
  failures: 0,
  notes: 0,
  details: [],
});
const failed = (name: CheckResult['name'], failures: number, details: string[]): CheckResult => ({
  name,
  ok: false,
  failures,
  notes: 0,
  details,
});

function report(checks: CheckResult[], chartDays = 3): CheckReport {
  return {
    ok: checks.every((c) => c.ok),
    range: { from: '2026-11-25', to: '2026-11-27' },
    checked: { chartDays, songRows: chartDays * 200 },
    checks,
  };
}

/** Answers every query with no rows and records it. */
function emptyEngine(): SqlEngine & { sql: string[] } {
  const sql: string[] = [];
  return { sql, query: async (q) => (sql.push(q), { rows: [] }) };
}

/** The chart-days query's answer for a clean playlist chart (no fixed size) on each date. */
const chartDays = (dates: readonly string[]) => ({
  rows: dates.map((snapshot_date) => ({
    chart_id: 'playlist:37i9dQZEVXbMDoHDwVN2tF',
    snapshot_date,
    n: 50,
    last_position: 50,
    demo_rows: 0,
  })),
});

describe('checkMetrics', () => {
  it('counts failed checks without previous_rank, whose mismatches are a metric of their own', () => {
    const metrics = checkMetrics(
      report([
        passed('schema'),
        failed('ranks', 2, ['global-daily 2026-11-26: ranks 199–200 missing']),
        failed('duplicates', 1, ['global-daily 2026-11-26: 2 runs (…)']),
        passed('references'),
        failed('previous_rank', 21, [
          'global-daily 2026-11-26: "Song" (id) at rank 3 has previous_rank 4, but …',
        ]),
        passed('freshness'),
      ]),
    );
    expect(metrics).toEqual({ FailedChecks: 2, PreviousRankMismatches: 21, ChartDaysChecked: 3 });
  });

  it('reports zeros for a clean run, and 0 chart days for an empty range', () => {
    const names = ['schema', 'ranks', 'duplicates', 'references', 'previous_rank', 'freshness'] as const;
    expect(checkMetrics(report(names.map(passed), 0))).toEqual({
      FailedChecks: 0,
      PreviousRankMismatches: 0,
      ChartDaysChecked: 0,
    });
  });

  it('counts a previous_rank check that could not run as a failed check, not as a mismatch', async () => {
    // The real runChecks wording: a query error inside a check becomes "could not run: …".
    const engine: SqlEngine = {
      query: async (q) => {
        if (q.includes('prev_days')) throw new Error('HIVE_METASTORE_ERROR: access denied');
        // Every checked day holds its chart, so that previous_rank is the one check that fails.
        if (q.includes('AS demo_rows')) return chartDays(['2026-11-25', '2026-11-26', '2026-11-27']);
        return { rows: [] };
      },
    };
    const result = await runChecks(engine, { from: '2026-11-25', to: '2026-11-27', today: '2026-11-27' });
    expect(result.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['previous_rank']);
    expect(result.checks.find((c) => c.name === 'previous_rank')?.details).toEqual([
      'could not run: HIVE_METASTORE_ERROR: access denied',
    ]);
    expect(checkMetrics(result)).toEqual({ FailedChecks: 1, PreviousRankMismatches: 0, ChartDaysChecked: 0 });
  });

  it('makes one EMF document under SpotifyEtl with Function=check, what the FailedChecks alarm watches', () => {
    const doc = emfDocument(
      'check',
      checkMetrics(report([failed('freshness', 1, ['no chart date'])])),
      'Count',
      0,
    );
    expect(doc).toEqual({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [
          {
            Namespace: 'SpotifyEtl',
            Dimensions: [['Function']],
            Metrics: [
              { Name: 'FailedChecks', Unit: 'Count' },
              { Name: 'PreviousRankMismatches', Unit: 'Count' },
              { Name: 'ChartDaysChecked', Unit: 'Count' },
            ],
          },
        ],
      },
      Function: 'check',
      FailedChecks: 1,
      PreviousRankMismatches: 0,
      ChartDaysChecked: 3,
    });
  });
});

const NONE_PENDING = { dates: [], keys: [] };

describe('runScheduledChecks', () => {
  it('probes the engine first, then checks the last `days` chart dates up to today, freshness included', async () => {
    const engine = emptyEngine();
    const result = await runScheduledChecks(engine, { today: '2026-11-27', days: 3, pending: NONE_PENDING });
    expect(engine.sql[0]).toBe(ENGINE_PROBE_SQL);
    expect(result.range).toEqual({ from: '2026-11-25', to: '2026-11-27' });
    expect(result.checks.map((c) => c.name)).toContain('freshness');
  });

  it('returns failed checks instead of throwing (here: an empty lake has no recent chart date)', async () => {
    const result = await runScheduledChecks(emptyEngine(), {
      today: '2026-11-27',
      days: 1,
      pending: NONE_PENDING,
    });
    expect(result.range).toEqual({ from: '2026-11-27', to: '2026-11-27' });
    expect(result.ok).toBe(false);
    // One failure for one cause: the recent days' coverage leaves an empty window to freshness.
    expect(result.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['freshness']);
    expect(checkMetrics(result)).toMatchObject({ FailedChecks: 1 });
  });

  it('checks the pending dates as ranges without freshness, and the last days with it, in one report', async () => {
    const engine = emptyEngine();
    const pending = { dates: ['2021-03-01', '2021-03-02', '2026-11-20'], keys: [] };
    const result = await runScheduledChecks(engine, { today: '2026-11-27', days: 3, pending });
    // Each range's closing count query names the range it checked.
    const ranges = engine.sql
      .filter((q) => q.includes('AS chart_days'))
      .map((q) => /snapshot_date BETWEEN DATE '([\d-]+)' AND DATE '([\d-]+)'/.exec(q)?.slice(1).join('..'))
      .filter((r): r is string => r !== undefined);
    expect(new Set(ranges)).toEqual(
      new Set(['2021-03-01..2021-03-02', '2026-11-20..2026-11-20', '2026-11-25..2026-11-27']),
    );
    expect(result.range).toEqual({ from: '2021-03-01', to: '2026-11-27' });
    expect(result.checks.filter((c) => c.name === 'freshness')).toHaveLength(1);
  });

  it('checks only the pending dates when days is 0 (the hourly run): no freshness', async () => {
    const pending = { dates: ['2024-02-05'], keys: [] };
    const engine: SqlEngine = {
      query: async (q) => (q.includes('AS demo_rows') ? chartDays(['2024-02-05']) : { rows: [] }),
    };
    const result = await runScheduledChecks(engine, { today: '2026-11-27', days: 0, pending });
    expect(result.range).toEqual({ from: '2024-02-05', to: '2024-02-05' });
    expect(result.checks.map((c) => c.name)).not.toContain('freshness');
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('fails a pending date that holds no chart: a date written is a date that must be there', async () => {
    const pending = { dates: ['2024-02-05'], keys: [] };
    const result = await runScheduledChecks(emptyEngine(), { today: '2026-11-27', days: 0, pending });
    expect(result.checks.find((c) => c.name === 'coverage')?.details).toEqual(['no chart on 2024-02-05']);
    expect(checkMetrics(result)).toMatchObject({ FailedChecks: 1, ChartDaysChecked: 0 });
  });

  it('passes the known gaps carried with the pending dates on to the checks', async () => {
    const knownGaps = [{ from: '2024-02-05', to: '2024-02-05', reason: 'Spotify published no chart' }];
    const pending = { dates: ['2024-02-05'], keys: [], knownGaps };
    const result = await runScheduledChecks(emptyEngine(), { today: '2026-11-27', days: 3, pending });
    expect(result.checks.find((c) => c.name === 'coverage')).toMatchObject({ ok: true, notes: 1 });
  });

  it('throws ChecksCannotRun, before any check, when the engine cannot answer the probe', async () => {
    const sql: string[] = [];
    const engine: SqlEngine = {
      query: async (q) => {
        sql.push(q);
        throw new Error('AccessDeniedException: not authorized to perform athena:StartQueryExecution');
      },
    };
    const error = await runScheduledChecks(engine, {
      today: '2026-11-27',
      days: 3,
      pending: NONE_PENDING,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksCannotRun);
    expect((error as ChecksCannotRun).message).toContain('athena:StartQueryExecution');
    expect((error as ChecksCannotRun).hint).toContain('permissions');
    expect(sql).toEqual([ENGINE_PROBE_SQL]);
  });

  it('probes with SQL a real engine accepts, naming every table and reading nothing', async () => {
    const engine = await LakeQueryEngine.open(await tempDir('check-probe-'));
    try {
      expect(ENGINE_PROBE_SQL).toMatch(/FROM album_data .* FROM artist_data .* FROM song_data WHERE false$/);
      expect((await engine.query(ENGINE_PROBE_SQL)).rows).toEqual([]);
    } finally {
      engine.close();
    }
  });
});
