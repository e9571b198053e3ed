// toDraft07: the draft-07 rendition Glue registers must accept and reject exactly what the 2020-12 original does,
// on real documents (records built from a recorded chart and recorded playlists, the transformer's rows of them)
// and on one-mutation breakages of each; a keyword it cannot vouch for must stop it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createAjv } from '#functions/core/ajv.js';
import { parseChartCsv } from '#functions/core/charts-csv.js';
import { buildRecord } from '#functions/core/extract.js';
import { REGISTRY_SCHEMA_PREFIX, registrySchemas } from '#functions/core/registry-schemas.js';
import { DRAFT_07, GLUE_MAX_DEFINITION_CHARS, toDraft07 } from '#functions/core/schema-dialects.js';
import { schemas, type JsonSchema, type SchemaName } from '#functions/core/schema-sources.js';
import { playlistChart } from '#functions/core/sources.js';
import { albumRow, artistRow, splitRecord } from '#functions/core/split.js';
import type { RawTrackRecord } from '#functions/core/record-types.js';
import type { SpotifyAlbum, SpotifyArtist } from '#functions/core/spotify-types.js';
import type { SpotifyCatalog } from '#functions/ports.js';
import { EtlError } from '#functions/errors.js';
import { FixtureCatalog } from '../helpers/fixture-catalog.js';
import { chartsDir, realData, repoRoot } from '../helpers/paths.js';

type Doc = Record<string, unknown>;
type Validate = (doc: unknown) => boolean;

// Both ship CommonJS: ESM sees module.exports, whose `default` is the class (and the plugin).
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

/** ajv's default class is draft-07; set up as functions/core/ajv.ts sets up the project's 2020-12 ajv. */
function draft07Validator(schema: JsonSchema): Validate {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv, { mode: 'full' });
  return ajv.compile(toDraft07(schema));
}

const RUN = { runId: '20240205T160000Z-au0001', extractedAt: '2024-02-05T16:00:03.000Z' };

/** Raw records as the extractor builds them: a recorded AU chart (not enriched) and two recorded playlists. */
async function realRecords(): Promise<RawTrackRecord[]> {
  const file = 'regional-au-daily-2024-02-05.csv';
  const chart = parseChartCsv(readFileSync(join(chartsDir, file), 'utf8'), { fileName: file });
  const none = { tracks: new Map(), albums: new Map(), artists: new Map() };
  const records = chart.entries.map((entry) => buildRecord(chart, entry, RUN, none));
  const recorded = FixtureCatalog.fromRecorded();
  const catalog: SpotifyCatalog = {
    getTrack: async (id) => recorded.findTrack(id),
    getAlbum: async (id) => recorded.findAlbum(id),
    getArtist: async (id) => recorded.findArtist(id),
    playlistItems: async function* (id) {
      yield* recorded.findPlaylist(id)?.items ?? [];
    },
    stats: () => ({ apiCalls: 0, retries: 0, tokenRequests: 0 }),
  };
  for (const id of [FixtureCatalog.RECORDED_PLAYLIST, FixtureCatalog.NL_TOP_40]) {
    const playlist = await playlistChart(catalog, id, '2026-11-25');
    // Full albums and artists where they were recorded, as an extended-quota extraction would send them.
    const albums = new Map<string, SpotifyAlbum>();
    const artists = new Map<string, SpotifyArtist>();
    for (const track of playlist.entries.map((e) => e.track)) {
      const album = track?.album?.id ? recorded.findAlbum(track.album.id) : undefined;
      if (album?.id) albums.set(album.id, album);
      for (const a of track?.artists ?? []) {
        const artist = a.id ? recorded.findArtist(a.id) : undefined;
        if (artist?.id) artists.set(artist.id, artist);
      }
    }
    const found = { tracks: new Map(), albums, artists };
    records.push(...playlist.entries.map((entry) => buildRecord(playlist, entry, RUN, found)));
  }
  return records;
}

