// `npm run bench`: measured figures (counts and ratios, not only seconds), printed as a table and written to
// bench/results/latest.json. Heavy parts run in child processes (bench/child.ts) so that each peak memory is its own.
//   npm run bench              full scale: 5 years × 10 regions × 200 entries (3.65 M records) and 1×/10×/100× growth
//   npm run bench -- --quick   a small scale for a smoke run (what the test suite runs)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { DemoCatalog } from '#functions/adapters/local/demo-catalog.js';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  LocalSpotifyServer,
} from '#functions/adapters/local/spotify-server.js';
import { createSpotifyClient } from '#functions/adapters/spotify/web-api.js';
import { loadConfig } from '#functions/config.js';
import { EntityCache } from '#functions/core/entity-cache.js';
import { extractChart } from '#functions/core/extract.js';
import { demoChart } from '#functions/core/sources.js';
import { silentLogger, systemClock, type DeliveryStream } from '#functions/ports.js';
import { BUNDLING } from '../infra/constructs/etl-function.js';
import type { ChildResult } from './child.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const quick = process.argv.includes('--quick');

interface Figure {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
}
const figures: Figure[] = [];
const add = (f: Figure): void => {
  figures.push(f);
  process.stderr.write(`  ${f.section}: ${f.name} = ${f.value} ${f.unit}\n`);
};

/**
 * bench/child.ts compiled by esbuild, as the Lambda bundles are (tsx adds a keep-names call for every closure
 * it creates, which the shipped code does not pay). Packages stay external and resolve from node_modules.
 */
const childBundle = join(root, 'node_modules/.cache/spotify-etl-bench/child.mjs');
await build({
  entryPoints: [join(root, 'bench/child.ts')],
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: BUNDLING.target ?? 'node22',
  outfile: childBundle,
  logLevel: 'silent',
});

