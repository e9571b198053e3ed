// Validators for the schemas of schemas/, generated ahead of time as standalone ajv code (`npm run gen:types`):
// nothing is compiled when a Lambda container starts.
import type { ErrorObject } from 'ajv/dist/2020.js';
import * as generated from './generated/validators.js';
import type { RawTrackRecord, SongRow, AlbumRow, ArtistRow } from './generated/schema-types.js';

export { schemas, TABLE_SCHEMAS, type JsonSchema, type SchemaName } from './schema-sources.js';

/** An ajv validate function: a type guard that keeps the last errors on itself. */
export interface Validator<T> {
  (data: unknown): data is T;
  errors?: ErrorObject[] | null;
}

export const validators = {
  rawTrackRecord: generated.rawTrackRecord as Validator<RawTrackRecord>,
  songRow: generated.songRow as Validator<SongRow>,
  albumRow: generated.albumRow as Validator<AlbumRow>,
  artistRow: generated.artistRow as Validator<ArtistRow>,
};

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
