// The coverage check: every checked day holds every chart the range holds (a weekly chart every 7th day).
import { cadenceDays } from '../chart.js';
import { daysFrom } from '../dates.js';
import type { ChartDay } from './chart-days.js';
import { GapNotes, absenceGap, type KnownGap } from './known-gaps.js';
import type { Issue } from './report.js';
import { dateList, datesOf, type Scope } from './scope.js';

export interface CoveragePlan {
  /**
   * An explicit range (--date, --from/--to, pending dates) is asked for in full. The recent days (no `to`) are asked
   * for from a chart's first date in them to the latest chart date: a lake that began within them passes, and the
   * days not yet extracted are for freshness to report.
   */
  readonly explicit: boolean;
  readonly coverageDates?: readonly string[];
  readonly knownGaps: readonly KnownGap[];
}

/** The dates each chart holds, and the dates that hold any chart. */
function datesHeld(days: readonly ChartDay[]): { held: Map<string, Set<string>>; withRows: Set<string> } {
  const held = new Map<string, Set<string>>();
  const withRows = new Set<string>();
  for (const d of days) {
    const dates = held.get(d.chartId) ?? new Set<string>();
    held.set(d.chartId, dates);
    dates.add(d.date);
    withRows.add(d.date);
  }
  return { held, withRows };
}

/** The dates each chart is expected on: every checked day, or every 7th from its first for a weekly chart. */
function expectedDates(
  held: ReadonlyMap<string, ReadonlySet<string>>,
  checked: readonly string[],
  scope: Scope,
  explicit: boolean,
): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  for (const [chartId, dates] of held) {
    const first = [...dates].sort()[0] ?? scope.from;
    const cadence = cadenceDays(chartId);
    expected.set(
      chartId,
      checked.filter(
        (d) => (explicit || d >= first) && ((daysFrom(first, d) % cadence) + cadence) % cadence === 0,
      ),
    );
  }
  return expected;
}

export function coverage(days: readonly ChartDay[], scope: Scope, plan: CoveragePlan): Issue[] {
  const only = plan.coverageDates === undefined ? undefined : new Set(plan.coverageDates);
  // Unreadable days fail the schema check; what they hold is unknown, so they are not also called missing.
  let checked = datesOf(scope).filter(
    (d) => (only === undefined || only.has(d)) && !scope.unreadable.some((u) => u.from <= d && d <= u.to),
  );
  const { held, withRows } = datesHeld(days);
  if (!plan.explicit) {
    const latest = [...withRows].sort().pop();
    if (latest === undefined) return []; // freshness reports the empty window
    checked = checked.filter((d) => d <= latest);
  }
  const expected = expectedDates(held, checked, scope, plan.explicit);

  const expectedOn = new Map([...expected].map(([chartId, dates]) => [chartId, new Set(dates)]));
  const notes = new GapNotes();
  const noChart: string[] = [];
  for (const date of checked) {
    if (withRows.has(date)) continue;
    const excused = (chartId: string | undefined): boolean => {
      const gap = absenceGap(plan.knownGaps, chartId, date);
      if (gap) notes.use(gap, date);
      return gap !== undefined;
    };
    // A range that holds no chart at all still expects one on each of its days.
    const wanted =
      held.size === 0
        ? !excused(undefined)
        : [...expected]
            .filter(([chartId]) => expectedOn.get(chartId)?.has(date))
            .map(([chartId]) => !excused(chartId))
            .some(Boolean);
    if (wanted) noChart.push(date);
  }

  const issues: Issue[] = [];
  if (noChart.length > 0) issues.push({ line: `no chart on ${dateList(noChart)}`, count: noChart.length });
  const empty = new Set(noChart);
  for (const [chartId, dates] of [...expected].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const has = held.get(chartId) ?? new Set<string>();
    const missing = dates.filter((date) => {
      if (has.has(date) || empty.has(date)) return false;
      const gap = absenceGap(plan.knownGaps, chartId, date);
      if (gap) notes.use(gap, date);
      return gap === undefined;
    });
    if (missing.length > 0) {
      issues.push({
        line: `${chartId}: missing on ${dateList(missing)} (${missing.length} of ${dates.length} chart dates)`,
        count: missing.length,
      });
    }
  }
  return [...issues, ...notes.issues(() => 'absent')];
}
