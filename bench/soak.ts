// `npm run soak`: concurrent `run`, `transform` and `backfill` processes on one lake, SIGKILLed at random moments,
// then one rerun; each lake is compared by fingerprint with a lake built cleanly from the same inputs. Then every
// kind of bad input the pipeline must survive, each beside good input. Prints tried/survived figures.
// The test suite runs a small soak (test/e2e/soak.test.ts); `npm run soak -- --trials 20` runs a longer one.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { mkdtemp } from 'node:fs/promises';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';

const repo = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(repo, 'bin', 'spotify-etl.js');
const REAL_CHARTS = join(repo, '..', 'shared', 'real-data', 'charts');

export interface Fingerprint {
  readonly rows: number;
  readonly chartDays: number;
  /** The most extraction runs any chart day holds: 1 in a sound lake. */
  readonly maxRunsPerChartDay: number;
  /** A hash over the content of every song row (run ids and extraction times excluded: they differ per run). */
  readonly content: string;
}

export interface Exit {
  readonly command: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI in a child process on `lake`, without Spotify credentials (chart text only, deterministic). */
function cli(lake: string, args: readonly string[]): { done: Promise<Exit>; kill: () => void } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPOTIFY_')));
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...env, SPOTIFY_ETL_LAKE: lake },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ command: args.join(' '), code, signal, stdout, stderr })),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

export async function fingerprint(lake: string): Promise<Fingerprint> {
  const engine = await LakeQueryEngine.open(lake);
  try {
    const [totals] = (
      await engine.query(
        `SELECT count(*) AS n, count(DISTINCT chart_id || '|' || CAST(snapshot_date AS VARCHAR)) AS days,
           CAST(coalesce(sum(hash(chart_id, snapshot_date, position, song_id, song_name, artist_names, streams,
             peak_rank, previous_rank, days_on_chart, weeks_on_chart, region, source_kind)), 0) AS VARCHAR) AS content
         FROM song_data`,
      )
    ).rows;
    const [runs] = (
      await engine.query(
        'SELECT coalesce(max(n), 0) AS n FROM (SELECT count(DISTINCT run_id) AS n FROM song_data GROUP BY chart_id, snapshot_date)',
      )
    ).rows;
    return {
      rows: Number(totals?.n),
      chartDays: Number(totals?.days),
      maxRunsPerChartDay: Number(runs?.n),
      content: String(totals?.content),
    };
  } finally {
    engine.close();
  }
}

/** The inputs: the 13 real AU daily charts, plus a real US chart with one unbalanced quote (an incomplete chart). */
export async function soakInputs(dir: string, days = 13): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names = (await readdir(REAL_CHARTS)).filter((n) => n.startsWith('regional-au-daily')).slice(0, days);
  for (const n of names) await copyFile(join(REAL_CHARTS, n), join(dir, n));
  const us = (await readFile(join(REAL_CHARTS, 'regional-us-daily-2023-01-21.csv'), 'utf8')).split('\n');
  us[5] = us[5]!.replace(',', ',"'); // a stray quote on rank 5
  await writeFile(join(dir, 'regional-us-daily-2023-01-21.csv'), us.join('\n'));
  return [...names, 'regional-us-daily-2023-01-21.csv'].map((n) => join(dir, n));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface SoakOptions {
  readonly trials: number;
  /** Processes started together per trial (backfills, runs of one file, transforms, in turn). */
  readonly processes: number;
  /** Processes killed per trial, each at a random moment in the first `killWindowMs`. */
  readonly kills: number;
  readonly killWindowMs: number;
  readonly random?: () => number;
  readonly log?: (line: string) => void;
}

export interface SoakResult {
  readonly clean: Fingerprint;
  readonly trials: number;
  readonly identical: number;
  readonly processes: number;
  readonly killed: number;
  readonly waited: number;
  /** Processes not killed that exited otherwise than expected, or printed a stack trace. */
  readonly unexpectedExits: number;
  readonly failures: readonly string[];
}

/** One lake built by one backfill and nothing else: what every trial must end equal to. */
async function cleanLake(root: string, inputs: string): Promise<Fingerprint> {
  const lake = join(root, 'clean');
  await cli(lake, ['backfill', inputs]).done;
  return fingerprint(lake);
}

