// The transformer writes only what the query engines read back: the extreme accepted value of every column of
// every table goes through the transformer into a folder lake and comes back unchanged through DuckDB, and the
// schemas bound every column so (integers within BIGINT and exact in JSON, strings and arrays bounded).
import { rm } from 'node:fs/promises';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { schemas, TABLE_SCHEMAS, type JsonSchema } from '#functions/core/schemas.js';
import { splitRecord } from '#functions/core/split.js';
import type { SpotifyArtist } from '#functions/core/spotify-types.js';
import type { RawTrackRecord } from '#functions/core/record-types.js';
import { transformObject } from '#functions/core/transform.js';
import { MAX_LINE_BYTES } from '#functions/core/ndjson-lines.js';
import { TABLES } from '#functions/core/lake.js';
import { silentLogger } from '#functions/ports.js';
import { tempDir } from '../helpers/paths.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The bound a song/album/artist row column declares, read from its schema (not repeated here). */
function bound(
  table: keyof typeof TABLE_SCHEMAS,
  column: string,
  key: 'maximum' | 'maxLength' | 'maxItems',
): number {
  const property = TABLE_SCHEMAS[table].properties?.[column];
  const value =
    key === 'maxLength' && property?.items ? (property.items as JsonSchema)[key] : property?.[key];
  if (typeof value !== 'number') throw new Error(`${table}.${column} declares no ${key}`);
  return value;
}

const text = (length: number, c = 'é'): string => c.repeat(length);
const id = (n: number): string =>
  `i${String(n).padStart(bound('song_data', 'song_id', 'maxLength') - 1, '0')}`;
const runId = 'r'.repeat(bound('song_data', 'run_id', 'maxLength'));
const chartId = 'c'.repeat(bound('song_data', 'chart_id', 'maxLength'));

function artist(n: number, nameLength: number): SpotifyArtist & { id: string } {
  return {
    id: id(n),
    name: text(nameLength),
    type: 'artist',
    external_urls: { spotify: text(bound('artist_data', 'external_url', 'maxLength'), 'u') },
    genres: Array.from({ length: 3 }, () => text(bound('artist_data', 'genres', 'maxLength'), 'g')),
    followers: { total: bound('artist_data', 'followers', 'maximum') },
    popularity: bound('artist_data', 'popularity', 'maximum'),
  };
}

/** Every scalar column at its largest, strings at their longest (in two-byte characters). */
function widest(position: number): RawTrackRecord {
  const artists = [artist(1, bound('artist_data', 'artist_name', 'maxLength'))];
  const album = {
    id: id(2),
    name: text(bound('album_data', 'name', 'maxLength')),
    album_type: text(bound('album_data', 'album_type', 'maxLength'), 'a'),
    total_tracks: bound('album_data', 'total_tracks', 'maximum'),
    release_date: '2099-12-31',
    release_date_precision: 'day' as const,
    external_urls: { spotify: text(bound('album_data', 'url', 'maxLength'), 'u') },
    images: [
      { url: text(bound('album_data', 'image_url', 'maxLength'), 'u'), width: MAX_SAFE, height: MAX_SAFE },
    ],
    label: text(bound('album_data', 'label', 'maxLength')),
    genres: Array.from({ length: 10 }, () => text(bound('album_data', 'genres', 'maxLength'), 'g')),
    popularity: bound('album_data', 'popularity', 'maximum'),
  };
  return {
    schema_version: 1,
    snapshot_date: '2099-12-31',
    extracted_at: '2099-12-31T23:59:59.999999999+14:00',
    run_id: runId,
    source: {
      kind: 'charts-csv',
      id: chartId,
      region: 'r'.repeat(bound('song_data', 'region', 'maxLength')),
    },
    position,
    streams: bound('song_data', 'streams', 'maximum'),
    peak_rank: bound('song_data', 'peak_rank', 'maximum'),
    previous_rank: bound('song_data', 'previous_rank', 'maximum'),
    days_on_chart: bound('song_data', 'days_on_chart', 'maximum'),
    weeks_on_chart: bound('song_data', 'weeks_on_chart', 'maximum'),
    added_at: '2099-12-31T23:59:59.999+14:00',
    track: {
      id: id(3),
      name: text(bound('song_data', 'song_name', 'maxLength')),
      type: 'track',
      duration_ms: bound('song_data', 'duration_ms', 'maximum'),
      explicit: true,
      is_local: false,
      popularity: bound('song_data', 'popularity', 'maximum'),
      external_urls: { spotify: text(bound('song_data', 'url', 'maxLength'), 'u') },
      album,
      artists,
    },
    album,
    artists,
  };
}

/** The longest arrays: as many artists as a row may list. */
function longest(position: number): RawTrackRecord {
  // Simplified artists (id and name), as a track carries them: a full artist each would not fit in one line.
  const artists = Array.from({ length: bound('song_data', 'artist_ids', 'maxItems') }, (_, i) => ({
    id: id(10 + i),
    name: text(8),
  }));
  return { ...widest(position), track: { ...widest(position).track!, artists }, artists };
}

