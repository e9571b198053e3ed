// The demo's Spotify objects: artists, albums and tracks (simplified or full) for any pool index.
import type { SpotifyAlbum, SpotifyArtist, SpotifyTrack } from '#functions/core/spotify-types.js';
import { demoId, hash, unit } from './demo-ids.js';
import { albumTitle, artistGenres, artistName, labelOf, songName } from './demo-names.js';
import { DEBUTS_PER_DAY, dateOf, streamsOn } from './demo-streams.js';

export const ARTISTS = 1500;

/** Album b: 1–3 pool tracks of one primary artist; popular artists (low index) have more albums. */
function albumArtist(b: number): number {
  return Math.floor(ARTISTS * unit(b, 31) ** 2.2);
}
export const albumOf = (k: number): number => Math.floor(k / 2);
function trackArtists(k: number): number[] {
  const primary = albumArtist(albumOf(k));
  const r = unit(k, 41);
  if (r < 0.22) {
    const feat = Math.floor(ARTISTS * unit(k, 42) ** 1.6);
    if (feat === primary) return [primary];
    // A few three-way collaborations, as real charts have.
    if (r < 0.04)
      return [primary, feat, Math.floor(ARTISTS * unit(k, 43))].filter((v, i, a) => a.indexOf(v) === i);
    return [primary, feat];
  }
  return [primary];
}

/** A track that Spotify no longer has: GET /tracks/{id} answers 404 (about 1 in 40). */
export function isRemoved(k: number): boolean {
  return hash(k, 71) % 40 === 0;
}

export function demoArtist(a: number, full = false): SpotifyArtist {
  const id = demoId('artist', a);
  const simplified: SpotifyArtist = {
    external_urls: { spotify: `https://open.spotify.com/artist/${id}` },
    href: `https://api.spotify.com/v1/artists/${id}`,
    id,
    name: artistName(a),
    type: 'artist',
    uri: `spotify:artist:${id}`,
  };
  if (!full) return simplified;
  return {
    ...simplified,
    images: [{ url: `https://i.scdn.co/image/demo-artist-${id}`, height: 640, width: 640 }],
    // Extended-quota fields: the server strips them for development-mode apps.
    followers: { total: Math.round(5_000_000 * unit(a, 81) ** 3 * (1 - a / ARTISTS)) },
    genres: artistGenres(a),
    popularity: Math.max(1, Math.round(90 * (1 - a / ARTISTS) + 9 * unit(a, 85))),
  };
}

export function demoAlbum(b: number, full = false): SpotifyAlbum {
  const id = demoId('album', b);
  const firstTrack = b * 2;
  const release = dateOf(Math.floor(firstTrack / DEBUTS_PER_DAY));
  const total = unit(b, 91) < 0.55 ? 1 + (hash(b, 92) % 3) : 8 + (hash(b, 93) % 14);
  const precision = unit(b, 94) < 0.05 ? 'year' : unit(b, 95) < 0.05 ? 'month' : 'day';
  const noImages = unit(b, 96) < 0.03;
  const simplified: SpotifyAlbum = {
    album_type: total <= 3 ? 'single' : unit(b, 97) < 0.1 ? 'compilation' : 'album',
    artists: [demoArtist(albumArtist(b))],
    external_urls: { spotify: `https://open.spotify.com/album/${id}` },
    href: `https://api.spotify.com/v1/albums/${id}`,
    id,
    images: noImages
      ? []
      : [640, 300, 64].map((size) => ({
          url: `https://i.scdn.co/image/demo-${size}-${id}`,
          height: size,
          width: size,
        })),
    name: total <= 3 ? songName(firstTrack) : albumTitle(b),
    release_date:
      precision === 'year' ? release.slice(0, 4) : precision === 'month' ? release.slice(0, 7) : release,
    release_date_precision: precision,
    total_tracks: total,
    type: 'album',
    uri: `spotify:album:${id}`,
  };
  if (!full) return simplified;
  return {
    ...simplified,
    label: labelOf(b),
    genres: [],
    popularity: Math.round(100 * unit(b, 100)),
  };
}

export function demoTrack(k: number, full = false): SpotifyTrack {
  const id = demoId('track', k);
  const t: SpotifyTrack = {
    album: demoAlbum(albumOf(k)),
    artists: trackArtists(k).map((a) => demoArtist(a)),
    duration_ms: 120_000 + (hash(k, 101) % 150_000),
    explicit: unit(k, 102) < 0.3,
    external_urls: { spotify: `https://open.spotify.com/track/${id}` },
    href: `https://api.spotify.com/v1/tracks/${id}`,
    id,
    is_local: false,
    name: songName(k),
    track_number: 1 + (k % 2),
    type: 'track',
    uri: `spotify:track:${id}`,
  };
  return full
    ? {
        ...t,
        popularity: Math.max(
          0,
          Math.min(100, Math.round(Math.log10(streamsOn(k, Math.floor(k / DEBUTS_PER_DAY) + 3) + 1) * 15)),
        ),
      }
    : t;
}
