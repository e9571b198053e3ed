-- Each artist's share of one chart day's total streams (all chart entries of that day), biggest share first.
-- A collaboration counts in full for each credited artist (artist_names), so the shares of all artists add up to
-- more than 1 when the chart has collaborations; the day's total counts each chart entry once.
-- Follow one artist by adding: AND t.artist = '<name>' (a name's single quote is written twice).
SELECT t.artist,
       count(*) AS songs,
       sum(s.streams) AS artist_streams,
       max(d.day_streams) AS day_streams,
       CAST(sum(s.streams) AS DOUBLE) / max(d.day_streams) AS share
FROM song_data s
CROSS JOIN UNNEST(s.artist_names) AS t(artist)
CROSS JOIN (
  SELECT sum(streams) AS day_streams
  FROM song_data
  WHERE snapshot_date = DATE '2026-11-25'
    AND chart_id = 'regional-global-daily'
) d
WHERE s.snapshot_date = DATE '2026-11-25'
  AND s.chart_id = 'regional-global-daily'
GROUP BY t.artist
ORDER BY share DESC, t.artist
