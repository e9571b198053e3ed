// What a `spotify-etl` command declares (arguments, options, help, examples) and what it is given to run; the
// dispatcher (main.ts) parses each command line against its command's declaration and builds every help text.
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../ports.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's placeholder in the usage, e.g. `YYYY-MM-DD`. */
  readonly value?: string;
  readonly description: string;
  /** The only values accepted (e.g. `--format`'s); anything else is a usage error. */
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
}

export interface ArgSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** Takes every remaining word (the SQL of `query`, the search of `chart`). */
  readonly variadic?: boolean;
}

/** Where a command writes: results to `out` (stdout), notes, warnings and progress to `err` (stderr). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Writes to stderr without a newline (a progress line rewritten in place). */
  errRaw(text: string): void;
  /** stderr is a terminal: progress lines are worth drawing. */
  readonly interactive: boolean;
  /** Colour is allowed: a terminal, without NO_COLOR or --no-color. */
  readonly color: boolean;
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface CommandContext {
  readonly values: OptionValues;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The configuration, read and validated on first use (so `--help` never needs a valid environment). */
  config(): Config;
  readonly logger: Logger;
  readonly io: Io;
  /** Aborts on Ctrl-C (SIGINT): a long command stops between steps and says how to resume. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  /** One line for the tool's help. */
  readonly summary: string;
  /** More lines for the command's own help. */
  readonly description?: string;
  readonly args: readonly ArgSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
  /** Resolves to the exit code (EXIT). */
  run(context: CommandContext): Promise<number>;
}

/** Exit codes, one meaning each (the README's table). */
export const EXIT = {
  /** The work is complete. */
  ok: 0,
  /** The work failed or is incomplete: a check failed, a chart incomplete, a line or row set aside. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing or extra argument, a bad value. */
  usage: 2,
  /** Interrupted with Ctrl-C. */
  interrupted: 130,
} as const;

/** Options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  lake: {
    type: 'string',
    value: 'dir',
    description: 'the lake folder (default ./lake, or SPOTIFY_ETL_LAKE)',
  },
  verbose: { type: 'boolean', description: 'stack traces and debug logs on stderr' },
  'no-color': {
    type: 'boolean',
    description: 'no colour (also NO_COLOR=1); colour is used on a terminal only',
  },
  help: { type: 'boolean', short: 'h', description: 'this help' },
};

/** `--format`, with the formats a command writes; the first is the default. */
export function formatOption(...formats: readonly string[]): OptionSpec {
  return {
    type: 'string',
    value: formats.join('|'),
    choices: formats,
    default: formats[0],
    description: `output format (default ${formats[0]})`,
  };
}

/** The levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The closest of `candidates` to a mistyped word, when it is close enough to be meant. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const best = candidates.map((c) => ({ c, d: distance(word, c) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.c : undefined;
}

const argName = (a: ArgSpec): string => {
  const name = `<${a.name}>${a.variadic ? '...' : ''}`;
  return a.required ? name : `[${name}]`;
};

const optionName = (name: string, o: OptionSpec): string =>
  `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`;

/** `backfill <folder|glob> [--force] …`: the command's one-line synopsis (the README's command table uses it). */
export function synopsis(command: Command): string {
  const options = Object.entries(command.options).map(([name, o]) => `[${optionName(name, o)}]`);
  return [command.name, ...command.args.map(argName), ...options].join(' ');
}