/** Recorded full albums and artists (genres, followers, label…), as rows of the chart. */
function recordedEntityRows(): { albums: Doc[]; artists: Doc[] } {
  const read = <T>(file: string): T => JSON.parse(readFileSync(join(realData, 'spotify', file), 'utf8')) as T;
  const albums = [
    read<SpotifyAlbum>('album-5bU1XKYxHhEwukllT20xtk.json'),
    read<SpotifyAlbum>('album-year-precision.json'),
    ...read<{ albums: SpotifyAlbum[] }>('albums-several-month-precision.json').albums,
  ];
  const artists = [
    ...read<{ artists: SpotifyArtist[] }>('artists-several.json').artists,
    ...read<{ artists: SpotifyArtist[] }>('artists-20-full-objects.json').artists,
    read<SpotifyArtist>('artist-empty-genres.json'),
  ];
  const chart = 'regional-au-daily';
  return {
    albums: albums.map(
      (a) => albumRow(a as SpotifyAlbum & { id: string }, chart, RUN.runId) as unknown as Doc,
    ),
    artists: artists.map(
      (a) => artistRow(a as SpotifyArtist & { id: string }, chart, RUN.runId) as unknown as Doc,
    ),
  };
}

/** Valid documents per schema: the records, the transformer's rows of them, rows of recorded full objects. */
async function validCorpus(): Promise<Record<SchemaName, Doc[]>> {
  const original = createAjv().compile(schemas.rawTrackRecord);
  const records = (await realRecords()).filter((r) => original(r));
  const rows = records.map(splitRecord).flatMap((r) => ('rows' in r ? [r.rows] : []));
  const docs = (xs: readonly unknown[]): Doc[] => xs.map((x) => structuredClone(x) as Doc);
  const entities = recordedEntityRows();
  return {
    rawTrackRecord: docs(records),
    songRow: docs(rows.map((r) => r.song)),
    albumRow: docs([...rows.flatMap((r) => (r.album ? [r.album] : [])), ...entities.albums]),
    artistRow: docs([...rows.flatMap((r) => r.artists), ...entities.artists]),
  };
}

/** A value of a JSON type the property's `type` does not allow. */
function wrongType(types: readonly string[]): unknown {
  const candidates: [string, unknown][] = [
    ['string', 'text'],
    ['integer', 7],
    ['number', 1.5],
    ['boolean', true],
    ['object', {}],
    ['array', []],
  ];
  const allowed = (t: string): boolean => types.includes(t) || (t === 'integer' && types.includes('number'));
  return candidates.find(([t]) => !allowed(t))![1];
}

const BAD_STRINGS: Record<string, string> = { date: '2024-02-30', 'date-time': '2024-02-05T25:61:00Z' };

/** One mutation each: a required field missing, a wrong type, an extra property, a bound or pattern broken. */
function mutations(schema: JsonSchema, doc: Doc): [string, Doc][] {
  const out: [string, Doc][] = [];
  const set = (what: string, key: string, value: unknown): void => {
    out.push([what, { ...structuredClone(doc), [key]: value }]);
  };
  for (const key of schema.required ?? []) {
    const copy = structuredClone(doc);
    delete copy[key];
    out.push([`missing ${key}`, copy]);
  }
  if (schema.additionalProperties === false) set('an extra property', 'not_in_the_schema', 1);
  for (const [key, p] of Object.entries(schema.properties ?? {})) {
    const types = typeof p.type === 'string' ? [p.type] : (p.type as string[] | undefined);
    if (types) set(`${key} of a wrong type`, key, wrongType(types));
    if (typeof p.maxLength === 'number') set(`${key} too long`, key, 'x'.repeat(p.maxLength + 1));
    if (typeof p.maximum === 'number') set(`${key} above its maximum`, key, p.maximum + 1);
    if (typeof p.minimum === 'number') set(`${key} below its minimum`, key, p.minimum - 1);
    if (typeof p.pattern === 'string') set(`${key} against its pattern`, key, 'Not A Match!');
    if (typeof p.format === 'string') set(`${key} not a ${p.format}`, key, BAD_STRINGS[p.format]);
    if (Array.isArray(p.enum)) set(`${key} outside its enum`, key, 'none-of-these');
    if ('const' in p) set(`${key} other than its const`, key, 2);
  }
  return out;
}