/** Every column at its smallest: zero, the first chart date, nulls where a column may be null. */
function smallest(position: number): RawTrackRecord {
  return {
    schema_version: 1,
    snapshot_date: '1900-01-01',
    extracted_at: '1900-01-01T00:00:00Z',
    run_id: '0',
    source: { kind: 'demo', id: '0', region: null },
    position,
    streams: 0,
    peak_rank: 1,
    previous_rank: null,
    days_on_chart: 1,
    weeks_on_chart: null,
    added_at: null,
    track: {
      id: id(4),
      name: '',
      type: 'track',
      duration_ms: 0,
      album: { id: id(5), name: '' },
      artists: [],
    },
    album: { id: id(5), name: '', total_tracks: 0, popularity: 0, genres: [] },
    artists: [{ id: id(6), name: '', followers: { total: 0 }, popularity: 0, genres: [] }],
  };
}

let lake: string;
beforeAll(async () => {
  lake = await tempDir('extreme-values-');
});
afterAll(async () => {
  await rm(lake, { recursive: true, force: true });
});

describe('the extreme accepted value of every column', () => {
  it('is written by the transformer and read back unchanged through DuckDB, in all three tables', async () => {
    const records = [widest(100_000), longest(99_999), smallest(1)];
    const lines = records.map((r) => JSON.stringify(r));
    for (const l of lines) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    const storage = new FolderStorage(lake);
    const key = 'top_200_global/raw_data/to_process/2026/11/25/16/extremes';
    await storage.put(key, lines.join('\n') + '\n');
    const report = await transformObject(key, { storage, logger: silentLogger });
    expect(report).toMatchObject({ status: 'transformed', linesIn: 3, rowsWritten: 3, rejected: 0 });

    const engine = await LakeQueryEngine.open(lake);
    try {
      for (const table of TABLES) {
        const expected = records.flatMap((r) => {
          const split = splitRecord(r);
          if (!('rows' in split)) throw new Error(split.reject);
          const rows =
            table === 'song_data'
              ? [split.rows.song]
              : table === 'album_data'
                ? [split.rows.album!]
                : split.rows.artists;
          return rows.map((row) => ({ ...row, snapshot_date: r.snapshot_date }));
        });
        const byKey = (row: Record<string, unknown>): string =>
          `${String(row.snapshot_date)}|${String(row.song_id ?? row.album_id ?? row.artist_id)}|${String(row.position ?? '')}`;
        const unique = [...new Map(expected.map((row) => [byKey(row), row])).values()];
        const { rows } = await engine.query(`SELECT * FROM ${table}`);
        expect(rows.length).toBe(unique.length);
        expect([...rows].sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual(
          unique.sort((a, b) => byKey(a).localeCompare(byKey(b))),
        );
      }
      // The partition column casts for every day written, and a sum over the largest values stays exact.
      const days = await engine.query(
        'SELECT min(snapshot_date) AS first, max(snapshot_date) AS last, max(streams) AS streams FROM song_data',
      );
      expect(days.rows[0]).toEqual({ first: '1900-01-01', last: '2099-12-31', streams: MAX_SAFE });
    } finally {
      engine.close();
    }
  });
});

/** Every property of a schema, with its path, $defs included. */
function* properties(schema: JsonSchema, path: string): Generator<[string, JsonSchema]> {
  for (const [name, p] of Object.entries(schema.properties ?? {})) {
    yield [`${path}.${name}`, p];
    yield* properties(p, `${path}.${name}`);
    if (p.items) {
      yield [`${path}.${name}[]`, p.items as JsonSchema];
      yield* properties(p.items as JsonSchema, `${path}.${name}[]`);
    }
  }
  for (const [name, d] of Object.entries((schema.$defs ?? {}) as Record<string, JsonSchema>))
    yield* properties(d, `${path}.$defs.${name}`);
}

const types = (p: JsonSchema): unknown[] => ([] as unknown[]).concat(p.type ?? []);

describe('the schemas bound every column', () => {
  it.each(Object.entries(schemas))(
    '%s: integers within ±(2^53-1), strings and arrays with a maximum',
    (_, schema) => {
      const unbounded: string[] = [];
      for (const [where, p] of properties(schema, '')) {
        const t = types(p);
        if (t.includes('integer')) {
          const { minimum, maximum } = p as { minimum?: number; maximum?: number };
          if (
            typeof minimum !== 'number' ||
            typeof maximum !== 'number' ||
            minimum < -MAX_SAFE ||
            maximum > MAX_SAFE
          )
            unbounded.push(`${where}: integer without minimum/maximum within ±(2^53-1)`);
        }
        if (t.includes('string') && !p.enum && !p.format && typeof p.maxLength !== 'number')
          unbounded.push(`${where}: string without maxLength`);
        if (t.includes('array') && typeof p.maxItems !== 'number')
          unbounded.push(`${where}: array without maxItems`);
      }
      expect(unbounded).toEqual([]);
    },
  );
});
