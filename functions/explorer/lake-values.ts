// What the explorer's own queries need around the SQL: ids and chart ids checked against schemas/ before they reach
// a query, and the values of result rows read back as typed values.
import { schemas, type JsonSchema } from '#functions/core/schemas.js';

const property = (schema: JsonSchema, name: string): JsonSchema => schema.properties?.[name] ?? {};
const maxLength = (p: JsonSchema): number => Number(p.maxLength ?? 64);

/** Spotify ids are base62; the schemas bound their length (song_id, album_id, artist_id). */
const idPattern = (p: JsonSchema): RegExp => new RegExp(`^[0-9A-Za-z]{1,${maxLength(p)}}$`);
const SONG_ID = idPattern(property(schemas.songRow, 'song_id'));
const ALBUM_ID = idPattern(property(schemas.albumRow, 'album_id'));
const ARTIST_ID = idPattern(property(schemas.artistRow, 'artist_id'));
const CHART_ID_PROPERTY = property(schemas.songRow, 'chart_id');
const CHART_ID = new RegExp(String(CHART_ID_PROPERTY.pattern));
const ARTIST_NAME_MAX = maxLength(property(schemas.artistRow, 'artist_name'));

export const isSongId = (id: string): boolean => SONG_ID.test(id);
export const isAlbumId = (id: string): boolean => ALBUM_ID.test(id);
export const isArtistId = (id: string): boolean => ARTIST_ID.test(id);
export const isChartId = (id: string): boolean =>
  id.length <= maxLength(CHART_ID_PROPERTY) && CHART_ID.test(id);
export const isArtistName = (name: string): boolean => name.trim() !== '' && name.length <= ARTIST_NAME_MAX;

/** A result value as text (DATE columns arrive as YYYY-MM-DD), or null. */
export const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/** A result value as a number (BIGINT sums beyond 2^53 arrive as text), or null. */
export function count(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A list column (VARCHAR[]) as strings; null and non-lists as none. */
export const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