/** Breakages inside the raw record's $defs objects (source, chart entry, track, album, artists, images). */
function nestedMutations(record: Doc): [string, Doc][] {
  const edit = (what: string, change: (r: Doc & RawTrackRecord) => void): [string, Doc] => {
    const copy = structuredClone(record) as Doc & RawTrackRecord;
    change(copy);
    return [what, copy];
  };
  const w = <T>(x: T): Record<string, unknown> => x as unknown as Record<string, unknown>;
  return [
    edit('source.kind outside its enum', (r) => (w(r.source).kind = 'radio')),
    edit('source with an extra property', (r) => (w(r.source).extra = true)),
    edit('source.id against its pattern', (r) => (w(r.source).id = 'Not An Id')),
    edit('chart_entry without uri', (r) => delete w(r.chart_entry).uri),
    edit('chart_entry.uri empty', (r) => (w(r.chart_entry).uri = '')),
    edit('track.type outside its enum', (r) => (w(r.track).type = 'podcast')),
    edit('track.name a number', (r) => (w(r.track).name = 42)),
    edit('track.duration_ms negative', (r) => (w(r.track).duration_ms = -1)),
    edit('track.album.images[0] without url', (r) => delete w(r.track!.album!.images![0]).url),
    edit('album.total_tracks a string', (r) => (w(r.album).total_tracks = '12')),
    edit('artists[0] without name', (r) => delete w(r.artists![0]).name),
    edit('artists[0].popularity above 100', (r) => (w(r.artists![0]).popularity = 101)),
    edit('artists[0].genres[0] too long', (r) => (w(r.artists![0]).genres = ['x'.repeat(257)])),
  ];
}

