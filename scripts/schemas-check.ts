// `npm run schemas:check`: compares schemas/*.schema.json with their last released versions (the highest
// schemas/released/<name>.v<N>.schema.json) and fails, exit 1, on a change that breaks readers of the lake.
//   --release          writes each changed schema as its next version (refused if a change is breaking)
//   --allow-breaking   with --release: release breaking changes too (readers must migrate)
//   --dir <folder>     another schemas folder (the tests use a temporary copy); exit 2 on a bad command line
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareSchemas, describeChange, isBreaking, type Change } from '#functions/core/schema-evolution.js';

const SCHEMA_FILE = /^([a-z0-9-]+)\.schema\.json$/;
const RELEASED_FILE = /^([a-z0-9-]+)\.v([1-9][0-9]*)\.schema\.json$/;
/** A path as the user would type it: relative to the working folder when inside it. */
const shown = (path: string): string =>
  relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path);
const USAGE = 'npm run schemas:check -- [--release [--allow-breaking]] [--dir <folder>]';

interface Released {
  readonly version: number;
  readonly text: string;
}

/** One schema: its last release (if any), its current text (unless it was deleted) and what changed between. */
interface Comparison {
  readonly name: string;
  readonly released?: Released;
  readonly current?: string;
  readonly changes: readonly Change[];
}

class CheckFailed extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CheckFailed(
      `${file} is not JSON: ${(error as Error).message}`,
      'Fix the file, then run the check again.',
    );
  }
}

/** `<dir>/*.schema.json` by name (the released/ folder is not among them). */
async function currentSchemas(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found = new Map<string, string>();
  for (const entry of entries) {
    const name = entry.isFile() ? SCHEMA_FILE.exec(entry.name)?.[1] : undefined;
    if (name) found.set(name, await readFile(join(dir, entry.name), 'utf8'));
  }
  if (found.size === 0) {
    throw new CheckFailed(
      `${dir} holds no <name>.schema.json file.`,
      'Give --dir the schemas folder itself.',
    );
  }
  return found;
}

/** The highest version of each schema in `<dir>/released/`; any other file there is a mistake worth saying. */
async function lastReleased(dir: string): Promise<Map<string, Released>> {
  const folder = join(dir, 'released');
  const entries = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const found = new Map<string, Released>();
  for (const file of entries.sort()) {
    const match = RELEASED_FILE.exec(file);
    if (!match) {
      throw new CheckFailed(
        `${shown(join(folder, file))} is not <name>.v<N>.schema.json.`,
        'Rename or remove it: released/ holds released versions only.',
      );
    }
    const version = Number(match[2]);
    if ((found.get(match[1]!)?.version ?? 0) < version) {
      found.set(match[1]!, { version, text: await readFile(join(folder, file), 'utf8') });
    }
  }
  return found;
}

const REMOVED: Change = {
  verdict: 'breaking',
  path: '#',
  message: 'schema removed: its readers lose every column',
};
const FRESH: Change = {
  verdict: 'compatible',
  path: '#',
  message: 'new schema, never released (nothing reads it yet)',
};

