-- Streams per primary artist and chart day over a date range, with the number of their songs on the chart.
-- Joins artist_data for the name (album and artist rows exist when the run had Spotify credentials).
SELECT s.snapshot_date, a.artist_name, count(*) AS songs, sum(s.streams) AS total_streams
FROM song_data s
JOIN artist_data a
  ON a.artist_id = s.artist_id
 AND a.snapshot_date = s.snapshot_date
 AND a.chart_id = s.chart_id
WHERE s.snapshot_date BETWEEN DATE '2026-11-19' AND DATE '2026-11-25'
  AND a.snapshot_date BETWEEN DATE '2026-11-19' AND DATE '2026-11-25'
  AND s.chart_id = 'regional-global-daily'
GROUP BY s.snapshot_date, a.artist_id, a.artist_name
ORDER BY s.snapshot_date, total_streams DESC, a.artist_name
