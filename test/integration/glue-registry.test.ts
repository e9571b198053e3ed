// registerSchemas and `spotify-etl schemas register` against the AWS emulator's Glue Schema Registry (moto):
// created once, unchanged when run again, a new version only for the schema that changed.
import { GetSchemaCommand, GetSchemaVersionCommand, GlueClient } from '@aws-sdk/client-glue';
import { registerSchemas, type SchemaRegistration } from '#functions/adapters/aws/glue-registry.js';
import { registrySchemas } from '#functions/core/registry-schemas.js';
import { toDraft07 } from '#functions/core/schema-dialects.js';
import { schemas, type JsonSchema } from '#functions/core/schema-sources.js';
import { ConfigError, UsageError } from '#functions/errors.js';
import { cliInProcess } from '../helpers/cli.js';
import { startMoto, type RunningMoto } from '../helpers/moto.js';

let moto: RunningMoto;
let glue: GlueClient;

beforeAll(async () => {
  moto = await startMoto();
  glue = new GlueClient(moto.clientConfig);
});

afterAll(async () => {
  glue?.destroy();
  await moto?.stop();
});

const NAMES = [
  'spotify-etl-raw-track-record',
  'spotify-etl-song-row',
  'spotify-etl-album-row',
  'spotify-etl-artist-row',
];

const outcomes = (results: readonly SchemaRegistration[]) =>
  results.map((r) => [r.name, r.outcome, r.version]);

/** song-row with one more column, optional and nullable: the compatible kind of edit. */
function songRowWithMood(): JsonSchema {
  const song = structuredClone(schemas.songRow) as JsonSchema & { properties: Record<string, unknown> };
  song.properties.mood = { type: ['string', 'null'], maxLength: 64 };
  return song;
}

describe('registerSchemas on the emulator', () => {
  const registryName = 'spotify-etl-test';

  it('creates the registry and the four schemas, each at version 1', async () => {
    const report = await registerSchemas(glue, { registryName });
    expect(report.registryCreated).toBe(true);
    expect(outcomes(report.schemas)).toEqual(NAMES.map((n) => [n, 'created', 1]));
  });

  it('holds each draft-07 rendition as a JSON schema with BACKWARD_ALL compatibility', async () => {
    for (const [name, schema] of NAMES.map((n, i) => [n, Object.values(schemas)[i]!] as const)) {
      const id = { RegistryName: registryName, SchemaName: name };
      const info = await glue.send(new GetSchemaCommand({ SchemaId: id }));
      expect(info).toMatchObject({
        DataFormat: 'JSON',
        Compatibility: 'BACKWARD_ALL',
        LatestSchemaVersion: 1,
      });
      const latest = await glue.send(
        new GetSchemaVersionCommand({ SchemaId: id, SchemaVersionNumber: { LatestVersion: true } }),
      );
      expect(latest.Status).toBe('AVAILABLE');
      expect(JSON.parse(latest.SchemaDefinition!)).toEqual(toDraft07(schema));
    }
  });

  it('registers nothing when run again: every schema unchanged at version 1', async () => {
    const report = await registerSchemas(glue, { registryName });
    expect(report.registryCreated).toBe(false);
    expect(outcomes(report.schemas)).toEqual(NAMES.map((n) => [n, 'unchanged', 1]));
  });

  it('registers version 2 of the one schema a compatible edit changed, and only that', async () => {
    const edited = registrySchemas([
      schemas.rawTrackRecord,
      songRowWithMood(),
      schemas.albumRow,
      schemas.artistRow,
    ]);
    const report = await registerSchemas(glue, { registryName, schemas: edited });
    expect(outcomes(report.schemas)).toEqual([
      [NAMES[0], 'unchanged', 1],
      [NAMES[1], 'new version', 2],
      [NAMES[2], 'unchanged', 1],
      [NAMES[3], 'unchanged', 1],
    ]);
    const again = await registerSchemas(glue, { registryName, schemas: edited });
    expect(again.schemas[1]).toEqual({ name: NAMES[1], outcome: 'unchanged', version: 2, latest: 2 });
  });

  it('answers a revert with the version that already holds the definition, as Glue does', async () => {
    const report = await registerSchemas(glue, { registryName });
    expect(report.schemas[1]).toEqual({ name: NAMES[1], outcome: 'unchanged', version: 1, latest: 2 });
    const info = await glue.send(
      new GetSchemaCommand({ SchemaId: { RegistryName: registryName, SchemaName: NAMES[1] } }),
    );
    expect(info.LatestSchemaVersion).toBe(2);
  });
});

describe('spotify-etl schemas register on the emulator', () => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, moto.env));
  afterAll(() => {
    process.env = saved;
  });

  it('prints what it created, then that nothing changed; exit 0', async () => {
    const first = await cliInProcess(['schemas', 'register', '--registry', 'spotify-etl-cli']);
    expect(first.code).toBe(0);
    expect(first.out).toContain('registry spotify-etl-cli (created)');
    for (const name of NAMES) expect(first.out).toMatch(new RegExp(`${name}\\s+created\\s+1`));
    expect(first.out).toContain('4 schemas: 4 created, 0 new versions, 0 unchanged');

    const second = await cliInProcess(['schemas', 'register', '--registry', 'spotify-etl-cli']);
    expect(second.out).toContain('registry spotify-etl-cli\n');
    expect(second.out).toContain('4 schemas: 0 created, 0 new versions, 4 unchanged');
  });

  it('takes the registry from GLUE_REGISTRY and writes the report as JSON', async () => {
    process.env.GLUE_REGISTRY = 'spotify-etl-env';
    try {
      const r = await cliInProcess(['schemas', 'register', '--format', 'json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({
        registryName: 'spotify-etl-env',
        registryCreated: true,
        schemas: NAMES.map((name) => ({ name, outcome: 'created', version: 1 })),
      });
    } finally {
      delete process.env.GLUE_REGISTRY;
    }
  });

  it('refuses a missing or malformed registry name before calling Glue', async () => {
    await expect(cliInProcess(['schemas', 'register'])).rejects.toThrow(UsageError);
    await expect(cliInProcess(['schemas', 'register', '--registry', 'no spaces'])).rejects.toThrow(
      '--registry no spaces is not a Glue registry name.',
    );
    process.env.GLUE_REGISTRY = 'no/slashes';
    try {
      await expect(cliInProcess(['schemas', 'register'])).rejects.toThrow(ConfigError);
    } finally {
      delete process.env.GLUE_REGISTRY;
    }
  });
});
