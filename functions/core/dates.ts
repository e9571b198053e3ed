// Chart dates (YYYY-MM-DD, UTC): the one home of the calendar rules the pipeline, the checks and the CLI share.

export const DAY_MS = 86_400_000;

/** Sorts after every real chart date: files and keys whose name gives no date go last. */
export const UNDATED = '9999-99-99';

/** A real calendar day in YYYY-MM-DD (2024-02-30 is not). */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Sorted dates as runs of dates `step` days apart: [2024-02-07…2024-02-09] rather than three dates. */
export function dateRuns(dates: readonly string[], step = 1): { from: string; to: string }[] {
  const runs: { from: string; to: string }[] = [];
  for (const date of dates) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.to, step) === date) last.to = date;
    else runs.push({ from: date, to: date });
  }
  return runs;
}

/** Every calendar day from `from` to `to`, both included (empty when `to` is before `from`). */
export function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}
