// The entity cache: Spotify tracks, albums and artists already fetched, kept in the lake across runs,
// so a daily run asks the Web API only for what is new (a few to a few dozen tracks on real charts).
import type { Clock, Storage } from '../ports.js';
import { CACHE } from './lake.js';

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

export class EntityCache {
  private readonly entries: Record<EntityKind, Map<string, Entry>> = {
    tracks: new Map(),
    albums: new Map(),
    artists: new Map(),
  };
  private readonly dirty = new Set<EntityKind>();
  private hits = 0;
  private misses = 0;
  private stored = 0;

  private constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly ttlDays: number,
  ) {}

  static key(kind: EntityKind): string {
    return `${CACHE}${kind}.ndjson`;
  }

  /** Reads the cache from the lake; a damaged line is skipped (it is only a cache: the entity is fetched again). */
  static async load(storage: Storage, clock: Clock, ttlDays: number): Promise<EntityCache> {
    const cache = new EntityCache(storage, clock, ttlDays);
    for (const kind of ['tracks', 'albums', 'artists'] as const) {
      const body = await storage.get(EntityCache.key(kind));
      if (!body) continue;
      for (const line of Buffer.from(body).toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const entry = JSON.parse(line) as Entry;
          if (typeof entry.id === 'string') cache.entries[kind].set(entry.id, entry);
        } catch {
          cache.dirty.add(kind); // rewrite without the damaged line
        }
      }
    }
    return cache;
  }

  /**
   * The cached object when present and younger than the TTL; `null` when Spotify answered 404 for it recently
   * (a removed track is not asked for again every day); undefined when it must be fetched. Counts a hit or a miss.
   */
  get<T>(kind: EntityKind, id: string): T | null | undefined {
    const entry = this.entries[kind].get(id);
    const ttlDays = entry?.object === null ? Math.min(this.ttlDays, MISSING_TTL_DAYS) : this.ttlDays;
    const fresh =
      entry !== undefined && this.clock.now().getTime() - Date.parse(entry.fetched_at) < ttlDays * 86_400_000;
    if (fresh) {
      this.hits++;
      return entry.object as T | null;
    }
    this.misses++;
    return undefined;
  }

  /** `object` null records a 404. */
  set(kind: EntityKind, id: string, object: unknown): void {
    this.entries[kind].set(id, { id, fetched_at: this.clock.now().toISOString(), object });
    this.dirty.add(kind);
    this.stored++;
  }

  size(kind: EntityKind): number {
    return this.entries[kind].size;
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, stored: this.stored };
  }

  /** Writes back the kinds that changed. */
  async save(): Promise<void> {
    for (const kind of this.dirty) {
      const lines = [...this.entries[kind].values()].map((e) => JSON.stringify(e));
      await this.storage.put(EntityCache.key(kind), lines.join('\n') + '\n', 'application/x-ndjson');
    }
    this.dirty.clear();
  }
}
