// The Glue Schema Registry: the schemas of schemas/ registered as JSON (draft-07) schemas, one per record kind, with a
// new version only when a definition changed. `spotify-etl schemas register` runs it; the stack registers on deploy.
import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  GetRegistryCommand,
  GetSchemaVersionCommand,
  RegisterSchemaVersionCommand,
} from '@aws-sdk/client-glue';
import type { Compatibility, GlueClient, SchemaId, SchemaVersionStatus } from '@aws-sdk/client-glue';
import { isDeepStrictEqual } from 'node:util';
import {
  REGISTRY_COMPATIBILITY,
  registrySchemas,
  type RegistrySchema,
} from '#functions/core/registry-schemas.js';
import { EtlError } from '#functions/errors.js';
import { systemClock, type Clock } from '#functions/ports.js';

/** BACKWARD_ALL, for the reasons REGISTRY_COMPATIBILITY gives. */
export const DEFAULT_COMPATIBILITY: Compatibility = REGISTRY_COMPATIBILITY;

export interface RegisterSchemasOptions {
  readonly registryName: string;
  /** Given to a schema when it is created; an existing schema keeps its own. */
  readonly compatibility?: Compatibility;
  /** The schemas to register; by default those of schemas/. */
  readonly schemas?: readonly RegistrySchema[];
  readonly clock?: Clock;
  /** How often to look at a version Glue is still checking (PENDING), and for how long in all. */
  readonly pollMs?: number;
  readonly timeoutMs?: number;
}

export type SchemaRegistration =
  | { readonly name: string; readonly outcome: 'created'; readonly version: number }
  | { readonly name: string; readonly outcome: 'new version'; readonly version: number }
  /** `version` is the one equal to the definition; `latest` differs when that is an older one (a revert). */
  | {
      readonly name: string;
      readonly outcome: 'unchanged';
      readonly version: number;
      readonly latest: number;
    };

export interface RegistryReport {
  readonly registryName: string;
  readonly registryCreated: boolean;
  readonly schemas: readonly SchemaRegistration[];
}

/** What every step of one registration shares. */
interface Context {
  readonly client: GlueClient;
  readonly registryName: string;
  readonly compatibility: Compatibility;
  readonly clock: Clock;
  readonly pollMs: number;
  readonly timeoutMs: number;
}

interface Version {
  readonly id: string | undefined;
  readonly number: number;
  readonly status: SchemaVersionStatus | undefined;
}

const named = (error: unknown, name: string): boolean => (error as { name?: unknown } | null)?.name === name;

function hintFor(name: string, message: string, registryName: string): string {
  if (name === 'AccessDeniedException') {
    return (
      'The AWS identity needs glue:GetRegistry, glue:CreateRegistry, glue:CreateSchema, glue:GetSchemaVersion and ' +
      `glue:RegisterSchemaVersion on arn:aws:glue:<region>:<account>:registry/${registryName} and ` +
      `arn:aws:glue:<region>:<account>:schema/${registryName}/*.`
    );
  }
  if (/credential|UnrecognizedClient|InvalidSignature|ExpiredToken/i.test(`${name} ${message}`)) {
    return 'Configure AWS credentials: AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';
  }
  if (/region is missing/i.test(message)) return 'Set AWS_REGION (or a region in your AWS profile).';
  if (name === 'ResourceNumberLimitExceededException') {
    return 'A Glue quota is reached (registries, schemas or versions per account): delete unused ones.';
  }
  if (name === 'InvalidInputException') {
    return 'Glue refused a name or a definition; `spotify-etl schemas print <name> --glue` shows what is sent.';
  }
  return 'Check AWS_REGION and the credentials (and AWS_ENDPOINT_URL when an emulator is meant).';
}

/** An SDK error as one line saying which call failed, and a hint. */
function glueError(error: unknown, call: string, registryName: string): EtlError {
  if (error instanceof EtlError) return error;
  const name = String((error as { name?: unknown } | null)?.name ?? 'Error');
  const message = error instanceof Error ? error.message : String(error);
  return new EtlError(`Glue ${call} failed: ${name}: ${message}`, {
    hint: hintFor(name, message, registryName),
    cause: error,
  });
}

async function send<T>(call: string, registryName: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw glueError(error, call, registryName);
  }
}

/** Creates the registry unless it exists (looked up first, so an identity without CreateRegistry can register). */
async function ensureRegistry(client: GlueClient, registryName: string): Promise<boolean> {
  try {
    await client.send(new GetRegistryCommand({ RegistryId: { RegistryName: registryName } }));
    return false;
  } catch (error) {
    if (!named(error, 'EntityNotFoundException')) throw glueError(error, 'GetRegistry', registryName);
  }
  try {
    await client.send(
      new CreateRegistryCommand({
        RegistryName: registryName,
        Description: 'spotify-etl: the JSON Schemas of schemas/ (draft-07 renditions), one per record kind.',
      }),
    );
    return true;
  } catch (error) {
    if (named(error, 'AlreadyExistsException')) return false; // created meanwhile
    throw glueError(error, 'CreateRegistry', registryName);
  }
}

