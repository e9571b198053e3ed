-- New entries of one chart day: songs on the chart that day that were not on it the day before.
-- Both dates are literals so that each side reads one partition.
SELECT t.position, t.song_name, t.artist_names, t.streams, t.previous_rank, t.song_id
FROM song_data t
WHERE t.snapshot_date = DATE '2026-11-25'
  AND t.chart_id = 'regional-global-daily'
  AND NOT EXISTS (
    SELECT 1
    FROM song_data y
    WHERE y.snapshot_date = DATE '2026-11-24'
      AND y.chart_id = 'regional-global-daily'
      AND y.song_id = t.song_id
  )
ORDER BY t.position
