// The previous_rank check: a song's previous_rank agrees with the previous day's chart, where the lake has that day.
import { addDays } from '../dates.js';
import type { QueryEngine } from '#functions/ports.js';
import type { Issue } from './report.js';
import { within, type Scope } from './scope.js';
import { day, text } from './values.js';

/** The songs of the daily charts whose previous_rank disagrees with the day before (both days in the lake). */
const mismatchesSql = (scope: Scope): string => `
    WITH cur AS (
      SELECT chart_id, snapshot_date, song_id, song_name, position, previous_rank
      FROM song_data
      WHERE ${within(scope)} AND song_id IS NOT NULL AND chart_id LIKE '%-daily'
    ), prev AS (
      SELECT chart_id, snapshot_date, song_id, song_name, position
      FROM song_data
      WHERE ${within(scope, 'snapshot_date', -1)} AND chart_id LIKE '%-daily'
    ), prev_days AS (
      SELECT DISTINCT chart_id, snapshot_date FROM prev
    ), seen AS (
      SELECT chart_id, snapshot_date, song_id, min(position) AS first_position, max(position) AS last_position
      FROM prev WHERE song_id IS NOT NULL
      GROUP BY chart_id, snapshot_date, song_id
    ), at_rank AS (
      SELECT chart_id, snapshot_date, position, min(song_id) AS song_id, min(song_name) AS song_name
      FROM prev
      GROUP BY chart_id, snapshot_date, position
    )
    SELECT c.chart_id, c.snapshot_date, c.song_id, c.song_name, c.position, c.previous_rank,
           s.first_position AS was, o.song_id AS other_id, o.song_name AS other_name
    FROM cur c
    JOIN prev_days d ON d.chart_id = c.chart_id AND d.snapshot_date = c.snapshot_date - INTERVAL '1' DAY
    LEFT JOIN seen s ON s.chart_id = c.chart_id AND s.snapshot_date = d.snapshot_date AND s.song_id = c.song_id
    LEFT JOIN at_rank o ON o.chart_id = c.chart_id AND o.snapshot_date = d.snapshot_date
                       AND o.position = c.previous_rank
    WHERE (c.previous_rank IS NULL AND s.song_id IS NOT NULL)
       OR (c.previous_rank IS NOT NULL AND s.song_id IS NULL)
       OR (c.previous_rank <> s.first_position AND c.previous_rank <> s.last_position)
    ORDER BY c.chart_id, c.snapshot_date, c.position`;

/** One mismatch as a detail line: a failure, or a note for a song relinked to a new track id. */
function mismatch(row: Record<string, unknown>): Issue {
  const date = day(row.snapshot_date);
  const before = addDays(date, -1);
  const song = `"${text(row.song_name)}" (${text(row.song_id)}) at rank ${text(row.position)}`;
  const claims =
    row.previous_rank === null || row.previous_rank === undefined
      ? 'previous_rank null (a new entry)'
      : `previous_rank ${text(row.previous_rank)}`;
  let fact: string;
  if (row.was !== null && row.was !== undefined) fact = `it was at rank ${text(row.was)} on ${before}`;
  else {
    fact = `it was not on the ${before} chart`;
    if (row.other_id !== null && row.other_id !== undefined) {
      // Spotify relinks a song to a new track id (a re-release, a new edition) and the chart keeps its rank:
      // the same song under another id, told by its title (one title starts the other, case aside).
      const a = text(row.other_name).toLowerCase();
      const b = text(row.song_name).toLowerCase();
      if (a !== '' && b !== '' && (a.startsWith(b) || b.startsWith(a))) {
        return {
          line: `note: ${text(row.chart_id)} ${date}: ${song} has ${claims}; on ${before} that rank held "${text(row.other_name)}" under track id ${text(row.other_id)}: the same song relinked to a new track id`,
          count: 0,
        };
      }
      fact += ` (rank ${text(row.previous_rank)} there: "${text(row.other_name)}" ${text(row.other_id)})`;
    }
  }
  return { line: `${text(row.chart_id)} ${date}: ${song} has ${claims}, but ${fact}` };
}

export async function previousRank(engine: QueryEngine, scope: Scope): Promise<Issue[]> {
  const { rows } = await engine.query(mismatchesSql(scope));
  return rows.map(mismatch);
}
