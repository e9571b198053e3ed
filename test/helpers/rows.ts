// A song_data row as the transformer writes it, for tests that build a lake by writing partition files directly.
/** A valid song row at `position`; `overrides` set the columns a test cares about. */
export function songRow(position: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    song_id: `id${position}`,
    song_name: `Song ${position}`,
    duration_ms: 1000,
    url: null,
    song_added: null,
    album_id: null,
    artist_id: null,
    artist_ids: [],
    artist_names: ['A'],
    position,
    explicit: false,
    is_local: false,
    streams: 10 * position,
    peak_rank: 1,
    previous_rank: null,
    days_on_chart: 1,
    weeks_on_chart: null,
    popularity: null,
    chart_id: 'regional-global-daily',
    region: 'global',
    source_kind: 'charts-csv',
    run_id: 'r',
    extracted_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}
