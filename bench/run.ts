// `npm run bench`: measured figures (counts and ratios, not only seconds), printed as a table and written as JSON.
// Figures: transformer throughput at 1× and 10× input, Spotify API calls for a cold and a warm daily run.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DemoCatalog } from '../functions/adapters/local/demo-catalog.js';
import { FolderStorage } from '../functions/adapters/local/folder-storage.js';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  LocalSpotifyServer,
} from '../functions/adapters/local/spotify-server.js';
import { createSpotifyClient } from '../functions/adapters/spotify/web-api.js';
import { loadConfig } from '../functions/config.js';
import { addDays } from '../functions/core/chart.js';
import { EntityCache } from '../functions/core/entity-cache.js';
import { extractChart } from '../functions/core/extract.js';
import { demoChart } from '../functions/core/sources.js';
import { transformObject } from '../functions/core/transform.js';
import { silentLogger, systemClock, type DeliveryStream } from '../functions/ports.js';

interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}
const figures: Figure[] = [];
const demo = new DemoCatalog();

/** Raw records of `days` demo charts, enriched with the demo catalog's own tracks (no HTTP). */
async function rawLines(days: number, start = '2026-01-01'): Promise<string[]> {
  const lines: string[] = [];
  const delivery: DeliveryStream = {
    put: async (records) => {
      lines.push(...records);
      return { delivered: records.length, batches: 1, retried: 0 };
    },
    flush: async () => {},
  };
  const storage = new FolderStorage(await mkdtemp(join(tmpdir(), 'bench-cache-')));
  const cache = await EntityCache.load(storage, systemClock, 30);
  const catalog = {
    getTrack: async (id: string) => demo.findTrack(id, false),
    getAlbum: async (id: string) => demo.findAlbum(id, false),
    getArtist: async (id: string) => demo.findArtist(id, false),
    playlistItems: async function* () {},
    stats: () => ({ apiCalls: 0, retries: 0, tokenRequests: 0 }),
  };
  for (let d = 0; d < days; d++) {
    const date = addDays(start, d);
    await extractChart(demoChart(demo.chartCsv(date), date), {
      delivery,
      storage,
      cache,
      clock: systemClock,
      logger: silentLogger,
      catalog,
    });
  }
  return lines;
}

async function transformThroughput(days: number): Promise<number> {
  const lines = await rawLines(days);
  const storage = new FolderStorage(await mkdtemp(join(tmpdir(), 'bench-lake-')));
  const key = 'top_200_global/raw_data/to_process/2026/01/01/16/bench-object';
  await storage.put(key, lines.join('\n') + '\n');
  const t0 = performance.now();
  const report = await transformObject(key, { storage, logger: silentLogger });
  const seconds = (performance.now() - t0) / 1000;
  const rate = report.linesIn / seconds;
  figures.push({
    name: `transform ${report.linesIn} records (${days} chart days)`,
    value: Math.round(rate),
    unit: 'records/s',
  });
  return rate;
}

async function apiCalls(): Promise<void> {
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
      figures.push({
        name: `Spotify API calls, daily run, ${label} cache`,
        value: r.apiCalls,
        unit: 'calls',
      });
      figures.push({ name: `cache hits, daily run, ${label} cache`, value: r.cacheHits, unit: 'hits' });
    }
  } finally {
    await server.close();
  }
}

const one = await transformThroughput(1);
const ten = await transformThroughput(10);
figures.push({
  name: 'throughput ratio 10× input / 1× input',
  value: Number((ten / one).toFixed(2)),
  unit: 'ratio',
});
await apiCalls();

const width = Math.max(...figures.map((f) => f.name.length));
console.log(`${'figure'.padEnd(width)}  ${'value'.padStart(10)}  unit`);
for (const f of figures) console.log(`${f.name.padEnd(width)}  ${String(f.value).padStart(10)}  ${f.unit}`);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL('./results/latest.json', import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), node: process.version, figures }, null, 2),
);
console.log('written: bench/results/latest.json');