const table = (rows: readonly (readonly [string, string])[]): string[] => {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`);
};

export function commandHelp(command: Command): string {
  const lines = [`spotify-etl ${synopsis(command)}`, '', command.summary];
  if (command.description) lines.push('', command.description);
  if (command.args.length > 0) {
    lines.push('', 'Arguments:', ...table(command.args.map((a) => [argName(a), a.description])));
  }
  const options = Object.entries(command.options);
  if (options.length > 0) {
    lines.push('', 'Options:', ...table(options.map(([n, o]) => [optionName(n, o), o.description])));
  }
  lines.push(
    '',
    'Global options:',
    ...table(Object.entries(GLOBAL_OPTIONS).map(([n, o]) => [optionName(n, o), o.description])),
  );
  if (command.examples.length > 0) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  lines.push('', 'Exit codes: 0 done, 1 failed or incomplete, 2 usage error, 130 interrupted.');
  return lines.join('\n');
}

export function toolHelp(commands: readonly Command[], version: string): string {
  return [
    `spotify-etl ${version} — the Spotify chart as album, artist and song tables, on one machine.`,
    '',
    'Usage: spotify-etl <command> [arguments] [options]',
    '',
    'Commands:',
    ...table(commands.map((c) => [c.name, c.summary])),
    '',
    'Global options:',
    ...table(Object.entries(GLOBAL_OPTIONS).map(([n, o]) => [optionName(n, o), o.description])),
    '  --version             the version',
    '',
    "Run `spotify-etl <command> --help` for a command's arguments, options and examples.",
    'Tables: song_data, album_data, artist_data; partition column snapshot_date (DATE).',
    'Exit codes: 0 done, 1 failed or incomplete, 2 usage error, 130 interrupted.',
  ].join('\n');
}

/**
 * An argument that starts with `-` but holds a space or a line break is text, not an option: SQL that opens with a
 * `-- comment` line, say. Such words are swapped for placeholders while the options are parsed.
 */
const isText = (arg: string): boolean => arg.startsWith('-') && /\s/.test(arg);

/** Parses a command's words (the command name already taken off) against its declaration; UsageError otherwise. */
// Long by design: parse, then check each rule of a command line in turn (options, values, arguments), each with
// its own usage error.
export function parseCommand(
  command: Command,
  argv: readonly string[],
): { readonly values: OptionValues; readonly args: readonly string[] } {
  const texts: string[] = [];
  const swapped = argv.map((a) => (isText(a) ? `\u0000${texts.push(a) - 1}` : a));
  const restore = (a: string): string => (a.startsWith('\u0000') ? (texts[Number(a.slice(1))] ?? a) : a);
  const declared = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed;
  try {
    parsed = parseArgs({
      args: swapped,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(declared).map(([name, o]) => [
          name,
          { type: o.type, ...(o.short ? { short: o.short } : {}) },
        ]),
      ),
    });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const guess = didYouMean(unknown.replace(/^-+/, ''), Object.keys(declared));
      throw new UsageError(
        `${command.name} has no option ${unknown}.${guess ? ` Did you mean --${guess}?` : ''}`,
        {
          hint: `spotify-etl ${synopsis(command)}`,
        },
      );
    }
    throw new UsageError(`${command.name}: ${message.split('\n')[0]}`, {
      hint: `spotify-etl ${synopsis(command)}`,
    });
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, o] of Object.entries(declared)) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[name];
    const value = typeof raw === 'string' ? restore(raw) : raw;
    if (o.choices && typeof value === 'string' && !o.choices.includes(value)) {
      throw new UsageError(`--${name} ${value} is not one of ${o.choices.join(', ')}.`, {
        hint: `spotify-etl ${synopsis(command)}`,
      });
    }
    values[name] = value ?? o.default;
  }
  const args = parsed.positionals.map(restore);
  if (values.help) return { values, args };
  const variadic = command.args.some((a) => a.variadic);
  const required = command.args.filter((a) => a.required).length;
  if (args.length < required) {
    const missing = command.args[args.length]!;
    throw new UsageError(`${command.name} needs ${argName(missing)}: ${missing.description}.`, {
      hint: `spotify-etl ${synopsis(command)}`,
    });
  }
  if (!variadic && args.length > command.args.length) {
    throw new UsageError(
      `${command.name} takes ${command.args.length === 0 ? 'no arguments' : `at most ${command.args.length}`}; "${args[command.args.length]}" is one too many.`,
      {
        hint: `spotify-etl ${synopsis(command)}`,
      },
    );
  }
  return { values, args };
}
