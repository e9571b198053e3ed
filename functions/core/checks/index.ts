// Data-quality checks over the lake, written as SQL for any QueryEngine (DuckDB locally, Athena on AWS): runChecks.
import type { QueryEngine } from '#functions/ports.js';
import { queryChartDays, type ChartDay } from './chart-days.js';
import { coverage } from './coverage.js';
import { duplicates } from './duplicates.js';
import { freshness } from './freshness.js';
import { planChecks, type CheckOptions } from './plan.js';
import { previousRank } from './previous-rank.js';
import { ranks } from './ranks.js';
import { references } from './references.js';
import { guarded, result, type CheckReport, type CheckResult } from './report.js';
import { schemaCheck } from './schema.js';
import { within, type Scope } from './scope.js';
import { num } from './values.js';

export type { CheckOptions } from './plan.js';
export { DEFAULT_MAX_AGE_DAYS, DEFAULT_RANGE_DAYS } from './plan.js';
export { MAX_DETAILS, capDetails, type CheckName, type CheckReport, type CheckResult } from './report.js';
export { KNOWN_GAPS, parseKnownGaps, readKnownGaps, validateKnownGaps, type KnownGap } from './known-gaps.js';

/** What the scope held, for the reader of the report: chart days and song rows. */
async function countChecked(
  engine: QueryEngine,
  scope: Scope,
): Promise<{ chartDays: number; songRows: number }> {
  try {
    const { rows } = await engine.query(`
      SELECT count(*) AS chart_days, coalesce(sum(n), 0) AS song_rows
      FROM (SELECT chart_id, snapshot_date, count(*) AS n FROM song_data WHERE ${within(scope)}
            GROUP BY chart_id, snapshot_date) AS d`);
    return { chartDays: num(rows[0]?.chart_days) ?? 0, songRows: num(rows[0]?.song_rows) ?? 0 };
  } catch {
    // The counts are context for the reader; the checks already report an engine that cannot answer.
    return { chartDays: 0, songRows: 0 };
  }
}

/**
 * Runs every check over the chart dates from..to, in the report's order: schema, coverage, ranks, duplicates,
 * references, previous_rank, and freshness when no `to` is given. Never throws for bad data: a file the engine
 * cannot read is a schema failure (its days are left out of the other checks); a check whose query fails reports
 * that it could not run; a range without data fails coverage (or, for the recent days, freshness). Throws EtlError
 * only for invalid options.
 */
export async function runChecks(engine: QueryEngine, options: CheckOptions): Promise<CheckReport> {
  const plan = planChecks(options);
  const { from, to } = plan;
  const schema = await schemaCheck(engine, { from, to });
  const scope: Scope = { from, to, unreadable: schema.unreadable };

  // One query for both checks that judge whole chart days; when it fails, both say they could not run.
  let days: Promise<ChartDay[]> | undefined;
  const chartDays = (): Promise<ChartDay[]> => (days ??= queryChartDays(engine, scope));
  const checks: CheckResult[] = [
    result('schema', schema.issues),
    await guarded('coverage', async () => coverage(await chartDays(), scope, plan)),
    await guarded('ranks', async () => ranks(engine, scope, await chartDays(), plan.knownGaps)),
    await guarded('duplicates', () => duplicates(engine, scope)),
    await guarded('references', () => references(engine, scope)),
    await guarded('previous_rank', () => previousRank(engine, scope)),
  ];
  if (!plan.explicit) {
    checks.push(await guarded('freshness', () => freshness(engine, scope, plan.today, plan.maxAgeDays)));
  }
  const checked = await countChecked(engine, scope);
  return { ok: checks.every((c) => c.ok), range: { from, to }, checked, checks };
}
