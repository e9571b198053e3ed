// The lake as the local explorer reads it: a confined DuckDB (reads the lake folder only) for the app's queries,
// reopened when the lake's tables change, and a version token from the partition folders' listing.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TABLES, TRANSFORMED } from '#functions/core/lake.js';
import type { ExplorerLake, SandboxedResult, SandboxLimits } from '#functions/explorer/ports.js';
import { systemClock, type Clock } from '#functions/ports.js';
import { LakeQueryEngine } from './duckdb-query.js';
import { LakeCache } from './lake-cache.js';

/** The listing behind version() is reused this long: a burst of requests lists the folders once. */
const VERSION_TTL_MS = 5_000;

/** Files and the newest change under each table's partitions: changes when the transformer writes or supersedes. */
export async function lakeVersion(lakeRoot: string): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const dir = resolve(lakeRoot, ...TRANSFORMED.split('/').filter(Boolean), table);
    const days = await readdir(dir).catch(() => [] as string[]);
    let files = 0;
    let newest = 0;
    for (const day of days) {
      const info = await stat(join(dir, day)).catch(() => undefined);
      if (!info?.isDirectory()) continue;
      newest = Math.max(newest, info.mtimeMs);
      files += (await readdir(join(dir, day)).catch(() => [])).length;
    }
    parts.push(`${table}:${days.length}:${files}:${Math.floor(newest)}`);
  }
  return parts.join('|');
}

export class LocalExplorerLake implements ExplorerLake {
  private engine: Promise<LakeQueryEngine> | undefined;
  private engineVersion = '';
  private listed: { at: number; version: Promise<string> } | undefined;
  private cache: Promise<LakeCache> | undefined;

  constructor(
    readonly lakeRoot: string,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The lake's files as they are now (listed at most every VERSION_TTL_MS). */
  private async filesVersion(): Promise<string> {
    const now = this.clock.now().getTime();
    if (!this.listed || now - this.listed.at >= VERSION_TTL_MS) {
      this.listed = { at: now, version: lakeVersion(this.lakeRoot) };
    }
    return this.listed.version;
  }

  private async readyCache(wait = false): Promise<LakeCache> {
    this.cache ??= LakeCache.open(this.lakeRoot);
    const cache = await this.cache;
    await cache.ensure(await this.filesVersion(), { wait });
    return cache;
  }

  /**
   * The version of what query() answers from: the copy's. A changed lake rebuilds the copy first (the search
   * index asks in the background), so the index then rebuilds from the new copy; pages meanwhile read the old one.
   */
  async version(): Promise<string> {
    return (await this.readyCache(true)).version;
  }

  /** The engine for the lake as it is now (views are fixed at open, so a changed lake gets a new one). */
  protected async current(): Promise<LakeQueryEngine> {
    const version = await this.filesVersion();
    if (!this.engine || version !== this.engineVersion) {
      const previous = this.engine;
      this.engineVersion = version;
      this.engine = LakeQueryEngine.open(this.lakeRoot, { confined: true });
      void previous?.then((e) => e.close()).catch(() => undefined);
    }
    return this.engine;
  }

  /** The app's own queries read the explorer's copy of the tables (lake-cache.ts), brought to the lake's version. */
  async query(sql: string): Promise<{ readonly rows: readonly Record<string, unknown>[] }> {
    return (await this.readyCache()).query(sql);
  }

  async sandboxed(sql: string, limits: SandboxLimits): Promise<SandboxedResult> {
    return (await this.current()).sandboxed(sql, limits);
  }

  async close(): Promise<void> {
    (await this.engine)?.close();
    await (await this.cache)?.close();
  }
}
