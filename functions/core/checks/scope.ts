// The checked days as SQL: a range of chart dates minus the intervals the engine could not read, and dates as text.
import { addDays, dateRuns, daysFrom, everyDay } from '../dates.js';

export interface Interval {
  readonly from: string;
  readonly to: string;
}

/** A range of chart dates, minus intervals the engine could not read (found by the schema check). */
export interface Scope extends Interval {
  readonly unreadable: readonly Interval[];
}

export const between = (column: string, i: Interval): string =>
  `${column} BETWEEN DATE '${i.from}' AND DATE '${i.to}'`;

/**
 * The snapshot_date filter of a scope, optionally shifted (the previous day of every checked day). Every query
 * filters snapshot_date with DATE literals, so an engine with partition pruning reads only the checked days.
 */
export function within(scope: Scope, column = 'snapshot_date', shiftDays = 0): string {
  const range = { from: addDays(scope.from, shiftDays), to: addDays(scope.to, shiftDays) };
  return [between(column, range), ...scope.unreadable.map((i) => `NOT (${between(column, i)})`)].join(
    ' AND ',
  );
}

export const showInterval = (i: Interval): string => (i.from === i.to ? i.from : `${i.from}…${i.to}`);

/** Every date from..to, in order. */
export const datesOf = (i: Interval): string[] => everyDay(i.from, i.to);

/** Runs of consecutive dates listed in a detail line at most; the rest are counted. */
const MAX_DATE_RUNS = 10;

/** Sorted dates as runs: "2024-02-07, 2024-02-10…2024-02-12", the runs past MAX_DATE_RUNS counted. */
export function dateList(dates: readonly string[]): string {
  const runs = dateRuns(dates);
  const shown = runs.slice(0, MAX_DATE_RUNS).map(showInterval);
  const hidden = runs.slice(MAX_DATE_RUNS).reduce((n, r) => n + daysFrom(r.from, r.to) + 1, 0);
  return shown.join(', ') + (hidden > 0 ? `, and ${hidden} more day${hidden === 1 ? '' : 's'}` : '');
}
