// Spotify Web API object types, derived from the $defs of schemas/raw-track-record.schema.json; our own record
// and row types are in record-types.ts.
export type { SpotifyTrack, SpotifyAlbum, SpotifyArtist, SpotifyImage } from './generated/schema-types.js';
import type { SpotifyTrack } from './generated/schema-types.js';

/** One entry of GET /playlists/{id}/items. Since 2026 the object is under `item`; older answers use `track`. */
export interface PlaylistItem {
  readonly added_at?: string | null;
  readonly item?: SpotifyTrack | null;
  readonly track?: SpotifyTrack | null;
  readonly is_local?: boolean;
}

export interface Paging<T> {
  readonly items: readonly T[];
  readonly next: string | null;
  readonly total?: number;
  readonly offset?: number;
  readonly limit?: number;
}
