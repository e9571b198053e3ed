// The ranks check: positions 1..N, each once, per chart day, where N is the chart's size when it has a fixed one.
import { SPOTIFY_CHART_SIZE } from '#functions/core/chart-completeness.js';
import type { QueryEngine } from '#functions/ports.js';
import type { ChartDay } from './chart-days.js';
import { GapNotes, sizeGap, type KnownGap } from './known-gaps.js';
import type { Issue } from './report.js';
import { within, type Scope } from './scope.js';
import { day, num, text } from './values.js';

/** Spotify's regional charts (charts.spotify.com, daily and weekly) are a Top 200. */
const TOP_200_CHART = /^regional-[a-z0-9]+-(?:daily|weekly)$/;

const rankSpan = (first: number, last: number): string =>
  first === last ? `rank ${first}` : `ranks ${first}–${last}`;

/**
 * The entries a chart day must hold: as declared in the known gaps; 200 for Spotify's regional charts; none fixed
 * for playlists and the demo (their size is their last rank, and the gap query finds what is missing below it).
 */
function chartSize(d: ChartDay, gaps: readonly KnownGap[]): { size: number; gap?: KnownGap } | undefined {
  const gap = sizeGap(gaps, d.chartId, d.date);
  if (gap?.expected_entries !== undefined) return { size: gap.expected_entries, gap };
  return !d.demo && TOP_200_CHART.test(d.chartId) ? { size: SPOTIFY_CHART_SIZE } : undefined;
}

/** Ranks missing below a chart day's last rank, and ranks that appear more than once: lines per chart day. */
async function rankGaps(engine: QueryEngine, scope: Scope): Promise<Map<string, Issue[]>> {
  const { rows } = await engine.query(`
    WITH p AS (
      SELECT chart_id, snapshot_date, position, count(*) AS n
      FROM song_data
      WHERE ${within(scope)} AND position IS NOT NULL
      GROUP BY chart_id, snapshot_date, position
    ), g AS (
      SELECT chart_id, snapshot_date, position, n,
             lag(position) OVER (PARTITION BY chart_id, snapshot_date ORDER BY position) AS prev_position
      FROM p
    )
    SELECT chart_id, snapshot_date, position, n, prev_position
    FROM g
    WHERE n > 1 OR position - coalesce(prev_position, 0) > 1
    ORDER BY chart_id, snapshot_date, position`);
  // Lines per chart day, so that a chart's missing tail follows the gaps found below its last rank.
  const byDay = new Map<string, Issue[]>();
  const push = (where: string, issue: Issue): void => {
    const issues = byDay.get(where);
    if (issues) issues.push(issue);
    else byDay.set(where, [issue]);
  };
  // Consecutive ranks duplicated the same number of times make one line ("ranks 1–200 appear 2 times each").
  let dup: { where: string; first: number; last: number; n: number } | undefined;
  const flush = (): void => {
    if (!dup) return;
    const single = dup.first === dup.last;
    push(dup.where, {
      line: `${dup.where}: ${rankSpan(dup.first, dup.last)} ${single ? 'appears' : 'appear'} ${dup.n} times${single ? '' : ' each'}`,
      count: dup.last - dup.first + 1,
    });
    dup = undefined;
  };
  for (const row of rows) {
    const where = `${text(row.chart_id)} ${day(row.snapshot_date)}`;
    const position = num(row.position) ?? 0;
    const before = num(row.prev_position) ?? 0;
    const n = num(row.n) ?? 1;
    if (dup && (dup.where !== where || dup.last + 1 !== position || dup.n !== n)) flush();
    if (position - before > 1) {
      push(where, {
        line: `${where}: ${rankSpan(before + 1, position - 1)} missing`,
        count: position - before - 1,
      });
    }
    if (n > 1) {
      if (dup) dup.last = position;
      else dup = { where, first: position, last: position, n };
    }
  }
  flush();
  return byDay;
}

export async function ranks(
  engine: QueryEngine,
  scope: Scope,
  chartDays: readonly ChartDay[],
  knownGaps: readonly KnownGap[],
): Promise<Issue[]> {
  const byDay = await rankGaps(engine, scope);
  const notes = new GapNotes();
  const issues: Issue[] = [];
  for (const d of chartDays) {
    const where = `${d.chartId} ${d.date}`;
    issues.push(...(byDay.get(where) ?? []));
    byDay.delete(where);
    const expected = chartSize(d, knownGaps);
    if (expected === undefined) continue;
    const { size, gap } = expected;
    const why = gap
      ? `${size} entries declared in known-gaps.json: ${gap.reason}`
      : `a Spotify regional chart has ${size} entries`;
    if (d.lastPosition < size) {
      issues.push({
        line: `${where}: ${rankSpan(d.lastPosition + 1, size)} missing (${why})`,
        count: size - d.lastPosition,
      });
    } else if (d.lastPosition > size) {
      issues.push({
        line: `${where}: ${rankSpan(size + 1, d.lastPosition)} beyond the chart's size (${why})`,
        count: d.lastPosition - size,
      });
    } else if (gap) notes.use(gap, d.date);
  }
  // A chart day the day query did not list (a file written between the two queries): its lines are kept.
  for (const rest of byDay.values()) issues.push(...rest);
  return [...issues, ...notes.issues((gap) => `${String(gap.expected_entries)} entries`)];
}
