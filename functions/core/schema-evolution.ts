// Schema evolution: what changed between a released JSON Schema and the current one, and whether readers of the
// lake survive it. Pure (no I/O); `npm run schemas:check` (scripts/schemas-check.ts) reads the files and gates CI.
//
// The rule: every document valid under the released schema stays valid under the current one, AND readers of new
// rows find every column they found before, with the same type and the same nullability. The lake reads an absent
// key as NULL (Athena's JSON SerDe, DuckDB), and Glue and DuckDB columns carry no NOT NULL, so a column that may
// newly be null or absent breaks its readers silently. What the comparator does not understand counts as breaking.
import { isDeepStrictEqual } from 'node:util';

export type Verdict = 'breaking' | 'compatible';

export interface Change {
  readonly verdict: Verdict;
  /** Where, as a JSON Pointer into the schema: `#/properties/song_id/type`, `#/$defs/SpotifyTrack/properties/id`. */
  readonly path: string;
  readonly message: string;
}

type Schema = Readonly<Record<string, unknown>>;

interface Walk {
  /** The two roots, against which `#/$defs/…` references resolve. */
  readonly released: Schema;
  readonly current: Schema;
  readonly changes: Change[];
  /** `$ref` pairs being compared, so that a recursive definition is walked once. */
  readonly following: Set<string>;
}

