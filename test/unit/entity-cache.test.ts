// The entity cache: what a save writes (only what is new, then a merge), what a load reads back.
import { COMPACT_AFTER_SEGMENTS, EntityCache } from '#functions/core/entity-cache.js';
import type { Storage } from '#functions/ports.js';
import { MemoryStorage } from '../helpers/memory-storage.js';
import { fakeClock } from '../helpers/paths.js';

let storage: MemoryStorage;
/** Bytes written per key, so a test can see what a save cost. */
let written: Map<string, number>;
let counting: Storage;

beforeEach(() => {
  storage = new MemoryStorage();
  written = new Map();
  counting = {
    get: (k) => storage.get(k),
    read: (k) => storage.read(k),
    list: (p) => storage.list(p),
    delete: (k) => storage.delete(k),
    move: (a, b) => storage.move(a, b),
    put: async (k, body) => {
      written.set(k, (written.get(k) ?? 0) + Buffer.byteLength(body));
      await storage.put(k, body);
    },
  };
});

const track = (i: number) => ({ id: `t${i}`, name: `Track ${i}`, padding: 'x'.repeat(500) });

describe('EntityCache', () => {
  it('writes only the entries fetched since the last save, however large the cache already is', async () => {
    const clock = fakeClock('2026-11-25T16:00:00Z');
    const cache = await EntityCache.load(counting, clock, 30);
    for (let i = 0; i < 1000; i++) cache.set('tracks', `t${i}`, track(i));
    await cache.save();
    const firstSave = [...written.values()].reduce((a, b) => a + b, 0);
    written.clear();

    const next = await EntityCache.load(counting, clock, 30);
    for (let i = 1000; i < 1010; i++) next.set('tracks', `t${i}`, track(i));
    await next.save();

    const secondSave = [...written.values()].reduce((a, b) => a + b, 0);
    expect(secondSave).toBeLessThan(firstSave / 50); // 10 entries, not 1,010
    expect([...written.keys()].every((k) => k.startsWith(EntityCache.segmentPrefix('tracks')))).toBe(true);
    const reloaded = await EntityCache.load(storage, clock, 30);
    expect(reloaded.size('tracks')).toBe(1010);
    expect(reloaded.get('tracks', 't1005')).toEqual(track(1005));
  });

  it('saves nothing when nothing was fetched', async () => {
    const cache = await EntityCache.load(counting, fakeClock(), 30);
    expect(cache.get('tracks', 'unknown')).toBeUndefined();
    await cache.save();
    expect(written.size).toBe(0);
  });

  it(`merges the segments into the base file when a save would pass ${COMPACT_AFTER_SEGMENTS} segments`, async () => {
    const clock = fakeClock('2026-11-25T16:00:00Z');
    for (let i = 0; i <= COMPACT_AFTER_SEGMENTS; i++) {
      const cache = await EntityCache.load(storage, clock, 30);
      cache.set('albums', `a${i}`, { id: `a${i}`, name: `Album ${i}` });
      await cache.save();
    }
    expect(await storage.list(EntityCache.segmentPrefix('albums'))).toEqual([]);
    const cache = await EntityCache.load(storage, clock, 30);
    expect(cache.size('albums')).toBe(COMPACT_AFTER_SEGMENTS + 1);
    expect(cache.segmentCount('albums')).toBe(0);
  });

  it('keeps the later fetch of an id, whichever file it is in (a merge cut short leaves older segments)', async () => {
    const clock = fakeClock('2026-11-25T16:00:00Z');
    await storage.put(
      EntityCache.key('artists'),
      JSON.stringify({ id: 'x', fetched_at: '2026-11-20T00:00:00.000Z', object: { name: 'new' } }) + '\n',
    );
    await storage.put(
      `${EntityCache.segmentPrefix('artists')}20261101T000000000Z-000000-aaaaaa.ndjson`,
      JSON.stringify({ id: 'x', fetched_at: '2026-11-01T00:00:00.000Z', object: { name: 'old' } }) + '\n',
    );
    const cache = await EntityCache.load(storage, clock, 30);
    expect(cache.get('artists', 'x')).toEqual({ name: 'new' });
  });

  it('skips a damaged line, keeps the rest, and drops the line at the next save', async () => {
    const clock = fakeClock('2026-11-25T16:00:00Z');
    const good = JSON.stringify({
      id: 'ok',
      fetched_at: '2026-11-24T00:00:00.000Z',
      object: { name: 'fine' },
    });
    await storage.put(EntityCache.key('tracks'), `${good}\n{"id":"cut`);
    const cache = await EntityCache.load(storage, clock, 30);
    expect(cache.get('tracks', 'ok')).toEqual({ name: 'fine' });

    await cache.save();

    const body = Buffer.from((await storage.get(EntityCache.key('tracks'))) ?? []).toString('utf8');
    expect(body).toBe(`${good}\n`);
  });

  it('remembers a 404 for 7 days and a found entity for the TTL', async () => {
    const clock = fakeClock('2026-11-25T16:00:00Z');
    const cache = await EntityCache.load(storage, clock, 30);
    cache.set('tracks', 'gone', null);
    cache.set('tracks', 'here', track(1));
    await cache.save();

    clock.advance(6 * 86_400_000);
    const sixDays = await EntityCache.load(storage, clock, 30);
    expect(sixDays.get('tracks', 'gone')).toBeNull();
    clock.advance(2 * 86_400_000); // 8 days after the fetch
    const eightDays = await EntityCache.load(storage, clock, 30);
    expect(eightDays.get('tracks', 'gone')).toBeUndefined();
    expect(eightDays.get('tracks', 'here')).toEqual(track(1));
    expect(eightDays.stats()).toEqual({ hits: 1, misses: 1, stored: 0 });
  });
});
