// `spotify-etl query` as a user runs it: the real CLI in a child process, over a small lake of NDJSON partitions.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { songRow } from '../helpers/rows.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

const bin = join(repoRoot, 'bin', 'spotify-etl.js');

interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs `command args…` and collects its output; `input` goes to its stdin. */
function exec(command: string, args: readonly string[], input?: string): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
    child.stdin.end(input);
  });
}

const query = (lake: string, args: readonly string[], input?: string): Promise<Ran> =>
  exec(process.execPath, [bin, 'query', '--lake', lake, ...args], input);

const NASTY = '\u001b[31m=HYPERLINK("http://x")\u0007';

const song = (position: number, overrides: Record<string, unknown> = {}): Record<string, unknown> =>
  songRow(position, { extracted_at: '2026-11-25T00:00:00Z', ...overrides });

/** A lake with one chart day (2026-11-25) of three songs: one with a hostile name, one with an empty name. */
async function smallLake(): Promise<string> {
  const lake = await tempDir('spotify-etl-query-');
  const dir = join(lake, 'top_200_global', 'transformed_data', 'song_data', 'snapshot_date=2026-11-25');
  await mkdir(dir, { recursive: true });
  const rows = [
    song(1, { song_name: NASTY, artist_names: ['Tyler, The Creator', 'Kali Uchis'] }),
    song(2, { song_name: '', previous_rank: 1 }),
    song(3, { url: null }),
  ];
  await writeFile(join(dir, 'part.json'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return lake;
}

let lake: string;
beforeAll(async () => {
  lake = await smallLake();
});

describe('spotify-etl query: where the SQL comes from', () => {
  it('reads the SQL from --file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'q.sql');
    await writeFile(file, 'select count(*) as n from song_data\n');
    const r = await query(lake, ['--file', file, '--format', 'json']);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toEqual([{ n: 3 }]);
  });

  it('reads the SQL from stdin with -', async () => {
    const r = await query(lake, ['-', '--format', 'json'], 'select max(position) as hi\nfrom song_data;\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([{ hi: 3 }]);
  });

  it('takes SQL after -- as the SQL, even when it looks like an option', async () => {
    const r = await query(lake, ['--format', 'ndjson', '--', 'select 1 as one']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('{"one":1}\n');
  });

  it('runs a named query of infra/queries/ (it opens with -- comment lines), by --file and as an argument', async () => {
    const file = join(repoRoot, 'infra', 'queries', 'top-10-of-a-day.sql');
    const byFile = await query(lake, ['--file', file, '--format', 'json']);
    expect(byFile.err).toBe('');
    const rows = JSON.parse(byFile.out) as { position: number }[];
    expect(rows.map((r) => r.position)).toEqual([1, 2, 3]);
    const byArg = await query(lake, [await readFile(file, 'utf8'), '--format', 'json']);
    expect(JSON.parse(byArg.out)).toEqual(rows);
  });

  it('refuses SQL given both by --file and as arguments (usage error, exit 2)', async () => {
    const r = await query(lake, ['--file', 'q.sql', 'select 1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not both/);
  });
});

describe('spotify-etl query: streaming', () => {
  const million = "select range as n, 'x' || range as s from range(1000000)";
  const time = '/usr/bin/time';

  /** Runs the query under /usr/bin/time (peak RSS in KB), or polls /proc's VmHWM where time is missing. */
  async function measured(format: string): Promise<{ ran: Ran; peakKb: number }> {
    if (existsSync(time)) {
      const report = join(await tempDir(), 'time.txt');
      const ran = await exec(time, [
        '-f',
        '%M',
        '-o',
        report,
        process.execPath,
        bin,
        'query',
        '--lake',
        lake,
        '--format',
        format,
        million,
      ]);
      return { ran, peakKb: Number((await readFile(report, 'utf8')).trim().split('\n').pop()) };
    }
    let peakKb = 0;
    const child = spawn(process.execPath, [bin, 'query', '--lake', lake, '--format', format, million]);
    const poll = setInterval(() => {
      void readFile(`/proc/${child.pid}/status`, 'utf8')
        .then((s) => (peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))))
        .catch(() => undefined);
    }, 50);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    clearInterval(poll);
    return { ran: { code, out, err }, peakKb };
  }

  const lines = (s: string): string[] => s.split('\n').slice(0, -1);

  it.each([
    ['table', 1_000_002],
    ['csv', 1_000_001],
    ['json', 1_000_002],
    ['ndjson', 1_000_000],
  ])(
    'writes a 1,000,000-row result as %s with flat memory (peak RSS under 400 MB)',
    async (format, count) => {
      const { ran, peakKb } = await measured(format);
      expect(ran.err).toBe('');
      expect(ran.code).toBe(0);
      const all = lines(ran.out);
      expect(all).toHaveLength(count);
      expect(peakKb).toBeGreaterThan(0);
      expect(peakKb).toBeLessThan(400 * 1024);
      if (format === 'json') {
        const parsed = JSON.parse(ran.out) as { n: number; s: string }[];
        expect(parsed).toHaveLength(1_000_000);
        expect(parsed[999_999]).toEqual({ n: 999_999, s: 'x999999' });
      }
      if (format === 'table') {
        // Widths come from the first chunk (n < 2048: four digits, s up to x2047); later cells keep them, cut to fit.
        expect(all[0]).toBe('   n  s');
        expect(all[2]).toBe('   0  x0');
        expect(all.at(-1)).toBe('999…  x999…');
      }
      if (format === 'ndjson') expect(all.at(-1)).toBe('{"n":999999,"s":"x999999"}');
    },
    120_000,
  );

  it('exits 0 without a stack trace when the reader closes early (| head -1)', async () => {
    const cmd = `set -o pipefail; "${process.execPath}" "${bin}" query --lake "${lake}" --format csv "${million}" | head -1`;
    const r = await exec('bash', ['-c', cmd]);
    expect(r.out).toBe('n,s\n');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('writes only the header of an empty result, and [] as JSON', async () => {
    const sql = 'select song_name, position from song_data where false';
    expect((await query(lake, [sql])).out).toBe('song_name  position\n─────────  ────────\n');
    expect((await query(lake, [sql, '--format', 'csv'])).out).toBe('song_name,position\n');
    expect((await query(lake, [sql, '--format', 'json'])).out).toBe('[]\n');
    expect((await query(lake, [sql, '--format', 'ndjson'])).out).toBe('');
  });
});

describe('spotify-etl query: values and escaping for each sink', () => {
  const sql = 'select position, song_name, url, artist_names from song_data order by position';

  it('keeps the original text, nulls and arrays in JSON (the lake is untouched)', async () => {
    const r = await query(lake, [sql, '--format', 'json']);
    expect(JSON.parse(r.out)).toEqual([
      { position: 1, song_name: NASTY, url: null, artist_names: ['Tyler, The Creator', 'Kali Uchis'] },
      { position: 2, song_name: '', url: null, artist_names: ['A'] },
      { position: 3, song_name: 'Song 3', url: null, artist_names: ['A'] },
    ]);
    expect(r.out).not.toContain('\u001b');
  });

  it('shows NULL and control characters visibly in a table, never emitting ESC or BEL', async () => {
    const r = await query(lake, [sql]);
    expect(r.out).not.toContain('\u001b');
    expect(r.out).not.toContain('\u0007');
    const [, , first, second] = r.out.split('\n');
    expect(first).toContain('\\u{1b}[31m=HYPERLINK("http://x")\\u{7}');
    expect(first).toMatch(/NULL\s+Tyler, The Creator, Kali Uchis$/);
    expect(second).toMatch(/^\s+2\s{2,}NULL\s+A$/); // the empty name stays empty, the null url says NULL
  });

  it('writes CSV with NULL empty, "" for the empty string, lists as JSON arrays and formulas defused', async () => {
    const r = await query(lake, [sql, '--format', 'csv']);
    expect(r.out.split('\n')).toEqual([
      'position,song_name,url,artist_names',
      `1,"'${NASTY.replace(/"/g, '""')}",,"[""Tyler, The Creator"",""Kali Uchis""]"`,
      '2,"",,"[""A""]"',
      '3,Song 3,,"[""A""]"',
      '',
    ]);
  });

  it('says how NULL and the empty string are written in --help', async () => {
    const r = await query(lake, ['--help']);
    expect(r.out).toMatch(/NULL.*empty unquoted field.*empty string is ""/);
    expect(r.out).toMatch(/--unsafe/);
  });
});

describe('spotify-etl query: confined to the lake unless --unsafe', () => {
  it('refuses to read a file outside the lake, or to write one anywhere', async () => {
    const outside = join(await tempDir(), 'secret.csv');
    await writeFile(outside, 'a\n1\n');
    const read = await query(lake, [`select * from read_csv('${outside}')`]);
    expect(read.code).toBe(1);
    expect(read.err).toMatch(/Permission Error.*disabled by configuration/);
    expect(read.err).toMatch(/hint: .*--unsafe/);
    expect(read.err).not.toMatch(/\n\s+at /);

    const target = join(await tempDir(), 'x.csv');
    const copy = await query(lake, [`copy (select 1) to '${target}'`]);
    expect(copy.code).toBe(1);
    expect(existsSync(target)).toBe(false);

    // Into the tables' folder, the one folder SQL may open: refused as a statement that writes files.
    const intoLake = join(lake, 'top_200_global', 'transformed_data', 'x.csv');
    const inside = await query(lake, [`copy (select 1) to '${intoLake}'`]);
    expect(inside.code).toBe(1);
    expect(inside.err).toMatch(/Query refused: COPY/);
    expect(existsSync(intoLake)).toBe(false);

    // The lake's other files (the explorer's state: password hashes, sessions) are not the tables.
    const state = await query(lake, [`select * from read_text('${join(lake, 'explorer', '*')}')`]);
    expect(state.code).toBe(1);
    expect(state.err).toMatch(/Permission Error/);

    const lift = await query(lake, ['SET enable_external_access = true']);
    expect(lift.code).toBe(1);
    expect(lift.err).toMatch(/locked/);
  });

  it("reads and writes with the user's own file rights under --unsafe", async () => {
    const dir = await tempDir();
    const outside = join(dir, 'other.csv');
    await writeFile(outside, 'a\n1\n2\n');
    const read = await query(lake, [
      '--unsafe',
      '--format',
      'json',
      `select sum(a) as s from read_csv('${outside}')`,
    ]);
    expect(read.err).toBe('');
    expect(JSON.parse(read.out)).toEqual([{ s: 3 }]);
    const target = join(dir, 'x.csv');
    const copy = await query(lake, ['--unsafe', `copy (select 7 as seven) to '${target}'`]);
    expect(copy.code).toBe(0);
    expect(await readFile(target, 'utf8')).toBe('seven\n7\n');
  });
});
