// Splitting a raw track record into song, album and artist rows (pure functions, no I/O).
import { trackIdFromUri } from './chart.js';
import type { SpotifyAlbum, SpotifyArtist } from './spotify-types.js';
import type { AlbumRow, ArtistRow, RawTrackRecord, SongRow } from './record-types.js';

export interface Rows {
  readonly song: SongRow;
  readonly album: AlbumRow | undefined;
  readonly artists: readonly ArtistRow[];
}

export type SplitResult = { readonly rows: Rows } | { readonly reject: string };

function largestImage(album: SpotifyAlbum): string | null {
  const images = album.images ?? [];
  if (images.length === 0) return null;
  return [...images].sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0]?.url ?? null;
}

export function albumRow(album: SpotifyAlbum & { id: string }, chartId: string, runId: string): AlbumRow {
  return {
    album_id: album.id,
    name: album.name,
    release_date: album.release_date ?? null,
    release_date_precision: album.release_date_precision ?? null,
    total_tracks: album.total_tracks ?? null,
    album_type: album.album_type ?? null,
    url: album.external_urls?.spotify ?? null,
    image_url: largestImage(album),
    label: album.label ?? null,
    genres: album.genres ?? null,
    popularity: album.popularity ?? null,
    chart_id: chartId,
    run_id: runId,
  };
}

export function artistRow(artist: SpotifyArtist & { id: string }, chartId: string, runId: string): ArtistRow {
  return {
    artist_id: artist.id,
    artist_name: artist.name,
    external_url: artist.external_urls?.spotify ?? null,
    genres: artist.genres ?? null,
    followers: artist.followers?.total ?? null,
    popularity: artist.popularity ?? null,
    chart_id: chartId,
    run_id: runId,
  };
}

/**
 * One valid raw record → its rows, or the reason it cannot be a song. A record without Spotify objects
 * (enrichment skipped, or the track was removed from Spotify) still gives a song row from the chart's text.
 */
export function splitRecord(record: RawTrackRecord): SplitResult {
  const { track, chart_entry: text } = record;
  if (!track && !text) {
    return {
      reject:
        'the entry has no track: Spotify lists the item as unavailable (null track) and no chart text names it',
    };
  }
  if (track?.type === 'episode') {
    return { reject: `"${track.name}" is a podcast episode, not a song: song_data holds tracks only` };
  }
  const isLocal = track?.is_local ?? text?.uri.startsWith('spotify:local:') ?? false;
  const songId = isLocal ? null : (track?.id ?? (text ? trackIdFromUri(text.uri) : null));
  const album = isLocal ? null : (record.album ?? track?.album ?? null);
  const artists = record.artists ?? track?.artists ?? [];
  const artistIds = artists
    .map((a) => a.id)
    .filter((id): id is string => typeof id === 'string' && id !== '');
  const chartId = record.source.id;
  const song: SongRow = {
    song_id: songId,
    song_name: track?.name ?? text?.track_name ?? '',
    duration_ms: track?.duration_ms ?? null,
    url: track?.external_urls?.spotify ?? (songId ? `https://open.spotify.com/track/${songId}` : null),
    song_added: record.added_at ?? null,
    album_id: album?.id ?? null,
    artist_id: artistIds[0] ?? null,
    artist_ids: artistIds,
    artist_names: artists.length > 0 ? artists.map((a) => a.name) : [...(text?.artist_names ?? [])],
    position: record.position,
    explicit: track?.explicit ?? null,
    is_local: isLocal,
    streams: record.streams ?? null,
    peak_rank: record.peak_rank ?? null,
    previous_rank: record.previous_rank ?? null,
    days_on_chart: record.days_on_chart ?? null,
    weeks_on_chart: record.weeks_on_chart ?? null,
    popularity: track?.popularity ?? null,
    chart_id: chartId,
    region: record.source.region,
    source_kind: record.source.kind,
    run_id: record.run_id,
    extracted_at: record.extracted_at,
  };
  return {
    rows: {
      song,
      album: album?.id ? albumRow(album as SpotifyAlbum & { id: string }, chartId, record.run_id) : undefined,
      artists: isLocal
        ? []
        : artists
            .filter((a): a is SpotifyArtist & { id: string } => typeof a.id === 'string' && a.id !== '')
            .map((a) => artistRow(a, chartId, record.run_id)),
    },
  };
}
