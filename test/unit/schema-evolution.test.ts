// Schema evolution: the comparator judged on real edits of the real schemas, and `npm run schemas:check` run as CI
// runs it (a child process), on a temporary copy of schemas/ so that the repository's own files stay untouched.
import { spawnSync } from 'node:child_process';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareSchemas, describeChange, isBreaking, type Change } from '#functions/core/schema-evolution.js';
import { schemas } from '#functions/core/schema-sources.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

/** A schema as plain data, to edit a copy of. */
type Json = Record<string, unknown>;

const { songRow, rawTrackRecord } = schemas;

/** A deep copy of a real schema with one edit applied: the current side of a released → current pair. */
function edited(schema: unknown, edit: (s: Json) => void): Json {
  const copy = structuredClone(schema) as Json;
  edit(copy);
  return copy;
}

/** The object at a path of a schema: `at(s, 'properties', 'song_id')`. */
const at = (s: Json, ...keys: readonly string[]): Json => keys.reduce((node, key) => node[key] as Json, s);
const without = (list: unknown, name: string): unknown[] => (list as unknown[]).filter((n) => n !== name);
const defs = (s: Json, name: string): Json => at(s, '$defs', name);

const breaking = (changes: readonly Change[]): Change[] => changes.filter(isBreaking);

describe('compareSchemas on the real schemas', () => {
  it('finds nothing between a schema and itself, nor when only key order or enum order differ', () => {
    for (const schema of Object.values(schemas))
      expect(compareSchemas(schema, structuredClone(schema))).toEqual([]);
    const reordered = edited(rawTrackRecord, (s) => {
      at(s, '$defs', 'ChartSourceRef', 'properties', 'kind').enum = ['demo', 'playlist', 'charts-csv'];
      s.required = [...(s.required as string[])].reverse();
    });
    expect(compareSchemas(rawTrackRecord, Object.fromEntries(Object.entries(reordered).reverse()))).toEqual(
      [],
    );
  });

  // One released → current pair per kind of change that breaks readers of the lake; each must be caught where it is.
  it.each<[string, unknown, (s: Json) => void, string, RegExp]>([
    [
      'a removed column',
      songRow,
      (s) => {
        delete at(s, 'properties').song_name;
        s.required = without(s.required, 'song_name');
      },
      '#/properties/song_name',
      /^property removed: readers of the lake lose it/,
    ],
    [
      'a renamed column (the removal of the old name)',
      songRow,
      (s) => {
        const properties = at(s, 'properties');
        properties.track_name = { type: ['string', 'null'], maxLength: 2048 };
        delete properties.song_name;
        s.required = without(s.required, 'song_name');
      },
      '#/properties/song_name',
      /a rename shows as a removal plus an addition/,
    ],
    [
      'a changed type',
      songRow,
      (s) => {
        at(s, 'properties', 'duration_ms').type = ['number', 'null'];
      },
      '#/properties/duration_ms/type',
      /^type integer\|null → number\|null: changed: readers of new rows find number values/,
    ],
    [
      'null removed from a type union (narrowed)',
      songRow,
      (s) => {
        at(s, 'properties', 'song_id').type = 'string';
      },
      '#/properties/song_id/type',
      /^type string\|null → string: null removed: rows already in the lake that hold null become invalid/,
    ],
    [
      'null added to a type (readers of new rows meet NULL)',
      songRow,
      (s) => {
        at(s, 'properties', 'position').type = ['integer', 'null'];
      },
      '#/properties/position/type',
      /^type integer → integer\|null: null added/,
    ],
    [
      'an optional property made required',
      rawTrackRecord,
      (s) => {
        s.required = [...(s.required as string[]), 'streams'];
      },
      '#/properties/streams',
      /^now required: documents already in the lake may lack it/,
    ],
    [
      'a required property made optional (readers rely on its presence)',
      songRow,
      (s) => {
        s.required = without(s.required, 'song_name');
      },
      '#/properties/song_name',
      /^no longer required: .*the lake reads as NULL/,
    ],
    [
      'a property added as required',
      songRow,
      (s) => {
        at(s, 'properties').mood = { type: ['string', 'null'], maxLength: 32 };
        s.required = [...(s.required as string[]), 'mood'];
      },
      '#/properties/mood',
      /^property added as required: rows already in the lake do not have it/,
    ],
    [
      'an optional property added whose type excludes null',
      songRow,
      (s) => {
        at(s, 'properties').mood = { type: 'string', maxLength: 32 };
      },
      '#/properties/mood',
      /^property added that cannot be null: .*read as NULL/,
    ],
    [
      'a narrowed enum',
      rawTrackRecord,
      (s) => {
        at(s, '$defs', 'ChartSourceRef', 'properties', 'kind').enum = ['charts-csv', 'playlist'];
      },
      '#/$defs/ChartSourceRef/properties/kind/enum',
      /: "demo" no longer allowed, the lake may hold them$/,
    ],
    [
      'a raised minimum',
      songRow,
      (s) => {
        at(s, 'properties', 'position').minimum = 2;
      },
      '#/properties/position/minimum',
      /^minimum 1 → 2: narrowed/,
    ],
    [
      'a lowered maximum',
      songRow,
      (s) => {
        at(s, 'properties', 'popularity').maximum = 99;
      },
      '#/properties/popularity/maximum',
      /^maximum 100 → 99: narrowed/,
    ],
    [
      'a lowered maxLength',
      songRow,
      (s) => {
        at(s, 'properties', 'song_name').maxLength = 1024;
      },
      '#/properties/song_name/maxLength',
      /^maxLength 2048 → 1024: narrowed/,
    ],
    [
      'a lowered maxItems',
      songRow,
      (s) => {
        at(s, 'properties', 'artist_ids').maxItems = 10;
      },
      '#/properties/artist_ids/maxItems',
      /^maxItems 1000 → 10: narrowed/,
    ],
    [
      'a changed pattern',
      songRow,
      (s) => {
        at(s, 'properties', 'chart_id').pattern = '^[a-z0-9-]+$';
      },
      '#/properties/chart_id/pattern',
      /values already in the lake may not satisfy it/,
    ],
    [
      'a changed format',
      songRow,
      (s) => {
        at(s, 'properties', 'extracted_at').format = 'date';
      },
      '#/properties/extracted_at/format',
      /^format "date-time" → "date"/,
    ],
    [
      'a changed const',
      rawTrackRecord,
      (s) => {
        at(s, 'properties', 'schema_version').const = 2;
      },
      '#/properties/schema_version/const',
      /^const 1 → 2: 1 no longer allowed/,
    ],
    [
      'additionalProperties true → false',
      rawTrackRecord,
      (s) => {
        defs(s, 'SpotifyArtist').additionalProperties = false;
      },
      '#/$defs/SpotifyArtist/additionalProperties',
      /^additionalProperties true → false: documents with other properties become invalid/,
    ],
    [
      'a changed item type',
      songRow,
      (s) => {
        at(s, 'properties', 'artist_ids', 'items').type = 'integer';
      },
      '#/properties/artist_ids/items/type',
      /^type string → integer: changed/,
    ],
    [
      'a nested field of an inline object removed',
      rawTrackRecord,
      (s) => {
        at(s, '$defs', 'SpotifyArtist', 'properties', 'followers').properties = {};
      },
      '#/$defs/SpotifyArtist/properties/followers/properties/total',
      /^property removed/,
    ],
    [
      'a type given to a name an open object let through (additionalProperties absent)',
      rawTrackRecord,
      (s) => {
        at(s, '$defs', 'SpotifyTrack', 'properties').preview_url = { type: ['string', 'null'] };
      },
      '#/$defs/SpotifyTrack/properties/preview_url/type',
      /^type any → string\|null: narrowed, documents already in the lake may hold another type/,
    ],
    [
      'a null branch removed from anyOf (track no longer nullable)',
      rawTrackRecord,
      (s) => {
        at(s, 'properties', 'track').anyOf = [{ $ref: '#/$defs/SpotifyTrack' }];
      },
      '#/properties/track/anyOf',
      /^anyOf changed: branches added, removed or replaced/,
    ],
    [
      'a keyword the comparator does not know',
      songRow,
      (s) => {
        at(s, 'properties', 'position').not = { const: 13 };
      },
      '#/properties/position/not',
      /^unknown change to keyword not \(absent → \{"const":13\}\): counted as breaking$/,
    ],
    [
      'another dialect ($schema)',
      songRow,
      (s) => {
        s.$schema = 'http://json-schema.org/draft-07/schema#';
      },
      '#/$schema',
      /^unknown change to keyword \$schema/,
    ],
  ])('breaks readers: %s', (_kind, released, edit, path, message) => {
    const found = breaking(compareSchemas(released, edited(released, edit)));
    expect(found).toContainEqual({ verdict: 'breaking', path, message: expect.stringMatching(message) });
  });

  it('catches a change inside a $defs definition that properties reach through $ref', () => {
    const current = edited(rawTrackRecord, (s) => {
      at(s, '$defs', 'SpotifyTrack', 'properties', 'duration_ms').type = 'string';
    });
    expect(compareSchemas(rawTrackRecord, current)).toEqual([
      {
        verdict: 'breaking',
        path: '#/$defs/SpotifyTrack/properties/duration_ms/type',
        message:
          'type integer → string: changed: readers of new rows find string values here (its Glue and DuckDB type changes)',
      },
    ]);
  });

  it('follows a $ref moved to another definition and judges what it now refers to', () => {
    const current = edited(rawTrackRecord, (s) => {
      const copy = structuredClone(defs(s, 'ChartSourceRef'));
      at(copy, 'properties', 'region').type = 'string';
      at(s, '$defs').ChartSource = copy;
      at(s, 'properties').source = { $ref: '#/$defs/ChartSource' };
    });
    const changes = compareSchemas(rawTrackRecord, current);
    expect(breaking(changes)).toEqual([
      expect.objectContaining({ path: '#/properties/source/properties/region/type' }),
    ]);
    expect(changes).toContainEqual(
      expect.objectContaining({ verdict: 'compatible', path: '#/$defs/ChartSource' }),
    );
  });

  it('walks a recursive definition once when its $ref changes', () => {
    const tree = (name: string): Json => ({
      type: 'object',
      properties: { child: { $ref: `#/$defs/${name}` }, label: { type: ['string', 'null'] } },
    });
    const released = { $defs: { Node: tree('Node') }, $ref: '#/$defs/Node' };
    const current = { $defs: { Tree: tree('Tree') }, $ref: '#/$defs/Tree' };
    const changes = compareSchemas(released, current);
    expect(breaking(changes)).toEqual([]);
    expect(changes.map((c) => c.path)).toEqual(['#/$ref', '#/$defs/Node', '#/$defs/Tree']);
    const narrowed = edited(current, (s) => {
      at(s, '$defs', 'Tree', 'properties', 'label').type = 'string';
    });
    expect(breaking(compareSchemas(released, narrowed))).toEqual([
      expect.objectContaining({ path: '#/properties/label/type' }),
    ]);
  });

  // Changes every document and every reader survives: each is reported, none breaks.
  it.each<[string, unknown, (s: Json) => void, string]>([
    [
      'an added optional property that admits null',
      songRow,
      (s) => {
        at(s, 'properties').mood = { type: ['string', 'null'], description: 'How it sounds.', maxLength: 32 };
      },
      '#/properties/mood',
    ],
    [
      'an added optional property inside a closed $defs object',
      rawTrackRecord,
      (s) => {
        at(s, '$defs', 'ChartSourceRef', 'properties').country = { type: ['string', 'null'], maxLength: 2 };
      },
      '#/$defs/ChartSourceRef/properties/country',
    ],
    [
      'a description edit',
      songRow,
      (s) => {
        at(s, 'properties', 'url').description = 'The track on open.spotify.com.';
      },
      '#/properties/url/description',
    ],
    [
      'a title edit in $defs',
      rawTrackRecord,
      (s) => {
        defs(s, 'SpotifyTrack').title = 'Track';
      },
      '#/$defs/SpotifyTrack/title',
    ],
    [
      'a raised maximum',
      songRow,
      (s) => {
        at(s, 'properties', 'position').maximum = 1_000_000;
      },
      '#/properties/position/maximum',
    ],
    [
      'a lowered minimum',
      songRow,
      (s) => {
        at(s, 'properties', 'streams').minimum = -1;
      },
      '#/properties/streams/minimum',
    ],
    [
      'a raised maxLength',
      songRow,
      (s) => {
        at(s, 'properties', 'song_name').maxLength = 4096;
      },
      '#/properties/song_name/maxLength',
    ],
    [
      'a widened enum',
      rawTrackRecord,
      (s) => {
        at(s, '$defs', 'ChartSourceRef', 'properties', 'kind').enum = [
          'charts-csv',
          'playlist',
          'demo',
          'radio',
        ];
      },
      '#/$defs/ChartSourceRef/properties/kind/enum',
    ],
    [
      'a removed pattern',
      songRow,
      (s) => {
        delete at(s, 'properties', 'region').pattern;
      },
      '#/properties/region/pattern',
    ],
    [
      'additionalProperties false → true',
      songRow,
      (s) => {
        s.additionalProperties = true;
      },
      '#/additionalProperties',
    ],
  ])('keeps readers whole: %s', (_kind, released, edit, path) => {
    const changes = compareSchemas(released, edited(released, edit));
    expect(changes).toEqual([expect.objectContaining({ verdict: 'compatible', path })]);
  });

  it('prints one line per change: verdict, schema, path, the column, what and why', () => {
    const current = edited(songRow, (s) => {
      delete at(s, 'properties').song_name;
      s.required = without(s.required, 'song_name');
    });
    expect(compareSchemas(songRow, current).map((c) => describeChange('song-row', c))).toEqual([
      'breaking   song-row #/properties/song_name (column song_name): property removed: readers of the lake lose it ' +
        '(a rename shows as a removal plus an addition)',
    ]);
  });
});

