-- The longest-charting songs in a date range: days on the chart (Spotify's count), best position, total streams.
SELECT song_id,
       max(song_name) AS song_name,
       max(days_on_chart) AS max_days_on_chart,
       min(position) AS best_position,
       count(*) AS days_in_range,
       sum(streams) AS streams_in_range
FROM song_data
WHERE snapshot_date BETWEEN DATE '2026-01-01' AND DATE '2026-11-25'
  AND chart_id = 'regional-global-daily'
  AND song_id IS NOT NULL
GROUP BY song_id
ORDER BY max_days_on_chart DESC NULLS LAST, best_position, song_id
LIMIT 20