async function compareFolder(dir: string): Promise<Comparison[]> {
  const [current, released] = await Promise.all([currentSchemas(dir), lastReleased(dir)]);
  const names = [...new Set([...current.keys(), ...released.keys()])].sort();
  return names.map((name): Comparison => {
    const [text, last] = [current.get(name), released.get(name)];
    const file = (what: string): string => shown(join(dir, what));
    if (text === undefined) return { name, released: last, changes: [REMOVED] };
    if (last === undefined) return { name, current: text, changes: [FRESH] };
    const before = parseJson(last.text, file(`released/${name}.v${last.version}.schema.json`));
    const after = parseJson(text, file(`${name}.schema.json`));
    return { name, released: last, current: text, changes: compareSchemas(before, after) };
  });
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

function report(comparisons: readonly Comparison[]): void {
  for (const c of comparisons) {
    const since = c.released ? `since v${c.released.version}` : '(never released)';
    console.log(
      `${c.name}: ${c.changes.length === 0 ? 'unchanged' : plural(c.changes.length, 'change')} ${since}`,
    );
    for (const change of c.changes) console.log(`  ${describeChange(c.name, change)}`);
  }
}

/** Without --release: pass (0) unless a change breaks readers of the lake (1). */
function verdict(comparisons: readonly Comparison[]): number {
  const changes = comparisons.flatMap((c) => c.changes);
  const breaking = changes.filter(isBreaking).length;
  if (breaking > 0) {
    throw new CheckFailed(
      `schemas:check failed: ${plural(breaking, 'breaking change')} against the released schemas: readers of the lake would break.`,
      'Undo it, or make it additive (a new optional property with "null" in its type). To break readers on purpose: ' +
        '`npm run schemas:check -- --release --allow-breaking`, and migrate them (e.g. a new table).',
    );
  }
  const pending = comparisons.filter((c) => c.changes.length > 0).map((c) => c.name);
  console.log(
    pending.length === 0
      ? 'schemas:check passed: every schema is its last released version.'
      : `schemas:check passed: ${plural(changes.length, 'compatible change')}, not released yet ` +
          `(\`npm run schemas:check -- --release\` records ${pending.join(', ')} as the next version).`,
  );
  return 0;
}

/** --release: each changed schema, byte for byte, as `released/<name>.v<N+1>.schema.json`; the others untouched. */
async function release(
  dir: string,
  comparisons: readonly Comparison[],
  allowBreaking: boolean,
): Promise<number> {
  const breaking = comparisons.filter((c) => c.changes.some(isBreaking));
  if (breaking.length > 0 && !allowBreaking) {
    throw new CheckFailed(
      `schemas:check --release refused: breaking changes in ${breaking.map((c) => c.name).join(', ')}; nothing written.`,
      'Undo them, or give --allow-breaking as well if readers of the lake are to migrate (e.g. to a new table).',
    );
  }
  const changed = comparisons.filter((c) => c.changes.length > 0);
  if (changed.length === 0) console.log('Nothing to release: every schema is its last released version.');
  for (const c of changed) {
    const broken = c.changes.filter(isBreaking).length;
    const migrate =
      broken > 0
        ? ` with ${plural(broken, 'breaking change')}: readers of the lake must migrate (e.g. a new table)`
        : '';
    if (c.current === undefined) {
      console.log(`${c.name} was removed: nothing to write${migrate}.`);
      continue;
    }
    const version = (c.released?.version ?? 0) + 1;
    const file = join(dir, 'released', `${c.name}.v${version}.schema.json`);
    await mkdir(join(dir, 'released'), { recursive: true });
    await writeFile(file, c.current, { flag: 'wx' }); // never over a released version
    console.log(`released ${c.name} v${version} as ${shown(file)}${migrate}.`);
  }
  if (changed.some((c) => c.current !== undefined)) {
    console.log(
      'Commit them with the schemas: on deploy, the Glue Schema Registry records the new versions.',
    );
  }
  return 0;
}

type Options = { readonly dir?: string; readonly release?: boolean; readonly 'allow-breaking'?: boolean };

function parseOptions(argv: readonly string[]): Options | undefined {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        dir: { type: 'string' },
        release: { type: 'boolean' },
        'allow-breaking': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values['allow-breaking'] && !values.release) throw new Error('--allow-breaking goes with --release');
    return values;
  } catch (error) {
    console.error(`schemas:check: ${(error as Error).message}\nusage: ${USAGE}`);
    return undefined;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  if (!options) return 2;
  const dir = options.dir ?? fileURLToPath(new URL('../schemas/', import.meta.url));
  try {
    const comparisons = await compareFolder(dir);
    report(comparisons);
    return options.release
      ? await release(dir, comparisons, options['allow-breaking'] ?? false)
      : verdict(comparisons);
  } catch (error) {
    if (!(error instanceof CheckFailed)) throw error;
    console.error(error.hint ? `${error.message}\nhint: ${error.hint}` : error.message);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
