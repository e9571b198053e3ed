// What the checks report: one result per check, its failing items and readable detail lines, and the whole report.

import { errorMessage } from './values.js';

export type CheckName =
  'schema' | 'coverage' | 'ranks' | 'duplicates' | 'references' | 'previous_rank' | 'freshness' | 'markers';

export interface CheckResult {
  readonly name: CheckName;
  readonly ok: boolean;
  /** Failing items: ranks, rows, keys or chart days, as each check's details say. */
  readonly failures: number;
  /** Lines that explain without failing (a relinked track id); they are among the details, marked "note:". */
  readonly notes: number;
  /** Up to MAX_DETAILS readable lines; the last one says how many more when there are more. */
  readonly details: readonly string[];
}

export interface CheckReport {
  readonly ok: boolean;
  /** From the first checked date to the last. */
  readonly range: { readonly from: string; readonly to: string };
  /** The ranges checked, when there were several (`check --pending`): the days between them were not. */
  readonly ranges?: readonly { readonly from: string; readonly to: string }[];
  /** What the range held: 0 chart days fails coverage (an explicit range) or freshness (the recent days). */
  readonly checked: { readonly chartDays: number; readonly songRows: number };
  readonly checks: readonly CheckResult[];
}

export const MAX_DETAILS = 20;

/** What a check finds: one detail line. */
export interface Issue {
  readonly line: string;
  /** Failing items this line stands for (default 1); 0 makes the line a note that does not fail the check. */
  readonly count?: number;
}

/** At most MAX_DETAILS lines, the last saying how many more there were. */
export function capDetails(lines: readonly string[]): readonly string[] {
  return lines.length <= MAX_DETAILS
    ? lines
    : [...lines.slice(0, MAX_DETAILS - 1), `… and ${lines.length - MAX_DETAILS + 1} more`];
}

export function result(name: CheckName, issues: readonly Issue[]): CheckResult {
  const failures = issues.reduce((n, i) => n + (i.count ?? 1), 0);
  const details = capDetails(issues.map((i) => i.line));
  const notes = issues.filter((i) => i.count === 0).length;
  return { name, ok: failures === 0, failures, notes, details };
}

/** A check whose query fails reports that it could not run, instead of failing the whole run. */
export async function guarded(name: CheckName, run: () => Promise<readonly Issue[]>): Promise<CheckResult> {
  try {
    return result(name, await run());
  } catch (error) {
    return result(name, [{ line: `could not run: ${errorMessage(error)}` }]);
  }
}