/** Waits (bounded) while Glue checks a version; fails unless it ends AVAILABLE. */
async function settled(ctx: Context, name: string, version: Version): Promise<void> {
  const deadline = ctx.clock.now().getTime() + ctx.timeoutMs;
  let status = version.status;
  while (status === 'PENDING' && version.id !== undefined) {
    if (ctx.clock.now().getTime() >= deadline) {
      throw new EtlError(
        `Version ${version.number} of ${name} is still PENDING after ${ctx.timeoutMs / 1000} s.`,
        {
          hint: 'Glue is still checking it; run the command again later (it registers nothing twice).',
        },
      );
    }
    await ctx.clock.sleep(ctx.pollMs);
    const request = new GetSchemaVersionCommand({ SchemaVersionId: version.id });
    status = (await send(`GetSchemaVersion ${name}`, ctx.registryName, () => ctx.client.send(request)))
      .Status;
  }
  if (status === 'AVAILABLE') return;
  if (status === 'FAILURE') {
    throw new EtlError(
      `Glue marked version ${version.number} of ${name} FAILURE: it failed the compatibility check.`,
      {
        hint:
          'Run `npm run schemas:check` and make the change compatible; then delete the failed version ' +
          `(aws glue delete-schema-versions --schema-id SchemaName=${name},RegistryName=… --versions ${version.number}).`,
      },
    );
  }
  throw new EtlError(`Version ${version.number} of ${name} is ${status ?? 'in no state'}, not AVAILABLE.`, {
    hint:
      status === 'DELETING'
        ? 'It is being deleted; wait, then run the command again.'
        : 'Look at it in the Glue console.',
  });
}

/** The schema's latest version, or undefined when there is no such schema. */
async function latestVersion(ctx: Context, id: SchemaId) {
  try {
    return await ctx.client.send(
      new GetSchemaVersionCommand({ SchemaId: id, SchemaVersionNumber: { LatestVersion: true } }),
    );
  } catch (error) {
    if (named(error, 'EntityNotFoundException')) return undefined;
    throw glueError(error, `GetSchemaVersion ${id.SchemaName}`, ctx.registryName);
  }
}

/** Definitions are compared as JSON values, so a store that reformats the text does not make a new version. */
function sameDefinition(stored: string | undefined, definition: string): boolean {
  try {
    return stored !== undefined && isDeepStrictEqual(JSON.parse(stored), JSON.parse(definition));
  } catch {
    return false;
  }
}

async function createSchema(ctx: Context, schema: RegistrySchema): Promise<Version> {
  const created = await ctx.client.send(
    new CreateSchemaCommand({
      RegistryId: { RegistryName: ctx.registryName },
      SchemaName: schema.name,
      DataFormat: 'JSON',
      Compatibility: ctx.compatibility,
      SchemaDefinition: schema.definition,
      Description: schema.description,
    }),
  );
  return { id: created.SchemaVersionId, number: 1, status: created.SchemaVersionStatus };
}

async function registerOne(ctx: Context, schema: RegistrySchema, retry = true): Promise<SchemaRegistration> {
  const { name, definition } = schema;
  const id: SchemaId = { RegistryName: ctx.registryName, SchemaName: name };
  const latest = await latestVersion(ctx, id);
  if (!latest) {
    let version: Version;
    try {
      version = await createSchema(ctx, schema);
    } catch (error) {
      // Created meanwhile by someone else: look again, once.
      if (retry && named(error, 'AlreadyExistsException')) return registerOne(ctx, schema, false);
      throw glueError(error, `CreateSchema ${name}`, ctx.registryName);
    }
    await settled(ctx, name, version);
    return { name, outcome: 'created', version: 1 };
  }
  const latestNumber = latest.VersionNumber ?? 0;
  if (sameDefinition(latest.SchemaDefinition, definition)) {
    await settled(ctx, name, { id: latest.SchemaVersionId, number: latestNumber, status: latest.Status });
    return { name, outcome: 'unchanged', version: latestNumber, latest: latestNumber };
  }
  // Glue answers a definition it already holds with that version instead of a new one (a revert, say).
  const request = new RegisterSchemaVersionCommand({ SchemaId: id, SchemaDefinition: definition });
  const registered = await send(`RegisterSchemaVersion ${name}`, ctx.registryName, () =>
    ctx.client.send(request),
  );
  const number = registered.VersionNumber ?? 0;
  await settled(ctx, name, { id: registered.SchemaVersionId, number, status: registered.Status });
  return number > latestNumber
    ? { name, outcome: 'new version', version: number }
    : { name, outcome: 'unchanged', version: number, latest: latestNumber };
}

/**
 * Makes the registry hold each schema's current definition: creates the registry and any missing schema, and
 * registers a new version only for a definition that differs from the latest. Idempotent. Throws an EtlError with
 * a hint when Glue refuses a call, or when a version ends FAILURE or DELETING, or stays PENDING too long.
 */
export async function registerSchemas(
  client: GlueClient,
  options: RegisterSchemasOptions,
): Promise<RegistryReport> {
  const ctx: Context = {
    client,
    registryName: options.registryName,
    compatibility: options.compatibility ?? DEFAULT_COMPATIBILITY,
    clock: options.clock ?? systemClock,
    pollMs: options.pollMs ?? 1000,
    timeoutMs: options.timeoutMs ?? 60_000,
  };
  const registryCreated = await ensureRegistry(client, options.registryName);
  const results: SchemaRegistration[] = [];
  for (const schema of options.schemas ?? registrySchemas()) results.push(await registerOne(ctx, schema));
  return { registryName: options.registryName, registryCreated, schemas: results };
}
