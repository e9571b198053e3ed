// The Glue Schema Registry: registry `spotify-etl` and one JSON schema per record kind (spotify-etl-<file name>),
// each with every version released so far and the current one, as draft-07 renditions of schemas/.
//
// How versions appear on deploy. CloudFormation cannot change an AWS::Glue::Schema's SchemaDefinition: the property
// is create-only, so a new definition means a replacement, and the replacement fails because the schema's name is
// taken ("already exists": aws-cdk#25129, cloudformation-coverage-roadmap#1598). The Schema's definition is the
// schema's first version, for good; each later one is an AWS::Glue::SchemaVersion (RegisterSchemaVersion, and the
// deploy waits until Glue makes it AVAILABLE). So the Schema carries schemas/released/<name>.v1, one SchemaVersion
// each later released version, and one more the current file when it differs from the last release: a compatible
// edit of a schema file registers version 2 on the next deploy, and releasing it changes nothing in the template.
// A SchemaVersion is created once and retained (DeletionPolicy/UpdateReplacePolicy Retain): its handler deletes
// the version from the registry otherwise, and the registry is the record of every version deployed.
import { RemovalPolicy, type CfnResource } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  DEFAULT_REGISTRY_NAME,
  REGISTRY_COMPATIBILITY,
  REGISTRY_SCHEMA_PREFIX,
  registrySchema,
  registrySchemas,
  type RegistryCompatibility,
  type RegistrySchema,
} from '#functions/core/registry-schemas.js';
import type { JsonSchema } from '#functions/core/schema-sources.js';

/** schemas/released/<name>.v<N>.schema.json: each released version of each schema, kept by `npm run schemas:check`. */
export const RELEASED_DIR = fileURLToPath(new URL('../../schemas/released/', import.meta.url));

export interface SchemaHistory {
  /** e.g. `spotify-etl-song-row`. */
  readonly name: string;
  readonly description: string;
  /** Draft-07 definitions, oldest first: the first is the schema's version 1, the last the current file. */
  readonly definitions: readonly string[];
}

const sameJson = (a: string, b: string): boolean => isDeepStrictEqual(JSON.parse(a), JSON.parse(b));

/** The released versions of one schema, oldest first, as draft-07 definitions. */
function releasedDefinitions(dir: string, stem: string, files: readonly string[]): string[] {
  return files
    .map((file) => ({ file, version: new RegExp(`^${stem}\\.v(\\d+)\\.schema\\.json$`).exec(file)?.[1] }))
    .filter((f): f is { file: string; version: string } => f.version !== undefined)
    .sort((a, b) => Number(a.version) - Number(b.version))
    .map((f) => registrySchema(JSON.parse(readFileSync(join(dir, f.file), 'utf8')) as JsonSchema).definition);
}

/** Each schema's versions: those released (schemas/released/), then the current file when it differs. */
export function schemaHistories(
  releasedDir: string = RELEASED_DIR,
  current: readonly RegistrySchema[] = registrySchemas(),
): SchemaHistory[] {
  const files = existsSync(releasedDir) ? readdirSync(releasedDir) : [];
  return current.map((schema) => {
    const released = releasedDefinitions(
      releasedDir,
      schema.name.slice(REGISTRY_SCHEMA_PREFIX.length),
      files,
    );
    const last = released.at(-1);
    const definitions =
      last !== undefined && sameJson(last, schema.definition) ? released : [...released, schema.definition];
    return { name: schema.name, description: schema.description, definitions };
  });
}

/** Glue answers a definition it already holds with AlreadyExists, which fails the deploy: refuse it at synth. */
function checkHistory(history: SchemaHistory): void {
  if (history.definitions.length === 0)
    throw new Error(`${history.name}: a schema needs at least one definition.`);
  history.definitions.forEach((definition, i) => {
    const earlier = history.definitions.slice(0, i).findIndex((d) => sameJson(d, definition));
    if (earlier >= 0) {
      throw new Error(
        `${history.name}: version ${i + 1} repeats version ${earlier + 1}, which the registry already holds ` +
          '(CloudFormation would fail with AlreadyExists). Make the change as a new version instead of a revert.',
      );
    }
  });
}

export interface SchemaRegistryProps {
  readonly registryName?: string;
  readonly compatibility?: RegistryCompatibility;
  /** Default: schemaHistories(), from schemas/released/ and schemas/. */
  readonly histories?: readonly SchemaHistory[];
}

export class SchemaRegistry extends Construct {
  readonly registry: glue.CfnRegistry;
  /** By schema name: the schema (its definition is version 1) and the versions after it, in order. */
  readonly schemas: Readonly<Record<string, { schema: glue.CfnSchema; versions: glue.CfnSchemaVersion[] }>>;

  constructor(scope: Construct, id: string, props: SchemaRegistryProps = {}) {
    super(scope, id);
    this.registry = new glue.CfnRegistry(this, 'Registry', {
      name: props.registryName ?? DEFAULT_REGISTRY_NAME,
      description: 'spotify-etl: the JSON Schemas of schemas/ (draft-07 renditions), one per record kind.',
    });
    const schemas: Record<string, { schema: glue.CfnSchema; versions: glue.CfnSchemaVersion[] }> = {};
    for (const history of props.histories ?? schemaHistories()) {
      checkHistory(history);
      const [first, ...later] = history.definitions as [string, ...string[]];
      const schema = new glue.CfnSchema(this, history.name, {
        name: history.name,
        registry: { arn: this.registry.attrArn },
        dataFormat: 'JSON',
        compatibility: props.compatibility ?? REGISTRY_COMPATIBILITY,
        description: history.description,
        schemaDefinition: first,
      });
      let previous: CfnResource = schema;
      const versions = later.map((definition, i) => {
        const version = new glue.CfnSchemaVersion(this, `${history.name}-v${i + 2}`, {
          schema: { schemaArn: schema.attrArn },
          schemaDefinition: definition,
        });
        version.applyRemovalPolicy(RemovalPolicy.RETAIN);
        version.addDependency(previous); // registered in order: Glue numbers versions as they arrive
        previous = version;
        return version;
      });
      schemas[history.name] = { schema, versions };
    }
    this.schemas = schemas;
  }
}
