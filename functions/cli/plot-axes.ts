// The axes both plots share: the worst rank shown, the rank ticks and the date labels.
import type { RankHistory } from '#functions/core/rank-history.js';

const NICE_MAX_RANKS = [10, 20, 50, 100, 150, 200];

/** The bottom of the y axis: the worst rank shown, rounded up to 10, 20, 50, 100, 150 or 200 (a chart's length). */
export function axisMaxRank(history: RankHistory): number {
  const worst = Math.max(1, ...history.series.flatMap((s) => s.ranks.filter((r): r is number => r !== null)));
  return NICE_MAX_RANKS.find((n) => n >= worst) ?? Math.ceil(worst / 100) * 100;
}

/** 1, then steps of 5, 10, 25, 50… up to the axis maximum: at most six labels. */
export function rankTicks(maxRank: number): number[] {
  const step = [5, 10, 25, 50, 100, 250, 500].find((s) => maxRank / s <= 5) ?? Math.ceil(maxRank / 5);
  const ticks = [1];
  for (let r = step; r <= maxRank; r += step) ticks.push(r);
  if (ticks.at(-1) !== maxRank) ticks.push(maxRank);
  return ticks;
}

/** Dates as `MM-DD` when the history stays within one year (the year is then said once), else in full. */
export function dateLabeller(dates: readonly string[]): { label: (d: string) => string; axis: string } {
  const years = new Set(dates.map((d) => d.slice(0, 4)));
  return years.size === 1
    ? { label: (d) => d.slice(5), axis: `date (${[...years][0]})` }
    : { label: (d) => d, axis: 'date' };
}