export async function soak(options: SoakOptions): Promise<SoakResult> {
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const root = await mkdtemp(join(tmpdir(), 'spotify-etl-soak-'));
  try {
    const inputs = join(root, 'charts');
    const files = await soakInputs(inputs);
    const damaged = files[files.length - 1];
    const clean = await cleanLake(root, inputs);
    let identical = 0;
    let processes = 0;
    let killed = 0;
    let waited = 0;
    let unexpectedExits = 0;
    const failures: string[] = [];
    for (let trial = 1; trial <= options.trials; trial++) {
      const lake = join(root, `trial-${trial}`);
      const file = files[Math.floor(random() * files.length)]!;
      const commands = Array.from({ length: options.processes }, (_, i): string[] =>
        i % 3 === 0
          ? ['backfill', inputs]
          : i % 3 === 1
            ? ['run', '--source', `charts-csv:${file}`]
            : ['transform'],
      );
      const running = commands.map((args) => cli(lake, args));
      processes += running.length;
      const victims = new Set<number>();
      while (victims.size < Math.min(options.kills, running.length))
        victims.add(Math.floor(random() * running.length));
      const kills = [...victims].map(async (i) => {
        await sleep(random() * options.killWindowMs);
        running[i]!.kill();
      });
      const exits = await Promise.all(running.map((r) => r.done));
      await Promise.all(kills);
      killed += exits.filter((e) => e.signal === 'SIGKILL').length;
      waited += exits.filter((e) => e.stderr.includes('waiting:')).length;
      for (const [i, e] of exits.entries()) {
        if (e.signal !== null) continue;
        // Exit 1 only where the damaged chart is read: a run of that file, or a backfill that extracted it (one
        // that found every file already done by a concurrent backfill has nothing to report, and exits 0).
        const args = commands[i]!;
        const backfillSawDamage = /incomplete charts\s+[1-9]|files set aside\s+[1-9]/.test(e.stdout);
        const expected =
          (args[0] === 'backfill' && backfillSawDamage) || (args[0] === 'run' && file === damaged) ? 1 : 0;
        if (e.code !== expected || /\n\s+at /.test(e.stderr)) {
          unexpectedExits++;
          failures.push(
            `trial ${trial}: ${e.command} exited ${e.code} (expected ${expected}):\n${e.stdout.slice(-1500)}\n${e.stderr.slice(0, 2000)}`,
          );
        }
      }
      // The rerun a user makes after a crash: the backfill (which first replays raw objects left behind).
      await cli(lake, ['backfill', inputs]).done;
      const result = await fingerprint(lake);
      const same = JSON.stringify(result) === JSON.stringify(clean);
      if (same) identical++;
      else failures.push(`trial ${trial}: ${JSON.stringify(result)} differs from ${JSON.stringify(clean)}`);
      log(
        `trial ${trial}: ${running.length} processes, ${exits.filter((e) => e.signal === 'SIGKILL').length} killed, ` +
          `${exits.filter((e) => e.stderr.includes('waiting:')).length} waited → ${same ? 'identical' : 'DIFFERENT'}`,
      );
      await rm(lake, { recursive: true, force: true });
    }
    return { clean, trials: options.trials, identical, processes, killed, waited, unexpectedExits, failures };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** One bad input beside good input: what the lake must look like after it. */
interface BadInput {
  readonly name: string;
  /** Puts the bad input into `lake` (a raw object) or `charts` (a CSV file), beside the good charts. */
  readonly plant: (lake: string, charts: string) => Promise<void>;
}

const TO_PROCESS = ['top_200_global', 'raw_data', 'to_process', '2026', '11', '25', '16'];

async function plantRaw(lake: string, name: string, body: string | Buffer): Promise<void> {
  const dir = join(lake, ...TO_PROCESS);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), body);
}

const record = (overrides: string): string =>
  `{"schema_version":1,"snapshot_date":"2024-02-05","extracted_at":"2026-11-25T16:00:00Z","run_id":"1",` +
  `"source":{"kind":"charts-csv","id":"regional-au-daily","region":"au"},"position":1,"track":null${overrides}}`;

