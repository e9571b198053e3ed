// The checker's domain side: which report counts become metrics, the EMF line they make, and the daily run that
// throws only when nothing can run.
import { LakeQueryEngine } from '../../functions/adapters/local/duckdb-query.js';
import { emfDocument } from '../../functions/adapters/aws/metrics.js';
import { ChecksCannotRun, ENGINE_PROBE_SQL, runDailyChecks } from '../../functions/check/daily.js';
import { checkMetrics } from '../../functions/check/metrics.js';
import {
  runChecks,
  type CheckReport,
  type CheckResult,
  type SqlEngine,
} from '../../functions/core/checks.js';
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
        return { rows: [] };
      },
    };
    const result = await runChecks(engine, { from: '2026-11-25', to: '2026-11-27', today: '2026-11-27' });
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

describe('runDailyChecks', () => {
  it('probes the engine first, then checks the last `days` chart dates up to today, freshness included', async () => {
    const engine = emptyEngine();
    const result = await runDailyChecks(engine, { today: '2026-11-27', days: 3 });
    expect(engine.sql[0]).toBe(ENGINE_PROBE_SQL);
    expect(result.range).toEqual({ from: '2026-11-25', to: '2026-11-27' });
    expect(result.checks.map((c) => c.name)).toContain('freshness');
  });

  it('returns failed checks instead of throwing (here: an empty lake has no recent chart date)', async () => {
    const result = await runDailyChecks(emptyEngine(), { today: '2026-11-27', days: 1 });
    expect(result.range).toEqual({ from: '2026-11-27', to: '2026-11-27' });
    expect(result.ok).toBe(false);
    expect(checkMetrics(result)).toMatchObject({ FailedChecks: 1 });
  });

  it('throws ChecksCannotRun, before any check, when the engine cannot answer the probe', async () => {
    const sql: string[] = [];
    const engine: SqlEngine = {
      query: async (q) => {
        sql.push(q);
        throw new Error('AccessDeniedException: not authorized to perform athena:StartQueryExecution');
      },
    };
    const error = await runDailyChecks(engine, { today: '2026-11-27', days: 3 }).catch((e: unknown) => e);
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
