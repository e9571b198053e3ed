// glueColumns: JSON Schema → Glue/Hive types, checked on the real schemas and on the cases the mapping must refuse.
import { tableColumns } from '#functions/adapters/local/duckdb-query.js';
import { TABLES } from '#functions/core/lake.js';
import { schemas, TABLE_SCHEMAS, type JsonSchema } from '#functions/core/schemas.js';
import { glueColumns, glueType } from '#infra/glue-columns.js';
import { RAW_AS_JSON_TEXT } from '#infra/constructs/lake-catalog.js';

const schema = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}): JsonSchema =>
  ({ title: 'T', type: 'object', properties, ...extra }) as JsonSchema;

describe('glueColumns', () => {
  it('maps every song_data column to its Hive type, in the schema order', () => {
    expect(glueColumns(schemas.songRow).map((c) => [c.name, c.type])).toEqual([
      ['song_id', 'string'],
      ['song_name', 'string'],
      ['duration_ms', 'bigint'],
      ['url', 'string'],
      ['song_added', 'string'], // format date-time stays a string
      ['album_id', 'string'],
      ['artist_id', 'string'],
      ['artist_ids', 'array<string>'],
      ['artist_names', 'array<string>'],
      ['position', 'bigint'],
      ['explicit', 'boolean'],
      ['is_local', 'boolean'],
      ['streams', 'bigint'],
      ['peak_rank', 'bigint'],
      ['previous_rank', 'bigint'],
      ['days_on_chart', 'bigint'],
      ['weeks_on_chart', 'bigint'],
      ['popularity', 'bigint'],
      ['chart_id', 'string'],
      ['region', 'string'],
      ['source_kind', 'string'],
      ['run_id', 'string'],
      ['extracted_at', 'string'],
    ]);
  });

  it('carries the schema description as the column comment, cut to 255 characters', () => {
    const songId = glueColumns(schemas.songRow).find((c) => c.name === 'song_id');
    expect(songId?.comment).toBe('Spotify track id; null for a local file.');
    const long = glueColumns(schema({ a: { type: 'string', description: 'x'.repeat(300) } }));
    expect(long[0]?.comment).toHaveLength(255);
  });

  it('gives the same columns as the DuckDB views, type for type', () => {
    const duck: Record<string, string> = {
      VARCHAR: 'string',
      BIGINT: 'bigint',
      DOUBLE: 'double',
      BOOLEAN: 'boolean',
      'VARCHAR[]': 'array<string>',
      'BIGINT[]': 'array<bigint>',
    };
    for (const table of TABLES) {
      expect(tableColumns(table).map(([n, t]) => [n, duck[t] ?? t])).toEqual(
        glueColumns(TABLE_SCHEMAS[table]).map((c) => [c.name, c.type]),
      );
    }
  });

  it('resolves $ref, drops null from unions and anyOf, and builds nested structs and arrays', () => {
    const s = schema(
      {
        source: { $ref: '#/$defs/Source' },
        track: { anyOf: [{ $ref: '#/$defs/Track' }, { type: 'null' }] },
        ratio: { type: ['number', 'null'] },
        version: { const: 1 },
        kind: { enum: ['a', 'b', null] },
      },
      {
        $defs: {
          Source: { type: 'object', properties: { id: { type: 'string' } } },
          Track: {
            type: 'object',
            properties: {
              artists: { type: 'array', items: { $ref: '#/$defs/Source' } },
              followers: { type: 'object', properties: { total: { type: ['integer', 'null'] } } },
            },
          },
        },
      },
    );
    expect(glueColumns(s).map((c) => [c.name, c.type])).toEqual([
      ['source', 'struct<id:string>'],
      ['track', 'struct<artists:array<struct<id:string>>,followers:struct<total:bigint>>'],
      ['ratio', 'double'],
      ['version', 'bigint'],
      ['kind', 'string'],
    ]);
  });

  it('keeps the raw record envelope typed and the Spotify objects as JSON text', () => {
    const raw = glueColumns(schemas.rawTrackRecord, { asJsonText: RAW_AS_JSON_TEXT });
    const type = (name: string) => raw.find((c) => c.name === name)?.type;
    expect(type('position')).toBe('bigint');
    expect(type('source')).toBe('struct<kind:string,id:string,region:string>');
    expect(type('chart_entry')).toBe('struct<uri:string,track_name:string,artist_names:array<string>>');
    expect([type('track'), type('album'), type('artists')]).toEqual(['string', 'string', 'string']);
    // Without the option the same schema generates full structs: the generator covers every shape in schemas/.
    expect(glueType(schemas.rawTrackRecord.properties!.track!, schemas.rawTrackRecord)).toMatch(
      /^struct<id:string,name:string,type:string,.*album:struct<.*images:array<struct<url:string,height:bigint,width:bigint>>/,
    );
  });

  it('refuses what has no single Hive type, naming the property', () => {
    expect(() => glueColumns(schema({ v: { type: ['string', 'integer'] } }))).toThrow(
      'glueColumns: T.v: union of string and integer has no single Glue type',
    );
    expect(() => glueColumns(schema({ v: { type: 'array' } }))).toThrow('T.v: array without items');
    expect(() => glueColumns(schema({ v: { type: 'object' } }))).toThrow('T.v: object without properties');
    expect(() => glueColumns(schema({ v: { $ref: '#/$defs/Missing' } }))).toThrow('cannot resolve $ref');
    expect(() => glueColumns(schema({ 'Bad-Name': { type: 'string' } }))).toThrow('not a valid Glue column');
    expect(() => glueColumns(schemas.songRow, { asJsonText: ['nope'] })).toThrow('unknown property nope');
  });
});
