// The references check: an enriched song's album and artists have their rows on the same chart day.
import type { QueryEngine } from '#functions/ports.js';
import type { Issue } from './report.js';
import { within, type Scope } from './scope.js';
import { day, num, text } from './values.js';

export async function references(engine: QueryEngine, scope: Scope): Promise<Issue[]> {
  const albums = await engine.query(`
    SELECT s.chart_id, s.snapshot_date, s.album_id, count(*) AS songs, min(s.position) AS position
    FROM song_data s
    WHERE ${within(scope, 's.snapshot_date')} AND s.album_id IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM album_data a
        WHERE ${within(scope, 'a.snapshot_date')}
          AND a.snapshot_date = s.snapshot_date AND a.chart_id = s.chart_id AND a.album_id = s.album_id)
    GROUP BY s.chart_id, s.snapshot_date, s.album_id
    ORDER BY s.chart_id, s.snapshot_date, position`);
  // Rows without enrichment (album_id null: no credentials, local files) have nothing to refer to.
  // The filter sits in a CTE below the UNNEST: DuckDB does not push it through the lateral join, so without
  // the CTE it would read (and trip over) every day of the lake.
  const artists = await engine.query(`
    WITH s AS (
      SELECT chart_id, snapshot_date, position, artist_ids
      FROM song_data
      WHERE ${within(scope)} AND album_id IS NOT NULL
    )
    SELECT s.chart_id, s.snapshot_date, t.artist_id, count(*) AS songs, min(s.position) AS position
    FROM s
    CROSS JOIN UNNEST(s.artist_ids) AS t(artist_id)
    WHERE NOT EXISTS (
        SELECT 1 FROM artist_data a
        WHERE ${within(scope, 'a.snapshot_date')}
          AND a.snapshot_date = s.snapshot_date AND a.chart_id = s.chart_id AND a.artist_id = t.artist_id)
    GROUP BY s.chart_id, s.snapshot_date, t.artist_id
    ORDER BY s.chart_id, s.snapshot_date, position`);
  const line = (row: Record<string, unknown>, kind: 'album' | 'artist', id: unknown): Issue => {
    const more = (num(row.songs) ?? 1) - 1;
    const of = `the song at rank ${text(row.position)}${more > 0 ? ` and ${more} more` : ''}`;
    return {
      line: `${text(row.chart_id)} ${day(row.snapshot_date)}: ${kind} ${text(id)} of ${of} has no ${kind}_data row`,
    };
  };
  return [
    ...albums.rows.map((r) => line(r, 'album', r.album_id)),
    ...artists.rows.map((r) => line(r, 'artist', r.artist_id)),
  ];
}
