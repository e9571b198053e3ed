-- Top movers of one chart day: the 10 biggest rank gains and the 10 biggest drops against previous_rank (the
-- song's position on the chart the day before). New entries and re-entries (previous_rank null) are left out.
-- places_gained = previous_rank - position: gains first, biggest at the top; drops last, biggest at the bottom.
SELECT movement, position, previous_rank, places_gained, song_name, artist_names, streams, song_id
FROM (
  SELECT CASE WHEN previous_rank > position THEN 'up' ELSE 'down' END AS movement,
         position,
         previous_rank,
         previous_rank - position AS places_gained,
         song_name,
         artist_names,
         streams,
         song_id,
         row_number() OVER (
           PARTITION BY previous_rank > position
           ORDER BY abs(previous_rank - position) DESC, position
         ) AS mover_rank
  FROM song_data
  WHERE snapshot_date = DATE '2026-11-25'
    AND chart_id = 'regional-global-daily'
    AND previous_rank IS NOT NULL
    AND previous_rank <> position
) movers
WHERE mover_rank <= 10
ORDER BY places_gained DESC, position