describe('toDraft07', () => {
  let corpus: Record<SchemaName, Doc[]>;
  beforeAll(async () => {
    corpus = await validCorpus();
  });

  it('builds a corpus of real documents for every schema', () => {
    expect(corpus.rawTrackRecord.length).toBeGreaterThan(400); // 200 chart entries + 240 playlist items, less set-asides
    expect(corpus.songRow.length).toBe(corpus.rawTrackRecord.length);
    expect(corpus.albumRow.length).toBeGreaterThan(100);
    expect(corpus.artistRow.length).toBeGreaterThan(100);
    expect(corpus.artistRow.some((a) => Array.isArray(a.genres) && a.genres.length > 0)).toBe(true);
    expect(corpus.albumRow.some((a) => a.release_date_precision === 'year')).toBe(true);
  });

  it.each(Object.keys(schemas) as SchemaName[])(
    '%s: the draft-07 rendition accepts every real document the 2020-12 original accepts',
    (name) => {
      const original = createAjv().compile(schemas[name]);
      const draft07 = draft07Validator(schemas[name]);
      expect(corpus[name].filter((doc) => !original(doc))).toEqual([]);
      expect(corpus[name].filter((doc) => !draft07(doc))).toEqual([]);
    },
  );

  it.each(Object.keys(schemas) as SchemaName[])(
    '%s: both reject each one-mutation breakage of real documents',
    (name) => {
      const original = createAjv().compile(schemas[name]);
      const draft07 = draft07Validator(schemas[name]);
      const docs = corpus[name];
      const bases = [docs[0]!, docs[Math.floor(docs.length / 2)]!, docs.at(-1)!];
      const broken = bases.flatMap((doc) => [
        ...mutations(schemas[name], doc),
        ...(name === 'rawTrackRecord' && (doc as unknown as RawTrackRecord).track
          ? nestedMutations(doc)
          : []),
      ]);
      expect(broken.length).toBeGreaterThan(10);
      const verdicts = broken.map(([what, doc]) => [what, original(doc), draft07(doc)]);
      expect(verdicts.filter(([, o, d]) => o !== d)).toEqual([]); // they agree on every one
      expect(verdicts.filter(([, o]) => o)).toEqual([]); // and each mutation did break the document
    },
  );

  it('rewrites $schema, $defs and its references, and nothing else', () => {
    const rendition = toDraft07(schemas.rawTrackRecord);
    expect(rendition.$schema).toBe(DRAFT_07);
    expect(rendition.$defs).toBeUndefined();
    expect(Object.keys(rendition.definitions as object)).toEqual(
      Object.keys(schemas.rawTrackRecord.$defs as object),
    );
    const text = JSON.stringify(rendition);
    expect(text).not.toContain('$defs');
    expect(text).toContain('"$ref":"#/definitions/SpotifyTrack"');
    expect(
      JSON.parse(text.replaceAll('#/definitions/', '#/$defs/').replace('"definitions":', '"$defs":')),
    ).toEqual({
      ...schemas.rawTrackRecord,
      $schema: DRAFT_07,
    });
  });

  it('leaves its input as it was (pure)', () => {
    const before = structuredClone(schemas.rawTrackRecord);
    toDraft07(schemas.rawTrackRecord);
    expect(schemas.rawTrackRecord).toEqual(before);
  });

  it('keeps what 2020-12 applies beside a $ref, which draft-07 would ignore, in an allOf', () => {
    const schema: JsonSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { Named: { type: 'object', properties: { name: { type: 'string' } } } },
      properties: {
        artist: { $ref: '#/$defs/Named', type: 'object', required: ['name'], description: 'an artist' },
      },
    };
    expect(toDraft07(schema).properties!.artist).toEqual({
      allOf: [{ $ref: '#/definitions/Named' }],
      type: 'object',
      required: ['name'],
      description: 'an artist',
    });
    const original = createAjv().compile(schema);
    const draft07 = draft07Validator(schema);
    for (const doc of [{ artist: {} }, { artist: { name: 'x' } }, { artist: { name: 1 } }]) {
      expect([doc, draft07(doc)]).toEqual([doc, original(doc)]);
    }
  });

  const base = { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Probe', type: 'object' };
  it.each<[string, Record<string, unknown>]>([
    ['prefixItems', { properties: { a: { type: 'array', prefixItems: [{ type: 'string' }] } } }],
    ['unevaluatedProperties', { unevaluatedProperties: false }],
    ['dependentRequired', { dependentRequired: { a: ['b'] } }],
    ['$anchor', { properties: { a: { $anchor: 'here', type: 'string' } } }],
    ['$dynamicRef', { properties: { a: { $dynamicRef: '#node' } } }],
    ['a nested $defs', { properties: { a: { $defs: { B: { type: 'string' } } } } }],
    ['a $ref to another file', { properties: { a: { $ref: 'other.schema.json#/$defs/B' } } }],
    ['a $ref to a definition that is not there', { properties: { a: { $ref: '#/$defs/Missing' } } }],
    ['items as a boolean', { properties: { a: { type: 'array', items: false } } }],
    ['format uuid (2019-09 on)', { properties: { a: { type: 'string', format: 'uuid' } } }],
    ['a draft-07 $schema', { $schema: DRAFT_07 }],
  ])('throws on %s, naming where it is', (what, extra) => {
    const schema = { ...base, ...extra } as JsonSchema;
    expect(() => toDraft07(schema)).toThrow(EtlError);
    expect(() => toDraft07(schema)).toThrow(/^Probe: \/.*not known to mean the same in draft-07/);
  });

  it('every rendition is far under Glue’s 170,000-character cap', () => {
    for (const schema of Object.values(schemas)) {
      expect(JSON.stringify(toDraft07(schema), null, 2).length).toBeLessThan(GLUE_MAX_DEFINITION_CHARS / 10);
    }
    for (const s of registrySchemas()) expect(s.definition.length).toBeLessThan(GLUE_MAX_DEFINITION_CHARS);
  });

  it('names each registry schema after its file in schemas/', () => {
    const files = readdirSync(join(repoRoot, 'schemas')).filter((f) => f.endsWith('.schema.json'));
    const names = files.map((f) => `${REGISTRY_SCHEMA_PREFIX}${f.replace(/\.schema\.json$/, '')}`);
    expect(
      registrySchemas()
        .map((s) => s.name)
        .sort(),
    ).toEqual(names.sort());
    expect(registrySchemas()[1]).toMatchObject({ name: 'spotify-etl-song-row' });
  });
});
