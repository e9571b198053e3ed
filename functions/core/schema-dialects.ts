// The schemas of schemas/ (JSON Schema 2020-12) rewritten as draft-07, the newest dialect the Glue Schema Registry
// accepts. Only keywords checked to mean the same in both drafts are carried; anything else throws.
import { EtlError } from '../errors.js';
import type { JsonSchema } from './schema-sources.js';

export const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** Glue's cap on a schema definition, in characters. */
export const GLUE_MAX_DEFINITION_CHARS = 170_000;

/**
 * Keywords whose value is data, not a subschema, and which validate (or annotate) identically in draft-07 and
 * 2020-12. `exclusiveMinimum`/`exclusiveMaximum` are numbers in both since draft-06; `const`, `examples` exist
 * since draft-06 and `$comment`, `readOnly`, `writeOnly` since draft-07.
 */
const VALUE_KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'required',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'title',
  'description',
  'default',
  'examples',
  '$comment',
  'readOnly',
  'writeOnly',
]);

/** Formats draft-07 defines as 2020-12 does (ajv-formats checks them alike); `duration`, `uuid` are 2019-09+. */
const FORMATS = new Set(['date', 'date-time', 'time', 'email', 'uri']);

/** Keywords holding one subschema. `items` in its object form only: 2020-12 has no array form (prefixItems). */
const SUBSCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'not']);
const SUBSCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);

/** Beside `$ref`, draft-07 ignores every other keyword; these only annotate, so ignoring them changes nothing. */
const ANNOTATIONS = new Set(['title', 'description', '$comment']);

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

interface Walk {
  /** The names under the root's `$defs`: the only targets a `$ref` may name. */
  readonly defs: ReadonlySet<string>;
  readonly title: string;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function refuse(walk: Walk, path: string, what: string): never {
  throw new EtlError(
    `${walk.title}: ${path || '/'}: ${what}, which is not known to mean the same in draft-07.`,
    {
      hint:
        'Glue takes draft-07 only. Express the rule with keywords both drafts share, or check its draft-07 meaning ' +
        'and add it to the allow-list in functions/core/schema-dialects.ts.',
    },
  );
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** `#/$defs/Name` → `#/definitions/Name`; `#` stays. Any other reference (another file, an anchor) throws. */
function ref(value: Json, walk: Walk, path: string): string {
  if (value === '#') return value;
  const name = typeof value === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(value)?.[1] : undefined;
  if (name === undefined || !walk.defs.has(name.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    refuse(walk, path, `$ref ${JSON.stringify(value)} (only #/$defs/<a name in $defs> is carried)`);
  }
  return `#/definitions/${name}`;
}

function subschema(value: Json, walk: Walk, path: string): Json {
  if (typeof value === 'boolean') return value;
  if (!isObject(value)) refuse(walk, path, 'a subschema that is not an object or a boolean');
  return rewrite(value, walk, path, false);
}

function subschemaMap(value: Json, walk: Walk, path: string): JsonObject {
  if (!isObject(value)) refuse(walk, path, 'a map of subschemas that is not an object');
  return Object.fromEntries(
    Object.entries(value).map(([name, s]) => [name, subschema(s, walk, `${path}/${escapePointer(name)}`)]),
  );
}

/** One keyword's draft-07 form; throws on a keyword (or a form of it) outside the allow-list. */
function keyword(key: string, value: Json, walk: Walk, path: string, root: boolean): [string, Json] {
  const at = `${path}/${escapePointer(key)}`;
  if (VALUE_KEYWORDS.has(key)) return [key, value];
  if (key === 'format') {
    if (typeof value !== 'string' || !FORMATS.has(value)) refuse(walk, at, `format ${JSON.stringify(value)}`);
    return [key, value];
  }
  if (key === '$ref') return [key, ref(value, walk, at)];
  if (key === 'properties') return [key, subschemaMap(value, walk, at)];
  if (key === 'items' && !isObject(value)) refuse(walk, at, 'items that is not one schema object');
  if (SUBSCHEMA_KEYWORDS.has(key)) return [key, subschema(value, walk, at)];
  if (SUBSCHEMA_LIST_KEYWORDS.has(key)) {
    if (!Array.isArray(value)) refuse(walk, at, `${key} that is not a list`);
    return [key, (value as readonly Json[]).map((s, i) => subschema(s, walk, `${at}/${i}`))];
  }
  if (root && key === '$schema') {
    if (value !== DRAFT_2020_12) refuse(walk, at, `$schema ${JSON.stringify(value)} (expected 2020-12)`);
    return [key, DRAFT_07];
  }
  if (root && key === '$id') return [key, value];
  if (root && key === '$defs') return ['definitions', subschemaMap(value, walk, at)];
  return refuse(walk, at, `the keyword "${key}"${root ? '' : ' (here)'}`);
}

function rewrite(schema: JsonObject, walk: Walk, path: string, root: boolean): JsonObject {
  const entries = Object.entries(schema).map(([k, v]) => keyword(k, v, walk, path, root));
  const out = Object.fromEntries(entries);
  if (!('$ref' in out) || Object.keys(out).every((k) => k === '$ref' || ANNOTATIONS.has(k))) return out;
  // 2020-12 applies $ref beside its siblings; draft-07 would ignore them. allOf keeps both, exactly.
  const { $ref, ...siblings } = out;
  return { allOf: [{ $ref: $ref as Json }], ...siblings };
}

/**
 * The draft-07 rendition of a 2020-12 schema: `$schema` rewritten, `$defs` renamed `definitions` and every
 * `#/$defs/…` reference with it. Pure; throws an EtlError naming the path of any keyword it does not carry.
 */
export function toDraft07(schema: JsonSchema): JsonSchema {
  const defs = isObject(schema.$defs) ? new Set(Object.keys(schema.$defs)) : new Set<string>();
  const walk: Walk = { defs, title: String(schema.title ?? schema.$id ?? 'schema') };
  return rewrite(schema as JsonObject, walk, '', true) as JsonSchema;
}
