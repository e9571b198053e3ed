// Chart dates written and not yet checked. The transformer leaves an empty marker per chart date it wrote
// (`checks/pending/<date>/<raw object name>`); the checker (on AWS, hourly) and `spotify-etl check --pending`
// check those dates and then delete exactly the markers they listed, so a date written meanwhile stays pending.
import { addDays, isIsoDate } from './dates.js';
import { capDetails, runChecks, type CheckReport, type CheckResult, type KnownGap } from './checks/index.js';
import { CHECKS_PENDING, TRANSFORMED, baseName } from './lake.js';
import type { QueryEngine, Storage } from '../ports.js';

/** Pending dates closer than this are checked as one range (a few extra days cost less than more queries). */
export const MERGE_GAP_DAYS = 31;

export interface PendingChecks {
  /** Distinct chart dates, sorted. */
  readonly dates: readonly string[];
  /** The marker keys listed, to delete once the dates are checked. */
  readonly keys: readonly string[];
  /**
   * Markers whose folder is not a calendar date (`2024-02-30/`): the markers check fails naming them, and they are
   * deleted with the rest once reported. Absent when there are none.
   */
  readonly invalid?: readonly string[];
  /**
   * The declared known gaps (readKnownGaps) the checks of these dates honour. Read by the caller, which holds the
   * storage, and carried here so that every runner of pending checks (the CLI, the checker) passes them on.
   */
  readonly knownGaps?: readonly KnownGap[];
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

/** Markers are `<date>/<raw object name>`; a key with no folder (a README) is not one. */
const isMarker = (key: string): boolean => key.slice(CHECKS_PENDING.length).includes('/');

export async function listPending(storage: Storage): Promise<PendingChecks> {
  const keys = await storage.list(CHECKS_PENDING);
  const dates = new Set<string>();
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const key of keys) {
    if (!isMarker(key)) continue; // left alone
    const date = markerDate(key);
    // A marker of an impossible date means rows were written under it: skipping it would hide them for good.
    if (!isIsoDate(date)) {
      invalid.push(key);
      continue;
    }
    dates.add(date);
    valid.push(key);
  }
  return { dates: [...dates].sort(), keys: valid, ...(invalid.length > 0 ? { invalid } : {}) };
}

/** The first `maxDates` pending dates and their markers: a bounded run, the rest left for the next one. */
export function firstDates(pending: PendingChecks, maxDates: number): PendingChecks {
  if (pending.dates.length <= maxDates) return pending;
  const dates = pending.dates.slice(0, maxDates);
  const last = dates[dates.length - 1] ?? '';
  // The invalid markers and the known gaps go with the first run: they cost no query.
  return {
    ...pending,
    dates,
    keys: pending.keys.filter((k) => markerDate(k) <= last),
  };
}

export async function clearPending(storage: Storage, pending: PendingChecks): Promise<void> {
  for (const key of [...pending.keys, ...(pending.invalid ?? [])]) await storage.delete(key);
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

/** The markers check: one failure per impossible date, naming its folder and what to look for. */
function markersCheck(invalid: readonly string[]): CheckResult {
  const byFolder = new Map<string, number>();
  for (const key of invalid) byFolder.set(markerDate(key), (byFolder.get(markerDate(key)) ?? 0) + 1);
  const details = [...byFolder].map(
    ([date, n]) =>
      `${CHECKS_PENDING}${date}/ (${n} marker${n === 1 ? '' : 's'}): "${date}" is not a calendar date, so the ` +
      `chart date it marks cannot be checked; look for snapshot_date=${date} under ${TRANSFORMED}`,
  );
  return {
    name: 'markers',
    ok: details.length === 0,
    failures: details.length,
    notes: 0,
    details: capDetails(details),
  };
}

/**
 * Checks the pending ranges (without freshness: they may be years old) and, when `since` is given, the days from
 * `since` up to today with freshness; one report for all, with the markers check when markers were listed. In a
 * pending range only the pending dates are asked to hold its charts: the days between them were not written.
 * Throws only as runChecks does (invalid options).
 */
export async function checkPending(
  engine: QueryEngine,
  pending: PendingChecks,
  options: { readonly today: string; readonly since?: string },
): Promise<CheckReport> {
  const knownGaps = pending.knownGaps ?? [];
  const reports: CheckReport[] = [];
  for (const range of dateRanges(pending.dates)) {
    const coverageDates = pending.dates.filter((d) => d >= range.from && d <= range.to);
    reports.push(await runChecks(engine, { today: options.today, ...range, knownGaps, coverageDates }));
  }
  if (options.since !== undefined) {
    // `to` left out, so that freshness is checked against today.
    reports.push(await runChecks(engine, { today: options.today, from: options.since, knownGaps }));
  }
  const merged = mergeReports(reports, options.today);
  const invalid = pending.invalid ?? [];
  if (pending.dates.length === 0 && invalid.length === 0) return merged;
  const markers = markersCheck(invalid);
  return {
    ...merged,
    ok: merged.ok && markers.ok,
    ...(reports.length === 0 ? { ranges: [] } : {}),
    checks: [...merged.checks, markers],
  };
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
