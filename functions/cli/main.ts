// `spotify-etl`: the dispatcher. Finds the command, parses its words against the command's declaration, runs it,
// and turns errors into one line plus a hint (`--verbose` shows the stack) and an exit code with one meaning.
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadConfig, type Config } from '../config.js';
import { EtlError, UsageError } from '../errors.js';
import {
  EXIT,
  GLOBAL_OPTIONS,
  commandHelp,
  didYouMean,
  parseCommand,
  toolHelp,
  type Command,
  type Io,
} from './command.js';
import { backfill } from './commands/backfill.js';
import { chart } from './commands/chart.js';
import { check } from './commands/check.js';
import { deleteDay } from './commands/delete.js';
import { login } from './commands/login.js';
import { query } from './commands/query.js';
import { reprocess } from './commands/reprocess.js';
import { run } from './commands/run.js';
import { schedule } from './commands/schedule.js';
import { schemasCommand } from './commands/schemas.js';
import { serve } from './commands/serve.js';
import { users } from './commands/users.js';
import { status } from './commands/status.js';
import { transform } from './commands/transform.js';
import { validate } from './commands/validate.js';
import { defaultTokenFile, readStoredRefreshToken } from './login.js';
import { cliLogger } from './terminal.js';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  run,
  transform,
  query,
  validate,
  backfill,
  reprocess,
  deleteDay,
  check,
  status,
  chart,
  login,
  schedule,
  schemasCommand,
  serve,
  users,
];

/** Commands that only read the lake: a lake folder that does not exist is a mistake, not an empty lake. */
const READS_LAKE = new Set(['query', 'check', 'chart']);

export const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface MainIo {
  readonly out: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly errRaw?: (text: string) => void;
  readonly interactive?: boolean;
  readonly signal?: AbortSignal;
}

const stderrLine = (line: string): void => void process.stderr.write(line + '\n');

/** The lake folder a reading command is pointed at must exist and be a folder. */
async function checkLake(lakeRoot: string): Promise<void> {
  const info = await stat(lakeRoot).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (!info) {
    throw new EtlError(`There is no lake at ${lakeRoot}: the folder does not exist.`, {
      hint: 'Check --lake or SPOTIFY_ETL_LAKE (default ./lake); `spotify-etl run` or `backfill` makes a lake.',
    });
  }
  if (!info.isDirectory()) {
    throw new UsageError(`The lake ${lakeRoot} is a file, not a folder.`, {
      hint: 'Point --lake at the lake folder.',
    });
  }
}

/**
 * Global options may come before the command (`spotify-etl --lake /data run`), as in the AWS CLI: they are moved
 * after the command's name, where its parser reads them.
 */
function commandFirst(argv: readonly string[]): readonly string[] {
  const leading: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    const name = /^--([a-z-]+)(=.*)?$/.exec(word)?.[1];
    const option = name ? GLOBAL_OPTIONS[name] : undefined;
    if (!option || name === 'help') break;
    leading.push(word);
    if (option.type === 'string' && !word.includes('=') && i + 1 < argv.length) leading.push(argv[++i]!);
  }
  if (leading.length === 0 || i >= argv.length) return argv;
  return [argv[i]!, ...leading, ...argv.slice(i + 1)];
}

/**
 * Runs one command line and resolves to its exit code. Errors other than usage errors propagate to runCli; tests
 * call this with their own `out` (and `err`) to capture what a command prints.
 */
