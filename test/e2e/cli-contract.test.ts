// The command line's contract, on the real CLI in child processes: each command's --help lists what it takes,
// every documented option is accepted and anything else refused (exit 2), exit codes mean one thing each, and
// the README's command table is the commands' own declarations.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCommand, synopsis } from '#functions/cli/command.js';
import { COMMANDS, VERSION } from '#functions/cli/main.js';
import { UsageError } from '#functions/errors.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPOTIFY_')));

function cli(args: readonly string[], input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/spotify-etl.js'), ...args], {
    encoding: 'utf8',
    env,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A value each kind of option accepts, for the parse of every documented option. */
const sample = (value: string | undefined): string =>
  value === 'YYYY-MM-DD' ? '2024-02-05' : /^\w+(\|\w+)+$/.test(value ?? '') ? value!.split('|')[0]! : '5';

describe.each(COMMANDS.map((c) => [c.name, c] as const))('spotify-etl %s', (name, command) => {
  it('--help shows the synopsis, every option and an example, exit 0', () => {
    const r = cli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`spotify-etl ${synopsis(command)}`);
    const documented = [...r.out.matchAll(/^\s+(?:-\w, )?--([a-z-]+)/gm)].map((m) => m[1]);
    expect(documented).toEqual(expect.arrayContaining(Object.keys(command.options)));
    for (const option of documented) {
      const spec = { ...command.options, lake: { type: 'string' }, verbose: {}, 'no-color': {}, help: {} }[
        option!
      ];
      expect(spec).toBeDefined();
      const args = command.args.filter((a) => a.required).map(() => 'x');
      const value =
        (spec as { type?: string; value?: string }).type === 'string'
          ? [sample((spec as { value?: string }).value)]
          : [];
      expect(() => parseCommand(command, [...args, `--${option}`, ...value])).not.toThrow();
    }
    if (command.examples.length > 0) expect(r.out).toContain(command.examples[0]);
  });

  it('refuses an option it does not have, with its usage, exit 2', () => {
    const r = cli([name, '--bogus-option']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${name} has no option --bogus-option`);
    expect(r.err).toContain(`hint: spotify-etl ${synopsis(command)}`);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('the dispatcher', () => {
  it('prints the version, and the tool help with every command', () => {
    expect(cli(['--version'])).toMatchObject({ code: 0, out: `spotify-etl ${VERSION}\n` });
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    for (const c of COMMANDS)
      expect(help.out).toMatch(
        new RegExp(`^  ${c.name}\\s+${c.summary.slice(0, 20).replace(/[()|.*+?]/g, '\\$&')}`, 'm'),
      );
  });

  it('answers a typo with "did you mean" and exit 2; no command is a usage error too', () => {
    expect(cli(['rn'])).toMatchObject({ code: 2, err: expect.stringContaining('Did you mean run?') });
    expect(cli(['run', '--dat', '2024-02-05'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('Did you mean --date?'),
    });
    expect(cli([]).code).toBe(2);
  });

  it('refuses stray arguments and bad values with exit 2', () => {
    expect(cli(['transform', 'extra'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('"extra" is one too many'),
    });
    expect(cli(['run', '--date', '2024-02-30'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('is not a date'),
    });
    expect(cli(['check', '--format', 'csv'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('not one of text, json'),
    });
  });

  it('takes SQL that opens with a -- comment line as SQL, not as an option', async () => {
    const lake = await tempDir('contract-');
    const r = cli(['query', '-- the answer\nselect 42 as answer', '--lake', lake, '--format', 'json']);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toEqual([{ answer: 42 }]);
  });

  it('refuses a lake that does not exist (exit 1) or is a file (exit 2) instead of reading an empty lake', async () => {
    const dir = await tempDir('contract-');
    const missing = cli(['query', 'select 1', '--lake', join(dir, 'lkae')]);
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('There is no lake at') });
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    expect(cli(['check', '--lake', file])).toMatchObject({
      code: 2,
      err: expect.stringContaining('is a file, not a folder'),
    });
  });

  it('puts results on stdout and notes on stderr', async () => {
    const lake = await tempDir('contract-');
    const r = cli(['run', '--lake', lake, '--date', '2026-03-02']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Top 10 on 2026-03-02');
    expect(r.out).not.toContain('note:');
    expect(r.err).toContain('note: No Spotify credentials');
    const json = cli(['run', '--lake', lake, '--date', '2026-03-03', '--format', 'json']);
    expect(JSON.parse(json.out)).toMatchObject({ transform: { rowsWritten: 200 } });
  });
});

describe('the README', () => {
  it("command table lists each command's synopsis, as the declarations give it", async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('<!-- commands -->'), readme.indexOf('<!-- /commands -->'));
    const rows = [...section.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]!.replace(/\\\|/g, '|'));
    expect(rows).toEqual(COMMANDS.map(synopsis));
  });

  it('states every exit code', async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
    for (const code of ['0', '1', '2', '130']) expect(readme).toMatch(new RegExp(`\\| \`${code}\` +\\|`));
  });
});

// UsageError is what the dispatcher maps to exit 2; importing it keeps the test honest about the type it means.
void UsageError;