/** Keywords that say nothing about which documents are valid: a change to them is compatible. */
const ANNOTATIONS = new Set(
  'title description $comment examples default deprecated readOnly writeOnly'.split(' '),
);
/** Raising one of these (or adding it) narrows; lowering it (or removing it) widens. */
const LOWER_BOUNDS = new Set(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties']);
/** Lowering one of these (or adding it) narrows; raising it (or removing it) widens. */
const UPPER_BOUNDS = new Set(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties']);
/** Constraints the comparator cannot order: any change but their removal may narrow. */
const EXACT = new Set(['pattern', 'format', 'multipleOf']);
/** Where definitions live: not constraints themselves, so a `$ref` may sit beside them. */
const DEFS = ['$defs', 'definitions'];
/** Compared together (compareTypes, compareValues, compareObject, compareRefs), not keyword by keyword. */
const GROUPED = new Set(['type', 'enum', 'const', 'properties', 'required', 'additionalProperties', '$ref']);

/** The end of each printed line: why a change breaks readers of the lake, or why it does not. */
const WHY = {
  narrowed: 'narrowed: values already in the lake may fall outside',
  widened: 'widened',
  repeats: 'arrays already in the lake may repeat items',
  unproven: 'values already in the lake may not satisfy it (no proof it accepts all the old one did)',
  annotation: 'an annotation, no effect on data',
  removed: 'property removed: readers of the lake lose it (a rename shows as a removal plus an addition)',
  nowRequired: 'now required: documents already in the lake may lack it',
  noLongerRequired:
    'no longer required: readers of new rows may find it absent, which the lake reads as NULL (and code reading ' +
    'the JSON relies on the key)',
  addedRequired:
    'property added as required: rows already in the lake do not have it (add it optional and nullable)',
  addedNotNull:
    'property added that cannot be null: rows already in the lake lack it, which Athena, DuckDB and the schema ' +
    'check read as NULL (add "null" to its type)',
  nullRemoved: 'null removed: rows already in the lake that hold null become invalid',
  nullAdded:
    'null added: readers of new rows meet NULL where they never did (Glue and DuckDB columns carry no NOT NULL ' +
    'to warn them)',
  branches: 'branches added, removed or replaced (a null branch added or a type removed breaks readers)',
} as const;

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => {
  const text = v === undefined ? 'absent' : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
const pointer = (path: string, ...keys: readonly string[]): string =>
  keys.reduce((p, k) => `${p}/${escape(k)}`, path);
const note = (w: Walk, breaking: boolean, path: string, message: string): void => {
  w.changes.push({ verdict: breaking ? 'breaking' : 'compatible', path, message });
};
const unknownChange = (w: Walk, keyword: string, was: unknown, now: unknown, path: string): void =>
  note(
    w,
    true,
    path,
    `unknown change to keyword ${keyword} (${show(was)} → ${show(now)}): counted as breaking`,
  );

/** Every change from `released` to `current`, in schema order; none when they validate and read alike. */
export function compareSchemas(released: unknown, current: unknown): Change[] {
  const root = (s: unknown): Schema => (isSchema(s) ? s : {});
  const walk: Walk = { released: root(released), current: root(current), changes: [], following: new Set() };
  compareNode(walk, released, current, '#');
  return walk.changes;
}

export const isBreaking = (change: Change): boolean => change.verdict === 'breaking';

/** One printable line: verdict, schema, path (and the column, for a top-level property), what and why. */
export function describeChange(schemaName: string, change: Change): string {
  const column = /^#\/properties\/([^/]+)/.exec(change.path)?.[1];
  const where = column === undefined ? change.path : `${change.path} (column ${column})`;
  return `${change.verdict.padEnd(10)} ${schemaName} ${where}: ${change.message}`;
}

function compareNode(w: Walk, before: unknown, after: unknown, path: string): void {
  if (isDeepStrictEqual(before, after)) return;
  if (before === false) return note(w, false, path, 'was false (nothing valid), now allows documents');
  if (after === false) return note(w, true, path, 'now false: documents already in the lake become invalid');
  const b = before === true ? {} : before;
  const a = after === true ? {} : after;
  if (!isSchema(b) || !isSchema(a)) return unknownChange(w, '(subschema)', before, after, path);
  if (b.$ref !== a.$ref) {
    compareRefs(w, b, a, path);
    return DEFS.forEach((k) => isDeepStrictEqual(b[k], a[k]) || compareDefs(w, k, b[k], a[k], path));
  }
  compareTypes(w, b, a, path);
  compareValues(w, b, a, path);
  compareObject(w, b, a, path);
  for (const keyword of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (!GROUPED.has(keyword) && !isDeepStrictEqual(b[keyword], a[keyword]))
      compareKeyword(w, keyword, b, a, path);
  }
}

function compareKeyword(w: Walk, keyword: string, b: Schema, a: Schema, path: string): void {
  const [before, after, at] = [b[keyword], a[keyword], pointer(path, keyword)];
  const headline = `${keyword} ${show(before)} → ${show(after)}`;
  if (ANNOTATIONS.has(keyword)) return note(w, false, at, `${keyword} changed: ${WHY.annotation}`);
  if (keyword === 'items') return compareNode(w, before ?? true, after ?? true, at);
  if (DEFS.includes(keyword)) return compareDefs(w, keyword, before, after, path);
  if (keyword === 'anyOf' || keyword === 'allOf') return compareBranches(w, keyword, before, after, path);
  const numbers = [before, after].every((v) => v === undefined || typeof v === 'number');
  if (numbers && (LOWER_BOUNDS.has(keyword) || UPPER_BOUNDS.has(keyword))) {
    const [was, now] = [before as number | undefined, after as number | undefined];
    const narrowed =
      now !== undefined && (was === undefined || (LOWER_BOUNDS.has(keyword) ? now > was : now < was));
    return note(w, narrowed, at, `${headline}: ${narrowed ? WHY.narrowed : WHY.widened}`);
  }
  if (EXACT.has(keyword)) {
    const widened = after === undefined;
    return note(w, !widened, at, `${headline}: ${widened ? WHY.widened : WHY.unproven}`);
  }
  if (keyword === 'uniqueItems' && [before, after].every((v) => v === undefined || typeof v === 'boolean')) {
    const narrowed = after === true;
    return note(w, narrowed, at, `${headline}: ${narrowed ? WHY.repeats : WHY.widened}`);
  }
  unknownChange(w, keyword, before, after, at);
}

/** The JSON types a schema admits: its `type`, else the kinds of its enum or const; undefined = any type. */
function typesOf(s: Schema): ReadonlySet<string> | undefined {
  if (s.type !== undefined) return new Set(([] as unknown[]).concat(s.type).map(String));
  const kind = (v: unknown): string =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  const values = allowedValues(s);
  return values && new Set(values.map(kind));
}

const allowedValues = (s: Schema): readonly unknown[] | undefined =>
  'const' in s ? [s.const] : Array.isArray(s.enum) ? s.enum : undefined;

function compareTypes(w: Walk, b: Schema, a: Schema, path: string): void {
  const [before, after] = [typesOf(b), typesOf(a)];
  if (!before && !after) return;
  if (before && after && before.size === after.size && [...before].every((t) => after.has(t))) return;
  const name = (t: ReadonlySet<string> | undefined): string => (t ? [...t].join('|') : 'any');
  const [at, headline] = [pointer(path, 'type'), `type ${name(before)} → ${name(after)}`];
  if (!before)
    return note(w, true, at, `${headline}: narrowed, documents already in the lake may hold another type`);
  if (!after) return note(w, true, at, `${headline}: readers of new rows may find any type here`);
  const added = [...after].filter((t) => !before.has(t));
  const removed = [...before].filter((t) => !after.has(t));
  const why =
    added.length === 0 && removed.join() === 'null'
      ? WHY.nullRemoved
      : removed.length === 0 && added.join() === 'null'
        ? WHY.nullAdded
        : added.length === 0
          ? `narrowed: values of type ${removed.join('|')} already in the lake become invalid`
          : `changed: readers of new rows find ${added.join('|')} values here (its Glue and DuckDB type changes)`;
  note(w, true, at, `${headline}: ${why}`);
}

function compareValues(w: Walk, b: Schema, a: Schema, path: string): void {
  const [before, after] = [allowedValues(b), allowedValues(a)];
  if (!before && !after) return;
  const keyword = 'const' in a || (!('enum' in a) && 'const' in b) ? 'const' : 'enum';
  const list = (s: Schema): string => show('const' in s ? s.const : s.enum);
  const at = pointer(path, keyword);
  if (!before) return note(w, true, at, `${keyword} ${list(a)} added: the lake may hold other values`);
  if (!after) return note(w, false, at, `${keyword} ${list(b)} removed: any value allowed now (widened)`);
  const missing = (from: readonly unknown[], to: readonly unknown[]): unknown[] =>
    from.filter((v) => !to.some((x) => isDeepStrictEqual(x, v)));
  const [removed, added] = [missing(before, after), missing(after, before)];
  const values = (vs: readonly unknown[]): string => vs.map(show).join(', ');
  const headline = `${keyword} ${list(b)} → ${list(a)}`;
  if (removed.length > 0) {
    return note(w, true, at, `${headline}: ${values(removed)} no longer allowed, the lake may hold them`);
  }
  if (added.length > 0) note(w, false, at, `${headline}: ${values(added)} now allowed (widened)`);
}

function compareObject(w: Walk, b: Schema, a: Schema, path: string): void {
  const props = (s: Schema): Schema => (isSchema(s.properties) ? s.properties : {});
  const required = (s: Schema): ReadonlySet<unknown> => new Set(Array.isArray(s.required) ? s.required : []);
  const [before, after, wasRequired, isRequired] = [props(b), props(a), required(b), required(a)];
  const at = (name: string): string => pointer(path, 'properties', name);
  for (const [name, schema] of Object.entries(before)) {
    if (name in after) compareNode(w, schema, after[name], at(name));
    else note(w, true, at(name), WHY.removed);
  }
  for (const [name, schema] of Object.entries(after)) {
    if (!(name in before)) addedProperty(w, b, schema, isRequired.has(name), at(name));
  }
  // Added and removed properties were judged whole above.
  for (const name of [...isRequired].filter((n): n is string => typeof n === 'string')) {
    if (!wasRequired.has(name) && (name in before || !(name in after)))
      note(w, true, at(name), WHY.nowRequired);
  }
  for (const name of [...wasRequired].filter((n): n is string => typeof n === 'string')) {
    if (!isRequired.has(name) && (name in after || !(name in before)))
      note(w, true, at(name), WHY.noLongerRequired);
  }
  const additional = pointer(path, 'additionalProperties');
  compareAdditional(w, b.additionalProperties ?? true, a.additionalProperties ?? true, additional);
}

function compareAdditional(w: Walk, before: unknown, after: unknown, at: string): void {
  if (isDeepStrictEqual(before, after)) return;
  const name = (v: unknown): string => (typeof v === 'boolean' ? String(v) : 'a schema');
  const headline = `additionalProperties ${name(before)} → ${name(after)}`;
  if (after === false)
    return note(w, true, at, `${headline}: documents with other properties become invalid`);
  if (before === false) return note(w, false, at, `${headline}: more documents are valid (widened)`);
  compareNode(w, before, after, at);
}

/**
 * A property that rows already in the lake do not have: it must be optional and admit null (the lake reads the
 * absent key as NULL). In an open object the released schema let any value through under its name, so what the
 * new definition constrains is compared against that.
 */
function addedProperty(w: Walk, parent: Schema, schema: unknown, required: boolean, at: string): void {
  if (required) return note(w, true, at, WHY.addedRequired);
  const open = parent.additionalProperties ?? true;
  if (open !== false) compareNode(w, open, withoutAnnotations(schema), at);
  if (!admitsNull(w.current, schema, 0)) return note(w, true, at, WHY.addedNotNull);
  const where = open === false ? '' : ' to an open object (what it constrains is listed apart)';
  note(w, false, at, `optional property added${where}: rows already in the lake read NULL here`);
}

const withoutAnnotations = (s: unknown): unknown =>
  isSchema(s) ? Object.fromEntries(Object.entries(s).filter(([k]) => !ANNOTATIONS.has(k))) : s;

function admitsNull(root: Schema, s: unknown, depth: number): boolean {
  if (typeof s === 'boolean') return s;
  if (!isSchema(s) || depth > 32) return false;
  const values = allowedValues(s);
  if (typesOf(s)?.has('null') === false || (values && !values.includes(null))) return false;
  if (s.$ref !== undefined && !admitsNull(root, resolve(root, s.$ref), depth + 1)) return false;
  const anyOf = [s.anyOf, s.oneOf].find(Array.isArray) as readonly unknown[] | undefined;
  if (anyOf && !anyOf.some((x) => admitsNull(root, x, depth + 1))) return false;
  return !Array.isArray(s.allOf) || s.allOf.every((x) => admitsNull(root, x, depth + 1));
}

/** `#/$defs/Name` (or `#/definitions/Name`) → that definition of the root; undefined for any other reference. */
function resolve(root: Schema, ref: unknown): unknown {
  const match = typeof ref === 'string' ? /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
  const defs = match ? root[match[1]!] : undefined;
  const name = match?.[2]?.replace(/~1/g, '/').replace(/~0/g, '~');
  return isSchema(defs) && name !== undefined ? defs[name] : undefined;
}

/** A schema with a `$ref` and only annotations or definitions beside it → its target, through chains. */
function target(root: Schema, s: Schema, depth = 0): Schema | undefined {
  if (s.$ref === undefined) return s;
  const constraint = (k: string): boolean => k !== '$ref' && !ANNOTATIONS.has(k) && !DEFS.includes(k);
  if (depth > 32 || Object.keys(s).some(constraint)) return undefined;
  const next = resolve(root, s.$ref);
  return next === true ? {} : isSchema(next) ? target(root, next, depth + 1) : undefined;
}

/** The two sides refer to different definitions (or one is inline): compare what they refer to. */
function compareRefs(w: Walk, b: Schema, a: Schema, path: string): void {
  const [from, to, at] = [target(w.released, b), target(w.current, a), pointer(path, '$ref')];
  if (!from || !to) return unknownChange(w, '$ref', b.$ref, a.$ref, at);
  const key = JSON.stringify([b.$ref, a.$ref]);
  if (w.following.has(key)) return;
  note(w, false, at, `$ref ${show(b.$ref)} → ${show(a.$ref)}: what differs between them follows`);
  w.following.add(key);
  compareNode(w, from, to, path);
  w.following.delete(key);
}

function compareDefs(w: Walk, keyword: string, before: unknown, after: unknown, path: string): void {
  const [b, a] = [before ?? {}, after ?? {}];
  if (!isSchema(b) || !isSchema(a)) return unknownChange(w, keyword, before, after, pointer(path, keyword));
  for (const [name, schema] of Object.entries(b)) {
    const at = pointer(path, keyword, name);
    if (name in a) compareNode(w, schema, a[name], at);
    else if (refersTo(w.current, `#/${keyword}/${escape(name)}`))
      note(w, true, at, 'definition removed, still used');
    else note(w, false, at, 'definition removed: nothing refers to it any more');
  }
  for (const name of Object.keys(a)) {
    if (!(name in b)) note(w, false, pointer(path, keyword, name), 'definition added');
  }
}

const refersTo = (node: unknown, ref: string): boolean =>
  Array.isArray(node)
    ? node.some((n) => refersTo(n, ref))
    : isSchema(node) && (node.$ref === ref || Object.values(node).some((v) => refersTo(v, ref)));

/** anyOf / allOf with the same branches in the same order, compared branch by branch; anything else breaks. */
function compareBranches(w: Walk, keyword: string, before: unknown, after: unknown, path: string): void {
  if (!Array.isArray(before) || !Array.isArray(after) || before.length !== after.length) {
    return note(w, true, pointer(path, keyword), `${keyword} changed: ${WHY.branches}, counted as breaking`);
  }
  before.forEach((branch, i) => compareNode(w, branch, after[i], pointer(path, keyword, String(i))));
}
