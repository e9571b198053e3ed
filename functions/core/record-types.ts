// Our own types, from schemas/: the raw track record Firehose carries, and the song, album and artist rows.
export type {
  RawTrackRecord,
  ChartSourceRef,
  ChartEntryText,
  SongRow,
  AlbumRow,
  ArtistRow,
} from './generated/schema-types.js';