describe('npm run schemas:check', () => {
  const made: string[] = [];
  afterAll(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  /** The script as `npm run schemas:check -- <args>` runs it, from the repository's root. */
  function schemasCheck(...args: string[]): { code: number | null; out: string; err: string } {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/schemas-check.ts', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
  }

  /** A temporary copy of schemas/ (released/ included), with `edit` applied to one schema file. */
  async function schemasCopy(name: string, edit: (s: Json) => void): Promise<string> {
    const root = await tempDir('schemas-check-');
    made.push(root);
    const dir = join(root, 'schemas');
    await cp(join(repoRoot, 'schemas'), dir, { recursive: true });
    const file = join(dir, `${name}.schema.json`);
    const schema = JSON.parse(await readFile(file, 'utf8')) as Json;
    edit(schema);
    await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`);
    return dir;
  }

  it('passes on the repository as it is: every schema is its last released version', () => {
    const { code, out } = schemasCheck();
    expect(out).toContain('song-row: unchanged since v');
    expect(out).toContain('schemas:check passed: every schema is its last released version.');
    expect(code).toBe(0);
  });

  it('fails with exit 1 on a breaking change, and prints the line that names it', async () => {
    const dir = await schemasCopy('song-row', (s) => {
      delete at(s, 'properties').song_name;
      s.required = without(s.required, 'song_name');
    });
    const { code, out, err } = schemasCheck('--dir', dir);
    expect(out).toContain('song-row: 1 change since v1');
    expect(out).toContain(
      '  breaking   song-row #/properties/song_name (column song_name): property removed: readers of the lake lose it',
    );
    expect(err).toContain('schemas:check failed: 1 breaking change against the released schemas');
    expect(code).toBe(1);
  });

  it('--release writes the next version of the changed schema only, byte for byte, and the check then passes', async () => {
    const dir = await schemasCopy('song-row', (s) => {
      at(s, 'properties').mood = { type: ['string', 'null'], maxLength: 32 };
    });
    const before = await readdir(join(dir, 'released'));
    const passed = schemasCheck('--dir', dir);
    expect(passed.out).toContain(
      'compatible song-row #/properties/mood (column mood): optional property added',
    );
    expect(passed.code).toBe(0);

    const released = schemasCheck('--dir', dir, '--release');
    expect(released.out).toMatch(/released song-row v2 as .*song-row\.v2\.schema\.json\.$/m);
    expect(released.code).toBe(0);
    expect((await readdir(join(dir, 'released'))).sort()).toEqual(
      [...before, 'song-row.v2.schema.json'].sort(),
    );
    expect(await readFile(join(dir, 'released', 'song-row.v2.schema.json'), 'utf8')).toBe(
      await readFile(join(dir, 'song-row.schema.json'), 'utf8'),
    );

    const again = schemasCheck('--dir', dir);
    expect(again.out).toContain('song-row: unchanged since v2');
    expect(again.code).toBe(0);
  });

  it('--release refuses a breaking change and writes nothing; with --allow-breaking it releases and says readers must migrate', async () => {
    const dir = await schemasCopy('album-row', (s) => {
      delete at(s, 'properties').label;
      s.required = without(s.required, 'label');
    });
    const before = await readdir(join(dir, 'released'));
    const refused = schemasCheck('--dir', dir, '--release');
    expect(refused.err).toContain(
      'schemas:check --release refused: breaking changes in album-row; nothing written.',
    );
    expect(refused.code).toBe(1);
    expect(await readdir(join(dir, 'released'))).toEqual(before);

    const forced = schemasCheck('--dir', dir, '--release', '--allow-breaking');
    expect(forced.out).toMatch(
      /released album-row v2 as .* with 1 breaking change: readers of the lake must migrate/,
    );
    expect(forced.code).toBe(0);
    expect((await readdir(join(dir, 'released'))).sort()).toEqual(
      [...before, 'album-row.v2.schema.json'].sort(),
    );
  });

  it('refuses --allow-breaking without --release (exit 2, with the usage)', () => {
    const { code, err } = schemasCheck('--allow-breaking');
    expect(err).toContain('--allow-breaking goes with --release');
    expect(err).toContain('usage: npm run schemas:check --');
    expect(code).toBe(2);
  });
});
