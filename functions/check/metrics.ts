// The checker's CloudWatch metrics, from a check report: what its FailedChecks alarm and its dashboard row watch.
import type { CheckReport, CheckResult } from '../core/checks/index.js';

/** runChecks' detail line for a check whose query failed (a failure of the checker, not a finding in the data). */
const COULD_NOT_RUN = 'could not run: ';

const couldNotRun = (check: CheckResult): boolean => check.details.some((d) => d.startsWith(COULD_NOT_RUN));

/**
 * FailedChecks: checks that failed, previous_rank aside — real charts keep a song's previous_rank when Spotify
 * relinks it to a new track id overnight (see checks.ts), so its mismatches are graphed (PreviousRankMismatches),
 * not alarmed; a previous_rank query that could not run still counts as a failed check.
 * ChartDaysChecked: chart days the range held (0 means every check passed vacuously).
 */
export function checkMetrics(report: CheckReport): Record<string, number> {
  const previousRank = report.checks.find((c) => c.name === 'previous_rank');
  return {
    FailedChecks: report.checks.filter((c) => !c.ok && (c.name !== 'previous_rank' || couldNotRun(c))).length,
    PreviousRankMismatches: previousRank && !couldNotRun(previousRank) ? previousRank.failures : 0,
    ChartDaysChecked: report.checked.chartDays,
  };
}
