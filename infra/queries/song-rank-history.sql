-- Rank history of one song: its position and streams on every chart day of a date range.
-- Here the song at number 1 on the range's last day; put a song_id literal in the subquery's place to follow another.
SELECT snapshot_date, position, streams, previous_rank, song_name
FROM song_data
WHERE snapshot_date BETWEEN DATE '2026-11-01' AND DATE '2026-11-25'
  AND chart_id = 'regional-global-daily'
  AND song_id IN (
    SELECT song_id
    FROM song_data
    WHERE snapshot_date = DATE '2026-11-25'
      AND chart_id = 'regional-global-daily'
      AND position = 1
  )
ORDER BY snapshot_date
