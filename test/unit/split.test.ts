// splitRecord: one raw track record → its song, album and artist rows, held against the row schemas and
// against recorded Spotify responses.
import { readFileSync } from 'node:fs';
import type { Validator } from '#functions/core/schemas.js';
import { splitRecord, type Rows } from '#functions/core/split.js';
import { describeErrors, validators } from '#functions/core/schemas.js';
import type { SpotifyAlbum, SpotifyArtist, SpotifyTrack } from '#functions/core/spotify-types.js';
import type { RawTrackRecord } from '#functions/core/record-types.js';

const RUN = '20261125T160000Z-aaaaaa';
const CHART = 'regional-global-daily';

function recorded<T>(file: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../../shared/real-data/spotify/${file}`, import.meta.url), 'utf8'),
  ) as T;
}

const THE_WEEKND: SpotifyArtist = {
  id: '1Xyo4u8uXC1ZmMpatF05PJ',
  name: 'The Weeknd',
  type: 'artist',
  uri: 'spotify:artist:1Xyo4u8uXC1ZmMpatF05PJ',
  external_urls: { spotify: 'https://open.spotify.com/artist/1Xyo4u8uXC1ZmMpatF05PJ' },
};

const AFTER_HOURS: SpotifyAlbum = {
  id: '4yP0hdKOZPNshxUOjY0cZj',
  name: 'After Hours',
  type: 'album',
  album_type: 'album',
  total_tracks: 14,
  release_date: '2020-03-20',
  release_date_precision: 'day',
  external_urls: { spotify: 'https://open.spotify.com/album/4yP0hdKOZPNshxUOjY0cZj' },
  // Deliberately not sorted by size, so "the largest" is a choice and not the first element.
  images: [
    { url: 'https://i.scdn.co/image/small', width: 64, height: 64 },
    { url: 'https://i.scdn.co/image/large', width: 640, height: 640 },
    { url: 'https://i.scdn.co/image/medium', width: 300, height: 300 },
  ],
  artists: [THE_WEEKND],
};

function blindingLights(overrides: Partial<SpotifyTrack> = {}): SpotifyTrack {
  return {
    id: '0VjIjW4GlUZAMYd2vXMi3b',
    name: 'Blinding Lights',
    type: 'track',
    uri: 'spotify:track:0VjIjW4GlUZAMYd2vXMi3b',
    duration_ms: 200040,
    explicit: false,
    is_local: false,
    track_number: 9,
    external_urls: { spotify: 'https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b' },
    album: AFTER_HOURS,
    artists: [THE_WEEKND],
    ...overrides,
  };
}

/** A valid raw record as the extractor builds it: album and artists default to the track's own. */
function rawRecord(overrides: Partial<RawTrackRecord> = {}): RawTrackRecord {
  const track = overrides.track !== undefined ? overrides.track : blindingLights();
  const record: RawTrackRecord = {
    schema_version: 1,
    snapshot_date: '2026-11-25',
    extracted_at: '2026-11-25T16:00:03.000Z',
    run_id: RUN,
    source: { kind: 'charts-csv', id: CHART, region: 'global' },
    position: 1,
    streams: 5_123_456,
    peak_rank: 1,
    previous_rank: 2,
    days_on_chart: 310,
    weeks_on_chart: null,
    added_at: null,
    track,
    album: track?.album ?? null,
    artists: track?.artists ?? null,
    ...overrides,
  };
  expectValid(validators.rawTrackRecord, record);
  return record;
}

function expectValid(validate: Validator<unknown>, value: unknown): void {
  const ok = validate(value);
  expect(ok ? 'valid' : describeErrors(validate.errors)).toBe('valid');
}

function rowsOf(record: RawTrackRecord): Rows {
  const result = splitRecord(record);
  if ('reject' in result) throw new Error(`unexpected reject: ${result.reject}`);
  return result.rows;
}

function rejectOf(record: RawTrackRecord): string {
  const result = splitRecord(record);
  if ('rows' in result)
    throw new Error(`expected a reject, got a song row ${JSON.stringify(result.rows.song)}`);
  return result.reject;
}

function expectRowsValid(rows: Rows): void {
  expectValid(validators.songRow, rows.song);
  if (rows.album) expectValid(validators.albumRow, rows.album);
  for (const artist of rows.artists) expectValid(validators.artistRow, artist);
}

describe('splitRecord', () => {
  it('turns a full track into a song row, an album row and an artist row with the documented columns', () => {
    const rows = rowsOf(rawRecord());

    expect(rows.song).toEqual({
      song_id: '0VjIjW4GlUZAMYd2vXMi3b',
      song_name: 'Blinding Lights',
      duration_ms: 200040,
      url: 'https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b',
      song_added: null,
      album_id: '4yP0hdKOZPNshxUOjY0cZj',
      artist_id: '1Xyo4u8uXC1ZmMpatF05PJ',
      artist_ids: ['1Xyo4u8uXC1ZmMpatF05PJ'],
      artist_names: ['The Weeknd'],
      position: 1,
      explicit: false,
      is_local: false,
      streams: 5_123_456,
      peak_rank: 1,
      previous_rank: 2,
      days_on_chart: 310,
      weeks_on_chart: null,
      popularity: null,
      chart_id: CHART,
      region: 'global',
      source_kind: 'charts-csv',
      run_id: RUN,
      extracted_at: '2026-11-25T16:00:03.000Z',
    });
    expect(rows.album).toEqual({
      album_id: '4yP0hdKOZPNshxUOjY0cZj',
      name: 'After Hours',
      release_date: '2020-03-20',
      release_date_precision: 'day',
      total_tracks: 14,
      album_type: 'album',
      url: 'https://open.spotify.com/album/4yP0hdKOZPNshxUOjY0cZj',
      image_url: 'https://i.scdn.co/image/large',
      label: null,
      genres: null,
      popularity: null,
      chart_id: CHART,
      run_id: RUN,
    });
    expect(rows.artists).toEqual([
      {
        artist_id: '1Xyo4u8uXC1ZmMpatF05PJ',
        artist_name: 'The Weeknd',
        external_url: 'https://open.spotify.com/artist/1Xyo4u8uXC1ZmMpatF05PJ',
        genres: null,
        followers: null,
        popularity: null,
        chart_id: CHART,
        run_id: RUN,
      },
    ]);
    expectRowsValid(rows);
  });

  it('makes the first artist of a collaboration the primary artist and keeps every artist id and name', () => {
    const ladyGaga: SpotifyArtist = { id: '1HY2Jd0NmPuamShAr6KMms', name: 'Lady Gaga' };
    const brunoMars: SpotifyArtist = { id: '0du5cEVh5yTK9QJze8zA0C', name: 'Bruno Mars' };
    const track = blindingLights({
      id: '2plbrEY59IikOBgBGLjaoe',
      name: 'Die With A Smile',
      artists: [ladyGaga, brunoMars],
      album: { id: '10FLjwfpbxLmW8c25Xyc2N', name: 'Die With A Smile', artists: [ladyGaga, brunoMars] },
    });

    const rows = rowsOf(rawRecord({ track }));

    expect(rows.song.artist_id).toBe('1HY2Jd0NmPuamShAr6KMms');
    expect(rows.song.artist_ids).toEqual(['1HY2Jd0NmPuamShAr6KMms', '0du5cEVh5yTK9QJze8zA0C']);
    expect(rows.song.artist_names).toEqual(['Lady Gaga', 'Bruno Mars']);
    expect(rows.artists.map((a) => [a.artist_id, a.artist_name])).toEqual([
      ['1HY2Jd0NmPuamShAr6KMms', 'Lady Gaga'],
      ['0du5cEVh5yTK9QJze8zA0C', 'Bruno Mars'],
    ]);
    expectRowsValid(rows);
  });

  it('leaves popularity null when Spotify does not send it and keeps it when it does (extended quota)', () => {
    const without = rowsOf(rawRecord());
    const withIt = rowsOf(rawRecord({ track: blindingLights({ popularity: 87 }) }));

    expect(without.song.popularity).toBeNull();
    expect(withIt.song.popularity).toBe(87);
    expectRowsValid(without);
    expectRowsValid(withIt);
  });

  it('keeps the label, genres, popularity and followers of full album and artist objects (extended quota)', () => {
    const am = recorded<SpotifyAlbum>('album-5bU1XKYxHhEwukllT20xtk.json');
    const { artists } = recorded<{ artists: SpotifyArtist[] }>('artists-several.json');
    const track = blindingLights({ album: { id: am.id, name: am.name } });

    const rows = rowsOf(rawRecord({ track, album: am, artists }));

    expect(rows.album).toMatchObject({
      album_id: '5bU1XKYxHhEwukllT20xtk',
      name: 'AM',
      label: 'Domino Recording Co',
      popularity: 18,
      genres: [],
      total_tracks: 12,
      image_url: 'https://i.scdn.co/image/486391b05384f2299a4c01b7bd8d5b855f20def9',
    });
    expect(rows.artists.map((a) => [a.artist_name, a.followers, a.popularity, a.genres])).toEqual([
      ['David Bowie', 633494, 77, ['art rock', 'glam rock', 'permanent wave']],
      ['T. Rex', 52338, 58, ['glam rock', 'protopunk']],
    ]);
    expect(rows.song.artist_ids).toEqual(['0oSGxfWSnnOXhD2fKuz2Gy', '3dBVyJ7JuOMt4GE9607Qin']);
    expectRowsValid(rows);
  });

  it('takes the widest image as the album cover and leaves image_url null for an album with no images', () => {
    const withImages = rowsOf(rawRecord());
    const noImages = rowsOf(rawRecord({ track: blindingLights({ album: { ...AFTER_HOURS, images: [] } }) }));

    expect(withImages.album?.image_url).toBe('https://i.scdn.co/image/large');
    expect(noImages.album?.album_id).toBe('4yP0hdKOZPNshxUOjY0cZj');
    expect(noImages.album?.image_url).toBeNull();
    expectRowsValid(noImages);
  });

  it('carries a release date of precision "year" as Spotify wrote it', () => {
    const album = recorded<SpotifyAlbum>('album-year-precision.json');

    const rows = rowsOf(rawRecord({ track: blindingLights({ album }) }));

    expect(rows.album).toMatchObject({
      album_id: '0sNOF9WDwhWunNAHPD3Baj',
      name: "She's So Unusual",
      release_date: '1983',
      release_date_precision: 'year',
      label: null,
      total_tracks: null,
    });
    expectRowsValid(rows);
  });

  it('carries a release date of precision "month" as Spotify wrote it', () => {
    const { albums } = recorded<{ albums: SpotifyAlbum[] }>('albums-several-month-precision.json');
    const album = albums.find((a) => a.release_date_precision === 'month');
    if (!album) throw new Error('the recorded response no longer holds a month-precision album');

    const rows = rowsOf(rawRecord({ track: blindingLights({ album }) }));

    expect(rows.album).toMatchObject({
      album_id: '0X8vBD8h1Ga9eLT8jx9VCC',
      name: 'Mirrored',
      release_date: '2007-03',
      release_date_precision: 'month',
      label: 'Warp Records',
    });
    expectRowsValid(rows);
  });

  it('gives a local file a song row without an id and no album or artist rows', () => {
    const page = recorded<{
      tracks: { items: { is_local: boolean; track: SpotifyTrack; added_at: string }[] };
    }>('playlist-4dn0iEoAxn69ea0Tyov8V5-full-object-page1.json');
    const local = page.tracks.items.find((i) => i.is_local);
    if (!local) throw new Error('the recorded playlist no longer holds a local file');

    const rows = rowsOf(
      rawRecord({
        source: { kind: 'playlist', id: 'playlist:4dn0iEoAxn69ea0Tyov8V5', region: null },
        track: local.track,
        added_at: local.added_at,
      }),
    );

    expect(rows.song).toMatchObject({
      song_id: null,
      song_name: 'torus xxxii',
      is_local: true,
      url: null,
      album_id: null,
      artist_id: null,
      artist_ids: [],
      artist_names: ['vril'],
      song_added: '2015-06-01T00:06:54Z',
      duration_ms: 233000,
    });
    expect(rows.album).toBeUndefined();
    expect(rows.artists).toEqual([]);
    expectRowsValid(rows);
  });

  it('rejects a podcast episode with a reason that says it is an episode', () => {
    const { items } = recorded<{ items: { track: SpotifyTrack }[] }>(
      'playlist-items-episodes-and-tracks.json',
    );
    const episode = items.find((i) => i.track.type === 'episode');
    if (!episode) throw new Error('the recorded page no longer holds an episode');

    const reason = rejectOf(rawRecord({ track: episode.track }));

    expect(reason).toMatch(/episode/);
    expect(reason).toContain(episode.track.name);
  });

  it('rejects an entry with a null track and no chart text', () => {
    const reason = rejectOf(rawRecord({ track: null }));

    expect(reason).toMatch(/no track/);
  });

  it('builds the song row from the chart text when the track is null (enrichment skipped or track removed)', () => {
    const rows = rowsOf(
      rawRecord({
        track: null,
        chart_entry: {
          uri: 'spotify:track:2plbrEY59IikOBgBGLjaoe',
          track_name: 'Die With A Smile',
          artist_names: ['Lady Gaga', 'Bruno Mars'],
        },
      }),
    );

    expect(rows.song).toMatchObject({
      song_id: '2plbrEY59IikOBgBGLjaoe',
      song_name: 'Die With A Smile',
      url: 'https://open.spotify.com/track/2plbrEY59IikOBgBGLjaoe',
      album_id: null,
      artist_id: null,
      artist_ids: [],
      artist_names: ['Lady Gaga', 'Bruno Mars'],
      duration_ms: null,
      explicit: null,
      is_local: false,
      streams: 5_123_456,
      position: 1,
    });
    expect(rows.album).toBeUndefined();
    expect(rows.artists).toEqual([]);
    expectRowsValid(rows);
  });
});
