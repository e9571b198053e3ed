// JSON Schema (schemas/) → Glue/Hive column types, so the Glue tables derive from the same files as the
// validators, the TypeScript types and the DuckDB views, and cannot drift from them.
import type { JsonSchema } from '#functions/core/schemas.js';

export interface GlueColumn {
  readonly name: string;
  /** A Hive type string: `string`, `bigint`, `array<string>`, `struct<id:string,name:string>`… */
  readonly type: string;
  /** The property's description, cut to Glue's 255 characters. */
  readonly comment?: string;
}

export interface GlueColumnOptions {
  /**
   * Top-level properties kept as their JSON text (`string`) instead of a typed struct: the OpenX JSON SerDe hands
   * a nested object to a `string` column as its JSON, which `json_extract_scalar` reads.
   */
  readonly asJsonText?: readonly string[];
}

const NAME = /^[a-z_][a-z0-9_]*$/;

const fail = (where: string, why: string): never => {
  throw new Error(`glueColumns: ${where}: ${why}`);
};

/** `#/$defs/Name` → the definition in the root schema. */
function resolve(property: JsonSchema, root: JsonSchema, where: string): JsonSchema {
  const ref = property.$ref;
  if (typeof ref !== 'string') return property;
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const defs = match ? (root[match[1]!] as Readonly<Record<string, JsonSchema>> | undefined) : undefined;
  const target = match ? defs?.[match[2]!] : undefined;
  return target ? resolve(target, root, where) : fail(where, `cannot resolve $ref ${ref}`);
}

const isNullOnly = (s: JsonSchema): boolean =>
  s.type === 'null' || (s.const === null && s.type === undefined);

/** The one non-null JSON type a property can hold; a union of two real types has no Hive equivalent. */
function jsonType(property: JsonSchema, where: string): string {
  const declared = ([] as unknown[]).concat(property.type ?? []).filter((t) => t !== 'null');
  if (declared.length > 1) return fail(where, `union of ${declared.join(' and ')} has no single Glue type`);
  if (typeof declared[0] === 'string') return declared[0];
  const values = 'const' in property ? [property.const] : Array.isArray(property.enum) ? property.enum : [];
  const kinds = new Set(
    values
      .filter((v) => v !== null)
      .map((v) => (typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v)),
  );
  if (kinds.size === 1) return [...kinds][0]!;
  return fail(where, 'no type, const or enum to derive a Glue type from');
}

/** One JSON Schema property → its Hive type; nullable unions (`["string","null"]`, anyOf with null) drop the null. */
export function glueType(property: JsonSchema, root: JsonSchema, where = '(schema)'): string {
  const p = resolve(property, root, where);
  const union = (p.anyOf ?? p.oneOf) as readonly JsonSchema[] | undefined;
  if (union) {
    const real = union.filter((branch) => !isNullOnly(resolve(branch, root, where)));
    return real.length === 1
      ? glueType(real[0]!, root, where)
      : fail(where, `anyOf/oneOf with ${real.length} non-null branches`);
  }
  switch (jsonType(p, where)) {
    case 'string':
      return 'string'; // formats (date-time, date) stay strings: the SerDe parses none of them
    case 'integer':
      return 'bigint';
    case 'number':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = p.items as JsonSchema | undefined;
      return items ? `array<${glueType(items, root, `${where}[]`)}>` : fail(where, 'array without items');
    }
    case 'object': {
      const props = Object.entries(p.properties ?? {});
      if (props.length === 0) return fail(where, 'object without properties');
      const fields = props.map(([name, sub]) => {
        if (!NAME.test(name)) fail(`${where}.${name}`, 'not a valid Hive field name');
        return `${name}:${glueType(sub, root, `${where}.${name}`)}`;
      });
      return `struct<${fields.join(',')}>`;
    }
    default:
      return fail(where, `unsupported JSON type ${String(p.type)}`);
  }
}

/** A record schema's top-level properties → Glue columns, in the schema's order. */
export function glueColumns(schema: JsonSchema, options: GlueColumnOptions = {}): GlueColumn[] {
  const title = schema.title ?? '(schema)';
  const asText = new Set(options.asJsonText ?? []);
  const columns = Object.entries(schema.properties ?? {}).map(([name, property]): GlueColumn => {
    if (!NAME.test(name)) fail(`${title}.${name}`, 'not a valid Glue column name');
    const description = typeof property.description === 'string' ? property.description : undefined;
    return {
      name,
      type: asText.has(name) ? 'string' : glueType(property, schema, `${title}.${name}`),
      ...(description ? { comment: description.slice(0, 255) } : {}),
    };
  });
  for (const name of asText) {
    if (!columns.some((c) => c.name === name)) fail(title, `asJsonText names unknown property ${name}`);
  }
  return columns;
}
