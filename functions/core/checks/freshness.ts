// The freshness check: the latest chart date is at most maxAgeDays before today (has the daily run stopped?).
import { addDays, daysFrom } from '../dates.js';
import type { QueryEngine } from '#functions/ports.js';
import type { Issue } from './report.js';
import { within, type Scope } from './scope.js';
import { day } from './values.js';

export async function freshness(
  engine: QueryEngine,
  scope: Scope,
  today: string,
  maxAgeDays: number,
): Promise<Issue[]> {
  const oldest = addDays(today, -maxAgeDays);
  const window: Scope = { ...scope, from: scope.from < oldest ? scope.from : oldest, to: today };
  const { rows } = await engine.query(
    `SELECT max(snapshot_date) AS latest FROM song_data WHERE ${within(window)}`,
  );
  const latest = rows[0]?.latest;
  if (latest === null || latest === undefined) {
    return [
      { line: `no chart date between ${window.from} and ${today} (at most ${maxAgeDays} days old allowed)` },
    ];
  }
  const age = daysFrom(day(latest), today);
  return age <= maxAgeDays
    ? []
    : [
        {
          line: `the latest chart date ${day(latest)} is ${age} days before ${today} (at most ${maxAgeDays} allowed): has the daily run stopped?`,
        },
      ];
}
