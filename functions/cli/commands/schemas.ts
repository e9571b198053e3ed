// `spotify-etl schemas`: the schemas of schemas/ in the Glue Schema Registry (register), or one of them (print).
import { GlueClient } from '@aws-sdk/client-glue';
import { registerSchemas, type RegistryReport } from '#functions/adapters/aws/glue-registry.js';
import { GLUE_REGISTRY_NAME } from '#functions/config.js';
import {
  DEFAULT_REGISTRY_NAME,
  REGISTRY_SCHEMA_PREFIX,
  registrySchema,
  schemaFileStem,
} from '#functions/core/registry-schemas.js';
import { schemas, type JsonSchema } from '#functions/core/schema-sources.js';
import { UsageError } from '#functions/errors.js';
import { EXIT, didYouMean, formatOption, synopsis, type Command, type CommandContext } from '../command.js';
import { formatTable } from '../format.js';
import { str } from '../terminal.js';

const ACTIONS = ['register', 'print'] as const;

const usage = (): string => `spotify-etl ${synopsis(schemasCommand)}`;

/** `song-row` or `spotify-etl-song-row` → that schema of schemas/. */
function schemaNamed(name: string | undefined): JsonSchema {
  const stems = Object.values(schemas).map((s) => [schemaFileStem(s), s] as const);
  const stem = name?.startsWith(REGISTRY_SCHEMA_PREFIX) ? name.slice(REGISTRY_SCHEMA_PREFIX.length) : name;
  const found = stems.find(([s]) => s === stem)?.[1];
  if (found) return found;
  const guess = name
    ? didYouMean(
        stem ?? name,
        stems.map(([s]) => s),
      )
    : undefined;
  throw new UsageError(
    `${name ? `There is no schema "${name}"` : 'schemas print needs a schema'}${guess ? `. Did you mean ${guess}?` : ''}`,
    { hint: `One of: ${stems.map(([s]) => s).join(', ')}.` },
  );
}

function formatReport(report: RegistryReport): string[] {
  const rows = report.schemas.map((s) => ({
    schema: s.name,
    outcome: s.outcome,
    version:
      s.outcome === 'unchanged' && s.latest !== s.version ? `${s.version} (latest ${s.latest})` : s.version,
  }));
  const count = (outcome: string): number => report.schemas.filter((s) => s.outcome === outcome).length;
  return [
    `registry ${report.registryName}${report.registryCreated ? ' (created)' : ''}`,
    formatTable(['schema', 'outcome', 'version'], rows),
    `${report.schemas.length} schemas: ${count('created')} created, ${count('new version')} new versions, ` +
      `${count('unchanged')} unchanged`,
  ];
}

async function register({ values, config, io }: CommandContext): Promise<number> {
  const registryName = str(values.registry) ?? config().aws.glueRegistry;
  if (registryName === undefined) {
    throw new UsageError('schemas register needs --registry <name> or GLUE_REGISTRY.', {
      hint: `The stack registers its own registry (${DEFAULT_REGISTRY_NAME}) on deploy; this is for one kept outside it.`,
    });
  }
  if (!GLUE_REGISTRY_NAME.test(registryName)) {
    throw new UsageError(`--registry ${registryName} is not a Glue registry name.`, {
      hint: '1 to 255 letters, digits, - _ $ #.',
    });
  }
  const region = config().aws.region;
  // The SDK takes the endpoint from AWS_ENDPOINT_URL itself (an emulator, in the tests).
  const client = new GlueClient(region ? { region } : {});
  try {
    const report = await registerSchemas(client, { registryName });
    if (values.format === 'json') io.out(JSON.stringify(report, null, 2));
    else for (const line of formatReport(report)) io.out(line);
  } finally {
    client.destroy();
  }
  return EXIT.ok;
}

export const schemasCommand: Command = {
  name: 'schemas',
  summary: 'the schemas in the Glue Schema Registry: register them (a version per change) or print one',
  description:
    'register: creates the registry and each missing schema (spotify-etl-<file name>), and registers a new\n' +
    'version of a schema only when its draft-07 rendition changed; prints created / new version / unchanged.\n' +
    'print <schema>: the schema as schemas/ holds it (2020-12), or with --glue as the registry holds it\n' +
    '(its draft-07 rendition). The stack registers its own registry on deploy; register is for one outside it.',
  args: [
    { name: 'action', description: 'register or print', required: true },
    { name: 'schema', description: 'for print: raw-track-record, song-row, album-row or artist-row' },
  ],
  options: {
    registry: {
      type: 'string',
      value: 'name',
      description: 'register: the Glue registry (default GLUE_REGISTRY)',
    },
    glue: { type: 'boolean', description: 'print: as the Glue registry holds it (the draft-07 rendition)' },
    format: formatOption('text', 'json'),
  },
  examples: [
    'spotify-etl schemas register --registry spotify-etl-dev',
    'spotify-etl schemas print song-row --glue',
  ],
  async run(context) {
    const [action, name] = context.args;
    if (action === 'register') {
      if (name !== undefined)
        throw new UsageError(`schemas register takes no schema ("${name}").`, { hint: usage() });
      return register(context);
    }
    if (action === 'print') {
      const schema = schemaNamed(name);
      context.io.out(
        context.values.glue === true ? registrySchema(schema).definition : JSON.stringify(schema, null, 2),
      );
      return EXIT.ok;
    }
    const guess = didYouMean(action ?? '', ACTIONS);
    throw new UsageError(`schemas has no action "${action}"${guess ? `. Did you mean ${guess}?` : ''}`, {
      hint: usage(),
    });
  },
};
