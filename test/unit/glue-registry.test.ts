// registerSchemas where the emulator cannot go: moto makes every version AVAILABLE at once and checks no
// compatibility, so PENDING, FAILURE and a refused call are played by a mocked Glue client, with a fake clock.
import {
  AccessDeniedException,
  CreateRegistryCommand,
  CreateSchemaCommand,
  EntityNotFoundException,
  GetRegistryCommand,
  GetSchemaVersionCommand,
  GlueClient,
  RegisterSchemaVersionCommand,
} from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { registerSchemas } from '#functions/adapters/aws/glue-registry.js';
import { registrySchemas } from '#functions/core/registry-schemas.js';
import { schemas } from '#functions/core/schema-sources.js';
import { EtlError } from '#functions/errors.js';
import { fakeClock } from '../helpers/paths.js';

const glue = mockClient(GlueClient);
const client = new GlueClient({ region: 'eu-west-1' });
const [song] = registrySchemas([schemas.songRow]);
const registryName = 'spotify-etl';
const notFound = new EntityNotFoundException({ message: 'Schema is not found.', $metadata: {} });

beforeEach(() => {
  glue.reset();
  glue.on(GetRegistryCommand).resolves({ RegistryName: registryName });
});

/** The schema exists at version 1 with another definition, so the call registers version 2. */
function existingAtVersion1(): void {
  glue
    .on(GetSchemaVersionCommand, { SchemaId: { RegistryName: registryName, SchemaName: song!.name } })
    .resolves({ VersionNumber: 1, SchemaDefinition: '{"type":"object"}', Status: 'AVAILABLE' });
}

describe('registerSchemas, states the emulator never shows', () => {
  it('waits while version 2 is PENDING, polling on the injected clock, until it is AVAILABLE', async () => {
    existingAtVersion1();
    glue
      .on(RegisterSchemaVersionCommand)
      .resolves({ SchemaVersionId: 'v2', VersionNumber: 2, Status: 'PENDING' });
    glue
      .on(GetSchemaVersionCommand, { SchemaVersionId: 'v2' })
      .resolvesOnce({ Status: 'PENDING' })
      .resolvesOnce({ Status: 'AVAILABLE' });
    const clock = fakeClock();

    const report = await registerSchemas(client, { registryName, schemas: [song!], clock, pollMs: 500 });

    expect(report.schemas).toEqual([{ name: song!.name, outcome: 'new version', version: 2 }]);
    expect(clock.sleeps).toEqual([500, 500]);
  });

  it('gives up on a version still PENDING after the timeout, saying it can be run again', async () => {
    existingAtVersion1();
    glue
      .on(RegisterSchemaVersionCommand)
      .resolves({ SchemaVersionId: 'v2', VersionNumber: 2, Status: 'PENDING' });
    glue.on(GetSchemaVersionCommand, { SchemaVersionId: 'v2' }).resolves({ Status: 'PENDING' });
    const clock = fakeClock();

    const run = registerSchemas(client, {
      registryName,
      schemas: [song!],
      clock,
      pollMs: 1000,
      timeoutMs: 5000,
    });

    await expect(run).rejects.toThrow('Version 2 of spotify-etl-song-row is still PENDING after 5 s.');
    expect(clock.sleeps).toHaveLength(5);
  });

  it('fails with a hint when Glue marks the new version FAILURE (its compatibility check)', async () => {
    existingAtVersion1();
    glue
      .on(RegisterSchemaVersionCommand)
      .resolves({ SchemaVersionId: 'v2', VersionNumber: 2, Status: 'FAILURE' });

    const error = await registerSchemas(client, { registryName, schemas: [song!], clock: fakeClock() }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(EtlError);
    expect((error as EtlError).message).toContain('marked version 2 of spotify-etl-song-row FAILURE');
    expect((error as EtlError).hint).toContain('npm run schemas:check');
  });

  it('fails on a version being deleted', async () => {
    glue
      .on(GetSchemaVersionCommand)
      .resolves({ VersionNumber: 3, SchemaDefinition: song!.definition, Status: 'DELETING' });

    await expect(registerSchemas(client, { registryName, schemas: [song!] })).rejects.toThrow(
      'Version 3 of spotify-etl-song-row is DELETING, not AVAILABLE.',
    );
  });

  it('turns AccessDenied into the permissions the call needs', async () => {
    glue.on(GetSchemaVersionCommand).rejects(notFound);
    glue
      .on(CreateSchemaCommand)
      .rejects(
        new AccessDeniedException({ message: 'not authorized to perform: glue:CreateSchema', $metadata: {} }),
      );

    const error = (await registerSchemas(client, { registryName, schemas: [song!] }).catch(
      (e: unknown) => e,
    )) as EtlError;

    expect(error.message).toBe(
      'Glue CreateSchema spotify-etl-song-row failed: AccessDeniedException: not authorized to perform: glue:CreateSchema',
    );
    expect(error.hint).toContain('glue:CreateSchema');
    expect(error.hint).toContain(`schema/${registryName}/*`);
  });

  it('creates a missing registry, and a missing schema as JSON with BACKWARD_ALL and the rendition', async () => {
    glue.on(GetRegistryCommand).rejects(notFound);
    glue.on(CreateRegistryCommand).resolves({ RegistryName: registryName });
    glue.on(GetSchemaVersionCommand).rejects(notFound);
    glue.on(CreateSchemaCommand).resolves({ SchemaVersionId: 'v1', SchemaVersionStatus: 'AVAILABLE' });

    const report = await registerSchemas(client, { registryName, schemas: [song!] });

    expect(report).toEqual({
      registryName,
      registryCreated: true,
      schemas: [{ name: song!.name, outcome: 'created', version: 1 }],
    });
    expect(glue.commandCalls(CreateSchemaCommand)[0]!.args[0].input).toMatchObject({
      RegistryId: { RegistryName: registryName },
      SchemaName: 'spotify-etl-song-row',
      DataFormat: 'JSON',
      Compatibility: 'BACKWARD_ALL',
      SchemaDefinition: song!.definition,
    });
  });
});
