// The entity cache: Spotify tracks, albums and artists already fetched, kept in the lake across runs,
// so a daily run asks the Web API only for what is new (a few to a few dozen tracks on real charts).
import type { Clock, Storage } from '../ports.js';
import { CACHE, ndjson } from './lake.js';
import { DAY_MS } from './dates.js';

/** Days a 404 is remembered before the id is asked for again. */
export const MISSING_TTL_DAYS = 7;

export type EntityKind = 'tracks' | 'albums' | 'artists';

interface Entry {
  readonly id: string;
  readonly fetched_at: string;
  readonly object: unknown;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly stored: number;
}

/** Segments are merged into the kind's base file once a save would make more than this many. */
export const COMPACT_AFTER_SEGMENTS = 24;

/**
 * Stored as one base file per kind plus small segments: a save writes only what was fetched since the last save
 * (a daily run adds a few dozen tracks; a backfill saves after every chart), and every COMPACT_AFTER_SEGMENTS
 * saves the segments are merged into the base. Rewriting the whole cache on every save grew with the cache:
 * tens of MiB per chart in an enriched multi-year backfill.
 */
export class EntityCache {
  private readonly entries: Record<EntityKind, Map<string, Entry>> = {
    tracks: new Map(),
    albums: new Map(),
    artists: new Map(),
  };
  /** Entries set since the last save. */
  private readonly pending: Record<EntityKind, Map<string, Entry>> = {
    tracks: new Map(),
    albums: new Map(),
    artists: new Map(),
  };
  /** Segment keys in the lake, per kind. */
  private readonly segments: Record<EntityKind, string[]> = { tracks: [], albums: [], artists: [] };
  /** Kinds with a damaged line: the next save compacts them, which drops the line. */
  private readonly damaged = new Set<EntityKind>();
  private hits = 0;
  private misses = 0;
  private stored = 0;
  private saves = 0;

  private constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly ttlDays: number,
  ) {}

  /** The base file of a kind. */
  static key(kind: EntityKind): string {
    return `${CACHE}${kind}.ndjson`;
  }

  /** Where a kind's segments live. */
  static segmentPrefix(kind: EntityKind): string {
    return `${CACHE}${kind}/`;
  }

  /**
   * Reads the cache from the lake: the base file, then every segment. Of two entries for an id the later fetch
   * wins, whatever file it is in (a compaction cut short leaves segments that are older than the base). A damaged
   * line is skipped: it is only a cache, the entity is fetched again.
   */
  static async load(storage: Storage, clock: Clock, ttlDays: number): Promise<EntityCache> {
    const cache = new EntityCache(storage, clock, ttlDays);
    for (const kind of ['tracks', 'albums', 'artists'] as const) {
      const segments = await storage.list(EntityCache.segmentPrefix(kind));
      cache.segments[kind] = segments;
      for (const key of [EntityCache.key(kind), ...segments]) {
        const body = await storage.get(key);
        if (body) cache.merge(kind, Buffer.from(body).toString('utf8'));
      }
    }
    return cache;
  }

  private merge(kind: EntityKind, text: string): void {
    const entries = this.entries[kind];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        this.damaged.add(kind);
        continue;
      }
      if (typeof entry.id !== 'string' || typeof entry.fetched_at !== 'string') {
        this.damaged.add(kind);
        continue;
      }
      const known = entries.get(entry.id);
      if (!known || known.fetched_at <= entry.fetched_at) entries.set(entry.id, entry);
    }
  }
  /**
   * The cached object when present and younger than the TTL; `null` when Spotify answered 404 for it recently
   * (a removed track is not asked for again every day); undefined when it must be fetched. Counts a hit or a miss.
   */
  get<T>(kind: EntityKind, id: string): T | null | undefined {
    const entry = this.entries[kind].get(id);
    const ttlDays = entry?.object === null ? Math.min(this.ttlDays, MISSING_TTL_DAYS) : this.ttlDays;
    const fresh =
      entry !== undefined && this.clock.now().getTime() - Date.parse(entry.fetched_at) < ttlDays * DAY_MS;
    if (fresh) {
      this.hits++;
      return entry.object as T | null;
    }
    this.misses++;
    return undefined;
  }

  /** `object` null records a 404. */
  set(kind: EntityKind, id: string, object: unknown): void {
    const entry = { id, fetched_at: this.clock.now().toISOString(), object };
    this.entries[kind].set(id, entry);
    this.pending[kind].set(id, entry);
    this.stored++;
  }

  size(kind: EntityKind): number {
    return this.entries[kind].size;
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, stored: this.stored };
  }

  /** Segments of a kind in the lake now (the base file not counted). */
  segmentCount(kind: EntityKind): number {
    return this.segments[kind].length;
  }

  /**
   * Writes what changed: a segment with the entries set since the last save, or, when the kind has a damaged
   * line or would pass COMPACT_AFTER_SEGMENTS segments, the whole kind as its base file and its segments deleted
   * (the base is written first, so a crash in between loses nothing).
   */
  async save(): Promise<void> {
    for (const kind of ['tracks', 'albums', 'artists'] as const) {
      const pending = this.pending[kind];
      const compact =
        this.damaged.has(kind) || (pending.size > 0 && this.segments[kind].length >= COMPACT_AFTER_SEGMENTS);
      if (compact) {
        await this.storage.put(
          EntityCache.key(kind),
          ndjson(this.entries[kind].values()),
          'application/x-ndjson',
        );
        for (const key of this.segments[kind]) await this.storage.delete(key);
        this.segments[kind] = [];
        this.damaged.delete(kind);
      } else if (pending.size > 0) {
        // Named by time, then a counter and a random part: two saves never share a name, and names sort by age.
        const stamp = this.clock.now().toISOString().replace(/[-:.]/g, '');
        const name = `${stamp}-${String(this.saves).padStart(6, '0')}-${Math.random().toString(36).slice(2, 8)}`;
        const key = `${EntityCache.segmentPrefix(kind)}${name}.ndjson`;
        await this.storage.put(key, ndjson(pending.values()), 'application/x-ndjson');
        this.segments[kind].push(key);
      }
      pending.clear();
    }
    this.saves++;
  }
}
