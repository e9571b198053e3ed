// The stack's Glue Schema Registry: registry spotify-etl, one JSON schema per record kind holding the draft-07
// rendition of schemas/, and a retained SchemaVersion for each definition after the first, so that a compatible
// edit registers version 2 on deploy instead of failing the Schema's replacement.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registrySchema, registrySchemas } from '#functions/core/registry-schemas.js';
import { toDraft07 } from '#functions/core/schema-dialects.js';
import { schemas, type JsonSchema } from '#functions/core/schema-sources.js';
import { RELEASED_DIR, SchemaRegistry, schemaHistories } from '#infra/constructs/schema-registry.js';
import { synthesize } from './stack-fixture.js';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

const NAMES = [
  'spotify-etl-raw-track-record',
  'spotify-etl-song-row',
  'spotify-etl-album-row',
  'spotify-etl-artist-row',
];

const resources = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];

/** song-row with one more column, optional and nullable: a compatible edit. */
function songRowWithMood(): JsonSchema {
  const song = structuredClone(schemas.songRow) as JsonSchema & { properties: Record<string, unknown> };
  song.properties.mood = { type: ['string', 'null'], maxLength: 64 };
  return song;
}

describe('the stack’s schema registry', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize({}, { bundle: false }).template;
  });

  it('is one AWS::Glue::Registry named spotify-etl', () => {
    expect(resources(template, 'AWS::Glue::Registry').map(([, r]) => r.Properties.Name)).toEqual([
      'spotify-etl',
    ]);
  });

  it('holds four JSON schemas with BACKWARD_ALL compatibility, in that registry', () => {
    const [[registryId]] = resources(template, 'AWS::Glue::Registry') as [[string, Resource]];
    const found = resources(template, 'AWS::Glue::Schema').map(([, r]) => r.Properties);
    expect(found.map((p) => p.Name)).toEqual(NAMES);
    for (const p of found) {
      expect(p).toMatchObject({
        DataFormat: 'JSON',
        Compatibility: 'BACKWARD_ALL',
        Registry: { Arn: { 'Fn::GetAtt': [registryId, 'Arn'] } },
      });
    }
  });

  it('gives each schema, as its latest definition, the draft-07 rendition of its file in schemas/', () => {
    const schemaDefs = new Map(resources(template, 'AWS::Glue::Schema').map(([id, r]) => [id, r.Properties]));
    const versions = resources(template, 'AWS::Glue::SchemaVersion');
    Object.values(schemas).forEach((schema, i) => {
      const [schemaId, props] = [...schemaDefs].find(([, p]) => p.Name === NAMES[i])!;
      const own = versions.filter(([, v]) => JSON.stringify(v.Properties.Schema).includes(schemaId));
      const latest = (own.at(-1)?.[1].Properties ?? props).SchemaDefinition as string;
      expect(JSON.parse(latest)).toEqual(toDraft07(schema));
      expect(latest).toBe(JSON.stringify(toDraft07(schema), null, 2));
    });
  });

  it('starts each schema at its first released version (schemas/released/<name>.v1.schema.json)', () => {
    const histories = schemaHistories();
    const found = resources(template, 'AWS::Glue::Schema').map(([, r]) => r.Properties);
    expect(found.map((p) => p.SchemaDefinition)).toEqual(histories.map((h) => h.definitions[0]));
  });
});

describe('schemaHistories', () => {
  async function releasedDir(files: Record<string, JsonSchema>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'released-'));
    for (const [name, schema] of Object.entries(files))
      await writeFile(join(dir, name), JSON.stringify(schema));
    return dir;
  }

  it('is one version per schema when the files are their released version 1', async () => {
    const dir = await releasedDir({ 'song-row.v1.schema.json': schemas.songRow });
    const [song] = schemaHistories(dir, registrySchemas([schemas.songRow]));
    expect(song!.definitions).toEqual([registrySchema(schemas.songRow).definition]);
  });

  it('adds the current file after the released versions when a compatible edit changed it', async () => {
    const edited = songRowWithMood();
    const dir = await releasedDir({ 'song-row.v1.schema.json': schemas.songRow });
    const [song] = schemaHistories(dir, registrySchemas([edited]));
    expect(song!.definitions).toEqual(
      [registrySchema(schemas.songRow), registrySchema(edited)].map((s) => s.definition),
    );
  });

  it('orders released versions by number (v10 after v9), and takes a schema never released as it is', async () => {
    const versions = Object.fromEntries(
      [1, 2, 9, 10].map((n) => [
        `song-row.v${n}.schema.json`,
        { ...schemas.songRow, description: `release ${n}` } as JsonSchema,
      ]),
    );
    const dir = await releasedDir(versions);
    const [song, album] = schemaHistories(dir, registrySchemas([schemas.songRow, schemas.albumRow]));
    expect(song!.definitions.map((d) => JSON.parse(d).description)).toEqual([
      'release 1',
      'release 2',
      'release 9',
      'release 10',
      schemas.songRow.description,
    ]);
    expect(album!.definitions).toEqual([registrySchema(schemas.albumRow).definition]);
  });

  it('reads the project’s released folder by default', () => {
    expect(RELEASED_DIR.endsWith('/schemas/released/')).toBe(true);
    expect(schemaHistories().map((h) => h.name)).toEqual(NAMES);
  });
});

describe('SchemaRegistry with a history of versions', () => {
  const v1 = registrySchema(schemas.songRow).definition;
  const v2 = registrySchema(songRowWithMood()).definition;
  const v3 = JSON.stringify({ ...JSON.parse(v2), description: 'v3' }, null, 2);
  const construct = (definitions: readonly string[]): Template => {
    const stack = new Stack(new App(), 'Registry');
    new SchemaRegistry(stack, 'SchemaRegistry', {
      histories: [{ name: 'spotify-etl-song-row', description: 'song_data', definitions }],
    });
    return Template.fromStack(stack);
  };

  it('keeps version 1 as the Schema’s definition and adds the later ones as retained SchemaVersions, in order', () => {
    const template = construct([v1, v2, v3]);
    const [[schemaId, schema]] = resources(template, 'AWS::Glue::Schema') as [[string, Resource]];
    expect(schema.Properties.SchemaDefinition).toBe(v1);
    const versions = resources(template, 'AWS::Glue::SchemaVersion');
    expect(versions.map(([, v]) => v.Properties.SchemaDefinition)).toEqual([v2, v3]);
    expect(versions.map(([, v]) => v.Properties.Schema)).toEqual([
      { SchemaArn: { 'Fn::GetAtt': [schemaId, 'Arn'] } },
      { SchemaArn: { 'Fn::GetAtt': [schemaId, 'Arn'] } },
    ]);
    for (const [, v] of versions)
      expect(v).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const [[v2Id, version2], [, version3]] = versions as [[string, Resource], [string, Resource]];
    expect(version2.DependsOn).toContain(schemaId);
    expect(version3.DependsOn).toContain(v2Id);
  });

  it('leaves version 1 and 2 as they were when version 3 is added: a deploy adds, never replaces', () => {
    const before = construct([v1, v2]).toJSON().Resources as Record<string, Resource>;
    const after = construct([v1, v2, v3]).toJSON().Resources as Record<string, Resource>;
    for (const [id, resource] of Object.entries(before)) expect(after[id]).toEqual(resource);
    expect(Object.keys(after).length).toBe(Object.keys(before).length + 1);
  });

  it('refuses at synth a version that repeats an earlier one (Glue would answer AlreadyExists)', () => {
    expect(() => construct([v1, v2, v1])).toThrow('version 3 repeats version 1');
  });
});
