// Chart dates written and not yet checked. The transformer leaves an empty marker per chart date it wrote
// (`checks/pending/<date>/<raw object name>`); the checker (on AWS, hourly) and `spotify-etl check --pending`
// check those dates and then delete exactly the markers they listed, so a date written meanwhile stays pending.
import { addDays, isIsoDate } from './chart.js';
import { capDetails, runChecks, type CheckReport, type CheckResult, type SqlEngine } from './checks.js';
import { CHECKS_PENDING, baseName } from './lake.js';
import type { Storage } from '../ports.js';

/** Pending dates closer than this are checked as one range (a few extra days cost less than more queries). */
export const MERGE_GAP_DAYS = 31;

export interface PendingChecks {
  /** Distinct chart dates, sorted. */
  readonly dates: readonly string[];
  /** The marker keys listed, to delete once the dates are checked. */
  readonly keys: readonly string[];
}

export interface DateRange {
  readonly from: string;
  readonly to: string;
}

/** Marks the chart dates a raw object wrote (idempotent: a retried object writes the same markers). */
export async function markPending(storage: Storage, dates: Iterable<string>, rawKey: string): Promise<void> {
  const name = baseName(rawKey);
  for (const date of new Set(dates)) await storage.put(`${CHECKS_PENDING}${date}/${name}`, '');
}

/** The chart date a marker key names (the folder right under checks/pending/). */
const markerDate = (key: string): string => key.slice(CHECKS_PENDING.length).split('/')[0] ?? '';

export async function listPending(storage: Storage): Promise<PendingChecks> {
  const keys = await storage.list(CHECKS_PENDING);
  const dates = new Set<string>();
  const valid: string[] = [];
  for (const key of keys) {
    const date = markerDate(key);
    if (!isIsoDate(date)) continue; // not a marker; left alone
    dates.add(date);
    valid.push(key);
  }
  return { dates: [...dates].sort(), keys: valid };
}

/** The first `maxDates` pending dates and their markers: a bounded run, the rest left for the next one. */
export function firstDates(pending: PendingChecks, maxDates: number): PendingChecks {
  if (pending.dates.length <= maxDates) return pending;
  const dates = pending.dates.slice(0, maxDates);
  const last = dates[dates.length - 1] ?? '';
  return {
    dates,
    keys: pending.keys.filter((k) => markerDate(k) <= last),
  };
}

export async function clearPending(storage: Storage, pending: PendingChecks): Promise<void> {
  for (const key of pending.keys) await storage.delete(key);
}

/** Sorted dates → ranges; dates at most MERGE_GAP_DAYS apart share a range. */
export function dateRanges(dates: readonly string[], gapDays = MERGE_GAP_DAYS): DateRange[] {
  const ranges: { from: string; to: string }[] = [];
  for (const date of [...dates].sort()) {
    const last = ranges[ranges.length - 1];
    if (last && date <= addDays(last.to, gapDays)) {
      if (date > last.to) last.to = date;
    } else ranges.push({ from: date, to: date });
  }
  return ranges;
}

/**
 * Checks the pending ranges (without freshness: they may be years old) and, when `since` is given, the days from
 * `since` up to today with freshness; one report for all. Throws only as runChecks does (invalid options).
 */
export async function checkPending(
  engine: SqlEngine,
  pending: PendingChecks,
  options: { readonly today: string; readonly since?: string },
): Promise<CheckReport> {
  const reports: CheckReport[] = [];
  for (const range of dateRanges(pending.dates)) {
    reports.push(await runChecks(engine, { today: options.today, from: range.from, to: range.to }));
  }
  if (options.since !== undefined) {
    // `to` left out, so that freshness is checked against today.
    reports.push(await runChecks(engine, { today: options.today, from: options.since }));
  }
  return mergeReports(reports, options.today);
}

/** Several reports as one: a check fails when it failed in any; details are capped as in one report. */
export function mergeReports(reports: readonly CheckReport[], today: string): CheckReport {
  if (reports.length === 1 && reports[0]) return reports[0];
  const byName = new Map<CheckResult['name'], CheckResult[]>();
  for (const report of reports) {
    for (const check of report.checks) {
      const results = byName.get(check.name);
      if (results) results.push(check);
      else byName.set(check.name, [check]);
    }
  }
  const checks = [...byName].map(([name, results]): CheckResult => ({
    name,
    ok: results.every((r) => r.ok),
    failures: results.reduce((n, r) => n + r.failures, 0),
    notes: results.reduce((n, r) => n + r.notes, 0),
    details: capDetails(results.flatMap((r) => r.details)),
  }));
  const froms = reports.map((r) => r.range.from).sort();
  const tos = reports.map((r) => r.range.to).sort();
  return {
    ok: checks.every((c) => c.ok),
    range: { from: froms[0] ?? today, to: tos[tos.length - 1] ?? today },
    ...(reports.length > 1 ? { ranges: reports.map((r) => r.range) } : {}),
    checked: {
      chartDays: reports.reduce((n, r) => n + r.checked.chartDays, 0),
      songRows: reports.reduce((n, r) => n + r.checked.songRows, 0),
    },
    checks,
  };
}
