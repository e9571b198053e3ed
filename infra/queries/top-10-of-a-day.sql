-- The top 10 of one chart day: position, song, artists and streams.
-- Change the date literal; the snapshot_date filter reads one partition only.
SELECT position, song_name, artist_names, streams, previous_rank
FROM song_data
WHERE snapshot_date = DATE '2026-11-25'
  AND chart_id = 'regional-global-daily'
ORDER BY position
LIMIT 10
