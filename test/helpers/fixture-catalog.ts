// The recorded real Spotify responses (../shared/real-data/spotify) as a catalog for the local Spotify-API server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerCatalog, ServerPlaylist } from '#functions/adapters/local/spotify-server.js';
import type {
  PlaylistItem,
  SpotifyAlbum,
  SpotifyArtist,
  SpotifyTrack,
} from '#functions/core/spotify-types.js';
import { realData } from './paths.js';

/**
 * A catalog of recorded real responses (../shared/real-data/spotify, see its SOURCES.md), served as they were
 * recorded (the server strips the extended fields). Files used:
 * - playlist-4dn0iEoAxn69ea0Tyov8V5-full-object-page1.json (`.tracks.items`, owner) and
 *   playlist-4dn0iEoAxn69ea0Tyov8V5-tracks-offset-100.json: 200 of the playlist's 244 items (the last 44 were
 *   never recorded, so the served playlist has 200), 8 of them local files;
 * - playlist-nl-top40-items.json: playlist 5lH9NjOeJvctAO92ZrKQNB (the id in its href), 40 items, owner taken
 *   from `added_by`;
 * - tracks: every non-local track of both playlists;
 * - album-5bU1XKYxHhEwukllT20xtk.json, album-year-precision.json, albums-several-month-precision.json: albums;
 * - artists-several.json, artists-20-full-objects.json, artist-empty-genres.json: artists.
 * Plus the Spotify-owned "Top 50 - Global" (37i9dQZEVXbMDoHDwVN2tF, owner 'spotify') with no items: its contents
 * were never recorded, and an app without extended quota gets 404 before any.
 */
export class FixtureCatalog implements ServerCatalog {
  static readonly TOP_50_GLOBAL = '37i9dQZEVXbMDoHDwVN2tF';
  static readonly RECORDED_PLAYLIST = '4dn0iEoAxn69ea0Tyov8V5';
  static readonly NL_TOP_40 = '5lH9NjOeJvctAO92ZrKQNB';

  private constructor(
    private readonly tracks: ReadonlyMap<string, SpotifyTrack>,
    private readonly albums: ReadonlyMap<string, SpotifyAlbum>,
    private readonly artists: ReadonlyMap<string, SpotifyArtist>,
    private readonly playlists: ReadonlyMap<string, ServerPlaylist>,
  ) {}

  static fromRecorded(dir: string = join(realData, 'spotify')): FixtureCatalog {
    const read = <T>(file: string): T => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
    type Page = { items: PlaylistItem[] };
    type AddedBy = { added_by?: { id?: string } };

    const page1 = read<{ id: string; name: string; owner: { id: string }; tracks: Page }>(
      'playlist-4dn0iEoAxn69ea0Tyov8V5-full-object-page1.json',
    );
    const page2 = read<Page>('playlist-4dn0iEoAxn69ea0Tyov8V5-tracks-offset-100.json');
    const nl = read<Page>('playlist-nl-top40-items.json');
    const nlOwner =
      (nl.items[0] as (PlaylistItem & AddedBy) | undefined)?.added_by?.id ?? 'nederlandse_top_40';
    const playlists: ServerPlaylist[] = [
      {
        id: page1.id,
        name: page1.name,
        ownerId: page1.owner.id,
        items: [...page1.tracks.items, ...page2.items],
      },
      { id: FixtureCatalog.NL_TOP_40, name: 'Top 40 (NL)', ownerId: nlOwner, items: nl.items },
      { id: FixtureCatalog.TOP_50_GLOBAL, name: 'Top 50 - Global', ownerId: 'spotify', items: [] },
    ];

    const tracks = new Map<string, SpotifyTrack>();
    for (const playlist of playlists) {
      for (const entry of playlist.items) {
        const track = entry.item ?? entry.track;
        if (track?.id && !entry.is_local) tracks.set(track.id, track);
      }
    }
    const albums = new Map<string, SpotifyAlbum>();
    for (const album of [
      read<SpotifyAlbum>('album-5bU1XKYxHhEwukllT20xtk.json'),
      read<SpotifyAlbum>('album-year-precision.json'),
      ...read<{ albums: SpotifyAlbum[] }>('albums-several-month-precision.json').albums,
    ]) {
      if (album.id) albums.set(album.id, album);
    }
    const artists = new Map<string, SpotifyArtist>();
    for (const artist of [
      ...read<{ artists: SpotifyArtist[] }>('artists-several.json').artists,
      ...read<{ artists: SpotifyArtist[] }>('artists-20-full-objects.json').artists,
      read<SpotifyArtist>('artist-empty-genres.json'),
    ]) {
      if (artist.id) artists.set(artist.id, artist);
    }
    return new FixtureCatalog(tracks, albums, artists, new Map(playlists.map((p) => [p.id, p])));
  }

  // Recorded objects are full objects already; `full` has nothing to add.
  findTrack(id: string): SpotifyTrack | undefined {
    return this.tracks.get(id);
  }
  findAlbum(id: string): SpotifyAlbum | undefined {
    return this.albums.get(id);
  }
  findArtist(id: string): SpotifyArtist | undefined {
    return this.artists.get(id);
  }
  findPlaylist(id: string): ServerPlaylist | undefined {
    return this.playlists.get(id);
  }
  /** Ids of every track served, for tests that need real ids. */
  trackIds(): string[] {
    return [...this.tracks.keys()];
  }
}
