// The JSON Schemas of schemas/, compiled once into ajv validators; types are generated from the same files.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import rawTrackRecord from '../../schemas/raw-track-record.schema.json' with { type: 'json' };
import songRow from '../../schemas/song-row.schema.json' with { type: 'json' };
import albumRow from '../../schemas/album-row.schema.json' with { type: 'json' };
import artistRow from '../../schemas/artist-row.schema.json' with { type: 'json' };
import type { RawTrackRecord, SongRow, AlbumRow, ArtistRow } from './generated/schema-types.js';

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

export const schemaFiles = {
  rawTrackRecord: 'raw-track-record.schema.json',
  songRow: 'song-row.schema.json',
  albumRow: 'album-row.schema.json',
  artistRow: 'artist-row.schema.json',
} as const;

export async function loadSchema(file: string): Promise<JsonSchema> {
  const entry = Object.entries(schemaFiles).find(([, name]) => name === file);
  if (!entry) throw new Error(`unknown schema file ${file}`);
  return schemas[entry[0] as keyof typeof schemas];
}

// ajv-formats ships CJS with a default export that ESM sees under `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020, options?: { mode?: 'fast' | 'full' }) => Ajv2020;

/** strict mode: an unknown keyword or a loose type in a schema is an error, not a silent pass. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv, { mode: 'fast' });
  return ajv;
}

const ajv = createAjv();

export const validators = {
  rawTrackRecord: ajv.compile<RawTrackRecord>(schemas.rawTrackRecord),
  songRow: ajv.compile<SongRow>(schemas.songRow),
  albumRow: ajv.compile<AlbumRow>(schemas.albumRow),
  artistRow: ajv.compile<ArtistRow>(schemas.artistRow),
} satisfies Record<keyof typeof schemas, ValidateFunction>;

/** One readable line per ajv error: `/track/name must be string`. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid';
  return errors
    .map((e) => {
      const where = e.instancePath === '' ? '(record)' : e.instancePath;
      const extra =
        e.keyword === 'additionalProperties'
          ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'`
          : e.keyword === 'enum'
            ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}`
            : '';
      return `${where} ${e.message ?? e.keyword}${extra}`;
    })
    .join('; ');
}