function child(args: string[], options: { source?: boolean } = {}): ChildResult {
  // `source`: run bench/child.ts through tsx, for code that finds files beside its own source (the explorer's).
  const entry = options.source ? ['--import', 'tsx', join(root, 'bench/child.ts')] : [childBundle];
  const r = spawnSync(process.execPath, [...entry, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bench child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ChildResult;
}

const median = (xs: readonly ChildResult[]): ChildResult =>
  [...xs].sort((a, b) => (a.seconds ?? 0) - (b.seconds ?? 0))[Math.floor(xs.length / 2)] ?? {};

/**
 * 1. Transformer throughput and memory at 1×, 10×, 100× (100× = 5 years × 10 regions × 200 entries). The raw
 * objects are generated once per scale; 1× and 10× are transformed 3 times, each on a fresh copy, and the median
 * run is reported (this machine's timings vary by ±30 % from run to run); 100× runs once.
 */
function transformScaling(): void {
  const full = { days: 5 * 365, regions: 10 };
  const scales = quick ? [1, 10] : [1, 10, 100];
  const base = quick ? { days: 2, regions: 2 } : { days: Math.round(full.days / 100), regions: full.regions };
  let first: ChildResult | undefined;
  for (const scale of scales) {
    const days = quick ? base.days * scale : scale === 100 ? full.days : base.days * scale;
    const template = mkdtempSync(join(tmpdir(), `bench-transform-${scale}x-`));
    const raw = child(['gen-raw', template, String(days), String(base.regions)]);
    const runs: ChildResult[] = [];
    for (let i = 0; i < (scale === 100 ? 1 : 3); i++) {
      const lake = `${template}-run`;
      cpSync(template, lake, { recursive: true });
      runs.push(child(['transform', lake]));
      rmSync(lake, { recursive: true, force: true });
    }
    const r = median(runs);
    first ??= r;
    // The JSON floor on the 10× objects: what parsing and writing JSON alone allow on this machine.
    let floor: ChildResult | undefined;
    if (scale === 10) floor = median([0, 1, 2].map(() => child(['json-floor', template])));
    rmSync(template, { recursive: true, force: true });
    const perRecord = (x: ChildResult): number => (x.seconds ?? 0) / (x.records ?? 1);
    add({
      section: 'transform',
      name: `${scale}×: ${r.records} records (${days} days × ${base.regions} regions)${runs.length > 1 ? `, median of ${runs.length}` : ''}`,
      value: Math.round(r.recordsPerSecond ?? 0),
      unit: 'records/s',
      target: '≥ 100000',
    });
    add({
      section: 'transform',
      name: `${scale}×: records per CPU-second (all threads of the process)`,
      value: Math.round((r.records ?? 0) / (r.cpuSeconds ?? 1)),
      unit: 'records/CPU-s',
    });
    add({
      section: 'transform',
      name: `${scale}×: time`,
      value: Number((r.seconds ?? 0).toFixed(2)),
      unit: 's',
    });
    add({
      section: 'transform',
      name: `${scale}×: time per record / 1× time per record`,
      value: Number((perRecord(r) / perRecord(first)).toFixed(2)),
      unit: 'ratio (1 = linear growth)',
    });
    add({
      section: 'memory',
      name: `transform peak RSS at ${scale}× (${((raw.rawBytes ?? 0) / 1048576).toFixed(0)} MiB of raw input)`,
      value: Math.round((r.maxRssKiB ?? 0) / 1024),
      unit: 'MiB',
    });
    if (floor) {
      add({
        section: 'transform',
        name: `${scale}×: JSON.parse + JSON.stringify of each raw line alone (the floor), median of 3`,
        value: Math.round(floor.recordsPerSecond ?? 0),
        unit: 'records/s',
      });
      add({
        section: 'transform',
        name: `${scale}×: transform / JSON floor`,
        value: Number(((r.recordsPerSecond ?? 0) / (floor.recordsPerSecond ?? 1)).toFixed(2)),
        unit: 'ratio (1 = the transformer costs no more than parsing and writing JSON)',
      });
    }
  }
}

/** 2. Spotify API calls for a daily run with a cold and a warm entity cache, against the local server. */
async function apiCalls(): Promise<void> {
  const demo = new DemoCatalog();
  const server = await LocalSpotifyServer.start({ catalog: demo });
  try {
    const settings = loadConfig({
      SPOTIFY_API_URL: server.apiUrl,
      SPOTIFY_ACCOUNTS_URL: server.url,
      SPOTIFY_CLIENT_ID: DEMO_CLIENT_ID,
      SPOTIFY_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    }).spotify;
    const client = createSpotifyClient(settings);
    const storage = new FolderStorage(await mkdtemp(join(tmpdir(), 'bench-api-')));
    const delivery: DeliveryStream = {
      put: async (r) => ({ delivered: r.length, batches: 1, retried: 0 }),
      flush: async () => {},
    };
    for (const [label, date] of [
      ['cold', '2026-11-24'],
      ['warm', '2026-11-25'],
    ] as const) {
      const cache = await EntityCache.load(storage, systemClock, 30);
      const r = await extractChart(demoChart(demo.chartCsv(date), date), {
        delivery,
        storage,
        cache,
        clock: systemClock,
        logger: silentLogger,
        catalog: client?.catalog,
      });
      add({
        section: 'spotify',
        name: `API calls, daily run, ${label} cache`,
        value: r.apiCalls,
        unit: 'calls',
        ...(label === 'warm' ? { target: '≤ 25' } : {}),
      });
      add({
        section: 'spotify',
        name: `cache hits, daily run, ${label} cache`,
        value: r.cacheHits,
        unit: 'hits',
      });
    }
  } finally {
    await server.close();
  }
}

/** 3. Partition pruning: files and bytes a one-day query reads vs a full scan (DuckDB's EXPLAIN ANALYZE). */
async function pruning(): Promise<void> {
  const days = quick ? 5 : 30;
  const lake = await mkdtemp(join(tmpdir(), 'bench-prune-'));
  child(['lake', lake, String(days), '3']);
  const engine = await LakeQueryEngine.open(lake);
  try {
    const oneDay = await engine.filesRead(
      "SELECT count(*) FROM song_data WHERE snapshot_date = DATE '2025-01-03'",
    );
    const all = await engine.filesRead('SELECT count(*) FROM song_data');
    const dir = join(lake, 'top_200_global/transformed_data/song_data');
    let bytesDay = 0;
    let bytesAll = 0;
    for (const part of await readdir(dir)) {
      for (const f of await readdir(join(dir, part))) {
        const size = (await stat(join(dir, part, f))).size;
        bytesAll += size;
        if (part === 'snapshot_date=2025-01-03') bytesDay += size;
      }
    }
    add({
      section: 'pruning',
      name: `files read, one-day query (of ${days} days)`,
      value: oneDay.read,
      unit: `of ${oneDay.total} files`,
    });
    add({
      section: 'pruning',
      name: 'files read, full scan',
      value: all.read,
      unit: `of ${all.total} files`,
    });
    add({
      section: 'pruning',
      name: 'one-day / full-scan files',
      value: Number((oneDay.read / all.read).toFixed(4)),
      unit: `ratio (1/N = ${(1 / days).toFixed(4)})`,
      target: '1/N',
    });
    add({
      section: 'pruning',
      name: 'one-day / full-scan bytes',
      value: Number((bytesDay / bytesAll).toFixed(4)),
      unit: 'ratio',
    });
  } finally {
    engine.close();
  }
}

/** 4. Lambda bundles: size minified, built as `cdk synth` builds them, and module init time in a fresh process. */
async function bundles(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'bench-bundle-'));
  for (const name of ['extract', 'transform', 'check']) {
    const file = join(out, `${name}.mjs`);
    await build({
      entryPoints: [join(root, `functions/${name}/handler.ts`)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: BUNDLING.target ?? 'node22',
      minify: true,
      mainFields: [...(BUNDLING.mainFields ?? ['module', 'main'])],
      banner: { js: BUNDLING.banner ?? '' },
      outfile: file,
      logLevel: 'silent',
    });
    const size = (await stat(file)).size;
    add({
      section: 'bundles',
      name: `${name} bundle, minified`,
      value: Number((size / 1048576).toFixed(3)),
      unit: 'MiB',
      target: '≤ 1',
    });
    const init = child(['init', file]);
    add({
      section: 'bundles',
      name: `${name} module init (import, clients built)`,
      value: Math.round(init.initMs ?? 0),
      unit: 'ms',
    });
  }
}

/**
 * 6. The explorer on a lake of the transformer's rows (5 years × 10 regions at full scale): cold start with the
 * search index built, 200 searches, 50 song pages and 50 day pages through the app in-process, page script sizes.
 */
function explorerRun(): void {
  const days = quick ? 3 : 5 * 365;
  const regions = quick ? 2 : 10;
  const lake = mkdtempSync(join(tmpdir(), 'bench-explorer-'));
  child(['lake', lake, String(days), String(regions)]);
  const e = child(['explorer', lake], { source: true }).explorer;
  // A second start on the same lake: the copy of the tables is reused, so this is the index's rebuild from it.
  const again = child(['explorer', lake], { source: true }).explorer;
  rmSync(lake, { recursive: true, force: true });
  if (!e || !again) throw new Error('the explorer child reported nothing');
  const scale = `${e.songRows} song rows (${days} days × ${regions} regions)`;
  add({
    section: 'explorer',
    name: `first start (copy of the tables and search index built): ${scale}`,
    value: e.coldStartMs,
    unit: 'ms',
  });
  add({
    section: 'explorer',
    name: 'restart on the unchanged lake (copy reused, search index rebuilt)',
    value: again.coldStartMs,
    unit: 'ms',
  });
  add({ section: 'explorer', name: `search p50 (${e.searches} searches)`, value: e.searchP50Ms, unit: 'ms' });
  add({
    section: 'explorer',
    name: `search p95 (${e.searches} searches)`,
    value: e.searchP95Ms,
    unit: 'ms',
    target: '≤ 50',
  });
  add({
    section: 'explorer',
    name: `song page p95 (${e.songPages} pages)`,
    value: e.songPageP95Ms,
    unit: 'ms',
    target: '≤ 150',
  });
  add({
    section: 'explorer',
    name: `day page p95 (${e.dayPages} pages)`,
    value: e.dayPageP95Ms,
    unit: 'ms',
    target: '≤ 150',
  });
  for (const [name, kib] of Object.entries(e.bundleKiB)) {
    add({ section: 'explorer', name: `page script ${name}.js, minified`, value: kib, unit: 'KiB' });
  }
}

/** 5. Backfill end to end (CSV files → extract → local delivery → transform), peak memory and rate. */
function backfillRun(): void {
  const days = quick ? 5 : 365;
  const dir = mkdtempSync(join(tmpdir(), 'bench-csv-'));
  const lake = mkdtempSync(join(tmpdir(), 'bench-backfill-'));
  child(['gen-csv', dir, String(days), '2']);
  const r = child(['backfill', dir, lake]);
  rmSync(dir, { recursive: true, force: true });
  rmSync(lake, { recursive: true, force: true });
  add({
    section: 'backfill',
    name: `${r.records} entries (${days} days × 2 regions, CSV → extract → delivery → transform)`,
    value: Math.round(r.recordsPerSecond ?? 0),
    unit: 'entries/s',
  });
  add({
    section: 'memory',
    name: 'backfill peak RSS',
    value: Math.round((r.maxRssKiB ?? 0) / 1024),
    unit: 'MiB',
  });
}

process.stderr.write(`spotify-etl benchmarks (${quick ? 'quick' : 'full'} scale), Node ${process.version}\n`);
transformScaling();
await apiCalls();
await pruning();
await bundles();
backfillRun();
explorerRun();

const width = Math.max(...figures.map((f) => f.section.length + f.name.length + 2));
const lines = [`${'figure'.padEnd(width)}  ${'value'.padStart(12)}  unit (target)`];
for (const f of figures) {
  lines.push(
    `${`${f.section}: ${f.name}`.padEnd(width)}  ${String(f.value).padStart(12)}  ${f.unit}${f.target ? ` (target ${f.target})` : ''}`,
  );
}
console.log(lines.join('\n'));
const results = join(root, 'bench/results');
await mkdir(results, { recursive: true });
await writeFile(
  join(results, quick ? 'quick.json' : 'latest.json'),
  JSON.stringify({ at: new Date().toISOString(), node: process.version, quick, figures }, null, 2) + '\n',
);
console.log(`written: bench/results/${quick ? 'quick' : 'latest'}.json`);
