import { DemoCatalog, DEMO_LOCAL_FILE_POSITION } from '#functions/adapters/local/demo-catalog.js';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  LocalSpotifyServer,
  QUOTA_EXCEEDED_BODY,
} from '#functions/adapters/local/spotify-server.js';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { createSpotifyClient } from '#functions/adapters/spotify/web-api.js';
import { loadConfig } from '#functions/config.js';
import { EntityCache } from '#functions/core/entity-cache.js';
import { extractChart, type ExtractDeps } from '#functions/core/extract.js';
import { demoChart } from '#functions/core/sources.js';
import { SpotifyQuotaError } from '#functions/errors.js';
import { silentLogger, type DeliveryStream } from '#functions/ports.js';
import { validators } from '#functions/core/schemas.js';
import type { RawTrackRecord } from '#functions/core/record-types.js';
import { fakeClock, tempDir } from '../helpers/paths.js';

class MemoryDelivery implements DeliveryStream {
  readonly records: string[] = [];
  async put(records: readonly string[]) {
    this.records.push(...records);
    return { delivered: records.length, batches: 1, retried: 0 };
  }
  async flush() {}
}

const demo = new DemoCatalog();
let server: LocalSpotifyServer;

beforeEach(async () => {
  server = await LocalSpotifyServer.start({ catalog: demo });
});
afterEach(async () => {
  await server.close();
});

async function setup(withCredentials = true) {
  const storage = new FolderStorage(await tempDir());
  const clock = fakeClock();
  const settings = loadConfig({
    SPOTIFY_API_URL: server.apiUrl,
    SPOTIFY_ACCOUNTS_URL: server.url,
    ...(withCredentials
      ? { SPOTIFY_CLIENT_ID: DEMO_CLIENT_ID, SPOTIFY_CLIENT_SECRET: DEMO_CLIENT_SECRET }
      : {}),
  }).spotify;
  const client = createSpotifyClient(settings, { clock, random: () => 0 });
  const delivery = new MemoryDelivery();
  const deps = async (): Promise<ExtractDeps> => ({
    storage,
    delivery,
    clock,
    logger: silentLogger,
    catalog: client?.catalog,
    cache: await EntityCache.load(storage, clock, 30),
  });
  return { storage, clock, delivery, deps, client };
}

const ids = (date: string): Set<string> =>
  new Set(
    demo
      .chart(date)
      .map((r) => r.uri)
      .filter((u) => u.startsWith('spotify:track:')),
  );

describe('extractChart against the local Spotify-API server', () => {
  it('emits one valid raw record per chart entry, enriched with track, album and artists', async () => {
    const { delivery, deps } = await setup();
    const report = await extractChart(demoChart(demo.chartCsv('2026-11-25'), '2026-11-25'), await deps());
    expect(report.entries).toBe(200);
    expect(delivery.records).toHaveLength(200);
    const records = delivery.records.map((r) => JSON.parse(r) as RawTrackRecord);
    for (const r of records) expect(validators.rawTrackRecord(r)).toBe(true);
    expect(records.map((r) => r.position)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const enriched = records.filter((r) => r.track);
    expect(enriched.length).toBe(200 - 1 - report.tracksNotFound.length); // the local file has no Spotify object
    expect(enriched[0]?.album?.id).toBe(enriched[0]?.track?.album?.id);
    expect(records[DEMO_LOCAL_FILE_POSITION - 1]?.chart_entry?.uri).toMatch(/^spotify:local:/);
    // development-mode answers: popularity is gone
    expect(enriched.every((r) => r.track?.popularity === undefined)).toBe(true);
  });

  it('asks once per distinct track on a cold cache and only for new tracks the next day', async () => {
    const { deps } = await setup();
    const day1 = await extractChart(demoChart(demo.chartCsv('2026-11-24'), '2026-11-24'), await deps());
    expect(day1.apiCalls).toBe(ids('2026-11-24').size);
    expect(day1.cacheHits).toBe(0);

    const day2 = await extractChart(demoChart(demo.chartCsv('2026-11-25'), '2026-11-25'), await deps());
    const newIds = [...ids('2026-11-25')].filter((id) => !ids('2026-11-24').has(id));
    // Tracks Spotify answered 404 for yesterday are remembered too: only new ids are asked for.
    expect(day2.apiCalls).toBe(newIds.length);
    expect(day2.apiCalls).toBeLessThanOrEqual(25);
    expect(day2.cacheHits).toBe(ids('2026-11-25').size - day2.apiCalls);
  });

  it('stops on 429 QUOTA_EXCEEDED with a clear error, delivers nothing, and keeps what was cached', async () => {
    const { deps, delivery, storage } = await setup();
    const chart = demoChart(demo.chartCsv('2026-11-25'), '2026-11-25');
    await extractChart({ ...chart, entries: chart.entries.slice(0, 50) }, await deps());
    delivery.records.length = 0;
    server.inject({ path: /\/v1\/tracks\//, status: 429, body: QUOTA_EXCEEDED_BODY, times: Infinity });
    await expect(extractChart(chart, await deps())).rejects.toThrow(SpotifyQuotaError);
    expect(delivery.records).toHaveLength(0);
    const cache = await EntityCache.load(storage, fakeClock(), 30);
    expect(cache.size('tracks')).toBeGreaterThanOrEqual(45);
  });

  it('with full entities, adds one call per distinct album and artist, cached like tracks', async () => {
    await server.close();
    server = await LocalSpotifyServer.start({ catalog: demo, extendedQuota: true });
    const { deps, delivery } = await setup();
    const chart = demoChart(demo.chartCsv('2026-11-25'), '2026-11-25');
    const report = await extractChart(chart, { ...(await deps()), fullEntities: true });
    const records = delivery.records.map((r) => JSON.parse(r) as RawTrackRecord);
    const enriched = records.filter((r) => r.track);
    const albums = new Set(enriched.map((r) => r.track?.album?.id));
    const artists = new Set(enriched.flatMap((r) => (r.track?.artists ?? []).map((a) => a.id)));
    const tracks = ids('2026-11-25').size;
    expect(report.apiCalls).toBe(tracks + albums.size + artists.size);
    expect(enriched.every((r) => typeof r.album?.label === 'string')).toBe(true); // the full album, not the simplified
    expect(enriched.every((r) => (r.artists ?? []).every((a) => a.followers !== undefined))).toBe(true);
    delivery.records.length = 0;
    const again = await extractChart(chart, { ...(await deps()), fullEntities: true });
    expect(again.apiCalls).toBe(0);
    const withoutRun = (r: RawTrackRecord) => ({ ...r, run_id: '' });
    expect(delivery.records.map((r) => withoutRun(JSON.parse(r) as RawTrackRecord))).toEqual(
      records.map(withoutRun),
    );
  });

  it('without credentials, emits records from the chart text alone and says enrichment was skipped', async () => {
    const { deps, delivery } = await setup(false);
    const report = await extractChart(demoChart(demo.chartCsv('2026-11-25'), '2026-11-25'), await deps());
    expect(report.enrichment).toBe('skipped: no Spotify credentials');
    expect(report.apiCalls).toBe(0);
    const first = JSON.parse(delivery.records[0] ?? '{}') as RawTrackRecord;
    expect(first.track).toBeNull();
    expect(first.chart_entry?.track_name).toBe(demo.chart('2026-11-25')[0]?.trackName);
    expect(server.requests).toHaveLength(0);
  });
});