export const BAD_INPUTS: readonly BadInput[] = [
  {
    name: 'impossible chart date',
    plant: (l) => plantRaw(l, 'a', record('').replace('2024-02-05', '2024-02-30')),
  },
  { name: 'integer beyond 2^53', plant: (l) => plantRaw(l, 'b', record(',"streams":92233720368547758070')) },
  {
    name: 'lone surrogate',
    plant: (l) =>
      plantRaw(l, 'c', record(',"chart_entry":{"uri":"x","track_name":"\\ud800","artist_names":[]}')),
  },
  {
    name: 'invalid UTF-8',
    plant: (l) =>
      plantRaw(
        l,
        'd',
        Buffer.concat([Buffer.from(record('').slice(0, 40)), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]),
      ),
  },
  {
    name: 'run id with a slash',
    plant: (l) => plantRaw(l, 'e', record('').replace('"run_id":"1"', '"run_id":"../x"')),
  },
  {
    name: 'truncated gzip object',
    plant: (l) => plantRaw(l, 'f.gz', gzipSync(record('').repeat(50)).subarray(0, 40)),
  },
  { name: 'line over 1,000 KiB', plant: (l) => plantRaw(l, 'g', 'x'.repeat(2 * 1024 * 1024)) },
  {
    name: '64 MiB without line breaks',
    plant: (l) => plantRaw(l, 'h', Buffer.alloc(64 * 1024 * 1024, 0x7b)),
  },
  {
    name: 'CSV with an unbalanced quote',
    plant: async (_, c) => {
      const text = (await readFile(join(REAL_CHARTS, 'regional-us-daily-2023-01-21.csv'), 'utf8')).split(
        '\n',
      );
      text[3] = text[3]!.replace(',', ',"');
      await writeFile(join(c, 'regional-us-daily-2023-01-21.csv'), text.join('\n'));
    },
  },
  {
    name: 'CSV of 20 MiB without line breaks',
    plant: (_, c) =>
      writeFile(join(c, 'regional-us-daily-2023-01-22.csv'), Buffer.alloc(20 * 1024 * 1024, 0x61)),
  },
  {
    name: 'a file that is not a chart',
    plant: (_, c) => writeFile(join(c, 'regional-us-daily-2023-01-23.csv'), 'hello,world\n1,2\n'),
  },
];

export interface BadInputResult {
  readonly name: string;
  /** The good charts are all in the lake, every query still answers, and the command said it failed. */
  readonly survived: boolean;
  readonly detail: string;
}

/** Each bad input beside three good charts: `backfill` must exit non-zero and the good charts must be whole. */
export async function badInputs(): Promise<BadInputResult[]> {
  const results: BadInputResult[] = [];
  for (const bad of BAD_INPUTS) {
    const root = await mkdtemp(join(tmpdir(), 'spotify-etl-bad-'));
    try {
      const charts = join(root, 'charts');
      const good = (await soakInputs(charts, 3)).slice(0, 3);
      await rm(join(charts, 'regional-us-daily-2023-01-21.csv'));
      const lake = join(root, 'lake');
      await bad.plant(lake, charts);
      const exit = await cli(lake, ['backfill', charts]).done;
      const print = await fingerprint(lake).catch((e: Error) => e);
      const whole =
        !(print instanceof Error) && print.chartDays >= good.length && print.rows >= 200 * good.length;
      const survived = exit.code === 1 && whole && !/\n\s+at /.test(exit.stderr);
      results.push({
        name: bad.name,
        survived,
        detail:
          print instanceof Error
            ? print.message
            : `exit ${exit.code}, ${print.rows} rows, ${print.chartDays} chart days`,
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  return results;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const result = await soak({
    trials: arg('trials', 5),
    processes: arg('processes', 6),
    kills: arg('kills', 2),
    killWindowMs: arg('kill-window-ms', 3000),
    log: (l) => console.log(l),
  });
  const bad = await badInputs();
  for (const b of bad)
    console.log(`bad input: ${b.name}: ${b.survived ? 'survived' : 'NOT SURVIVED'} (${b.detail})`);
  console.log('');
  console.log('| figure | value |');
  console.log('| --- | ---: |');
  console.log(`| trials, lake identical to the clean one | ${result.identical} of ${result.trials} |`);
  console.log(`| processes started (run, transform, backfill on one lake) | ${result.processes} |`);
  console.log(`| processes killed with SIGKILL | ${result.killed} |`);
  console.log(`| processes that waited for the lake's lock | ${result.waited} |`);
  console.log(
    `| processes not killed that exited unexpectedly or printed a stack trace | ${result.unexpectedExits} |`,
  );
  console.log(`| bad inputs survived | ${bad.filter((b) => b.survived).length} of ${bad.length} |`);
  console.log(`| clean lake | ${result.clean.rows} rows, ${result.clean.chartDays} chart days |`);
  for (const f of result.failures) console.log(`failure: ${f}`);
  if (result.failures.length > 0 || bad.some((b) => !b.survived)) process.exitCode = 1;
}
