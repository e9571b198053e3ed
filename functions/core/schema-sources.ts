// The JSON Schemas of schemas/ as data: the one source of truth for types, validators, Glue and DuckDB columns.
import rawTrackRecord from '#schemas/raw-track-record.schema.json' with { type: 'json' };
import songRow from '#schemas/song-row.schema.json' with { type: 'json' };
import albumRow from '#schemas/album-row.schema.json' with { type: 'json' };
import artistRow from '#schemas/artist-row.schema.json' with { type: 'json' };
import type { TableName } from './lake.js';

export type JsonSchema = Readonly<Record<string, unknown>> & {
  readonly title?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
};

export const schemas = {
  rawTrackRecord: rawTrackRecord as JsonSchema,
  songRow: songRow as JsonSchema,
  albumRow: albumRow as JsonSchema,
  artistRow: artistRow as JsonSchema,
} as const;

export type SchemaName = keyof typeof schemas;

/** Each table the transformer writes and the schema its rows follow (DuckDB views, Glue tables, checks). */
export const TABLE_SCHEMAS: Readonly<Record<TableName, JsonSchema>> = {
  album_data: schemas.albumRow,
  artist_data: schemas.artistRow,
  song_data: schemas.songRow,
};