export async function main(
  argv: readonly string[],
  outOrIo: ((line: string) => void) | MainIo = (s) => void process.stdout.write(s + '\n'),
): Promise<number> {
  const given: MainIo = typeof outOrIo === 'function' ? { out: outOrIo } : outOrIo;
  const [name, ...words] = commandFirst(argv);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === words[0]) : undefined;
    given.out(topic ? commandHelp(topic) : toolHelp(COMMANDS, VERSION));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    given.out(`spotify-etl ${VERSION}`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const guess = didYouMean(
      name,
      COMMANDS.map((c) => c.name),
    );
    throw new UsageError(`Unknown command "${name}".${guess ? ` Did you mean ${guess}?` : ''}`, {
      hint: 'spotify-etl --help lists the commands.',
    });
  }
  const { values, args } = parseCommand(command, words);
  if (values.help) {
    given.out(commandHelp(command));
    return EXIT.ok;
  }
  const interactive = given.interactive ?? process.stderr.isTTY === true;
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...(typeof values.lake === 'string' ? { SPOTIFY_ETL_LAKE: values.lake } : {}),
  };
  const io: Io = {
    out: given.out,
    err: given.err ?? stderrLine,
    errRaw: given.errRaw ?? ((text) => void process.stderr.write(text)),
    interactive,
    color: interactive && values['no-color'] !== true && !env.NO_COLOR,
  };
  if (!env.SPOTIFY_REFRESH_TOKEN && command.name !== 'login' && env.SPOTIFY_CLIENT_ID) {
    // A user token stored by `spotify-etl login` is used when the environment does not name one.
    const stored = await readStoredRefreshToken(defaultTokenFile(env));
    if (stored) env.SPOTIFY_REFRESH_TOKEN = stored;
  }
  let config: Config | undefined;
  const getConfig = (): Config => (config ??= loadConfig(env));
  if (READS_LAKE.has(command.name)) await checkLake(getConfig().lakeRoot);
  return command.run({
    values,
    args,
    env,
    config: getConfig,
    logger: cliLogger(io, values.verbose === true),
    io,
    signal: given.signal ?? new AbortController().signal,
  });
}

/** A file-system error in words, with what to do: the path, and why it could not be used. */
function fileSystemError(error: NodeJS.ErrnoException): EtlError | undefined {
  const path = error.path ?? 'a path';
  switch (error.code) {
    case 'ENOENT':
      return new EtlError(`${path} does not exist.`, {
        hint: 'Check the path (relative paths start at the current folder).',
      });
    case 'ENOTDIR':
      return new EtlError(`A part of ${path} is a file, not a folder.`, {
        hint: 'Check --lake and the paths given.',
      });
    case 'EACCES':
    case 'EPERM':
      return new EtlError(`Permission denied: ${path}.`, {
        hint: 'The lake must be writable by this user (ls -ld the folder); query and check only read it.',
      });
    case 'EROFS':
      return new EtlError(`${path} is on a read-only file system.`, {
        hint: 'Give --lake a writable folder.',
      });
    case 'ENOSPC':
      return new EtlError(`No space left for ${path}.`, {
        hint: 'Free disk space; nothing half-written is kept.',
      });
    default:
      return undefined;
  }
}

/** Runs the CLI as a process: errors become one line plus a hint, Ctrl-C exits 130. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted); // a second Ctrl-C: now
    interrupt.abort();
    // Ends a progress line, then lets the command stop between steps and say how to resume.
    process.stderr.write('\ninterrupted\n');
    // Commands that stop between steps themselves; global options may come before the command's name.
    const [name] = commandFirst(argv);
    if (name !== 'backfill' && name !== 'schedule' && name !== 'serve') process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSigint);
  // A reader that closes early (`| head`) is not an error: stop writing quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  try {
    const code = await main(argv, {
      out: (s) => void process.stdout.write(s + '\n'),
      signal: interrupt.signal,
    });
    return interrupt.signal.aborted ? EXIT.interrupted : code;
  } catch (caught) {
    const error =
      caught instanceof EtlError ? caught : (fileSystemError(caught as NodeJS.ErrnoException) ?? caught);
    if (error instanceof EtlError) {
      process.stderr.write(`error: ${error.message}\n`);
      if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    } else {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    if (verbose && caught instanceof Error) process.stderr.write(`${caught.stack}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
