// The schemas of schemas/ as the Glue Schema Registry holds them: one schema per record kind, named after its file,
// its draft-07 rendition as the definition. The CLI's `schemas register` and the CDK stack both take them from here.
import { EtlError } from '../errors.js';
import { GLUE_MAX_DEFINITION_CHARS, toDraft07 } from './schema-dialects.js';
import { schemas, type JsonSchema } from './schema-sources.js';

/** Registry schema names are `spotify-etl-` and the schema file's name without `.schema.json`. */
export const REGISTRY_SCHEMA_PREFIX = 'spotify-etl-';

/** The registry the stack creates, and the one `spotify-etl schemas register` is pointed at to mirror it. */
export const DEFAULT_REGISTRY_NAME = 'spotify-etl';

/** The compatibility modes of the Glue Schema Registry. */
export type RegistryCompatibility =
  'NONE' | 'DISABLED' | 'BACKWARD' | 'BACKWARD_ALL' | 'FORWARD' | 'FORWARD_ALL' | 'FULL' | 'FULL_ALL';

/**
 * BACKWARD_ALL: each new version must accept what every earlier version accepted. The lake is read with the newest
 * schema at any age: `reprocess` validates raw records from the first chart day on, and Athena reads every
 * partition with today's columns. AWS does not reliably enforce compatibility for JSON schemas
 * (awslabs/aws-glue-schema-registry#172), so `npm run schemas:check` is the gate; the registry records versions.
 */
export const REGISTRY_COMPATIBILITY: RegistryCompatibility = 'BACKWARD_ALL';

/** The Glue limits: CloudFormation allows a 1,000-character description, the API 2,048. */
const MAX_DESCRIPTION_CHARS = 1000;

export interface RegistrySchema {
  /** e.g. `spotify-etl-song-row`. */
  readonly name: string;
  readonly description: string;
  /** The draft-07 rendition as JSON text: what Glue stores, and what a new version is compared with. */
  readonly definition: string;
}

/** `…/schemas/song-row.schema.json` (the schema's `$id`, which names its file) → `song-row`. */
export function schemaFileStem(schema: JsonSchema): string {
  const id = typeof schema.$id === 'string' ? schema.$id : '';
  const stem = /\/([a-z0-9-]+)\.schema\.json$/.exec(id)?.[1];
  if (!stem) {
    throw new EtlError(
      `The schema ${schema.title ?? '(untitled)'} has no $id ending in <name>.schema.json.`,
      {
        hint: 'Give each file in schemas/ an $id that ends with its own file name.',
      },
    );
  }
  return stem;
}

export function registrySchema(schema: JsonSchema): RegistrySchema {
  const name = `${REGISTRY_SCHEMA_PREFIX}${schemaFileStem(schema)}`;
  const definition = JSON.stringify(toDraft07(schema), null, 2);
  if (definition.length > GLUE_MAX_DEFINITION_CHARS) {
    throw new EtlError(
      `${name}'s draft-07 rendition is ${definition.length} characters; Glue takes at most ${GLUE_MAX_DEFINITION_CHARS}.`,
      { hint: 'Share repeated parts through $defs, or shorten descriptions.' },
    );
  }
  const description = String(schema.description ?? schema.title ?? name).slice(0, MAX_DESCRIPTION_CHARS);
  return { name, description, definition };
}

/** Every schema of schemas/ (or the ones given, e.g. edited copies in a test), in a stable order. */
export function registrySchemas(source: readonly JsonSchema[] = Object.values(schemas)): RegistrySchema[] {
  return source.map(registrySchema);
}
