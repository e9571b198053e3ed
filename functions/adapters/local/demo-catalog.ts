// The offline demo: a deterministic, realistic daily global chart of fictional songs and the Spotify
// catalog behind it (tracks, albums, artists), served to the real client by the local Spotify-API server.
import type { SpotifyAlbum, SpotifyArtist, SpotifyTrack } from '#functions/core/spotify-types.js';
import { chartCsvOf, DemoRanking, type DemoChartRow } from './demo-chart.js';
import { demoIndex, hash } from './demo-ids.js';
import { ARTISTS, demoAlbum, demoArtist, demoTrack, isRemoved } from './demo-objects.js';
import { dayNumber } from './demo-streams.js';

// The demo's public API stays here; its parts live in demo-ids, demo-names, demo-streams, demo-objects, demo-chart.
export { DEMO_LOCAL_FILE_POSITION, type DemoChartRow } from './demo-chart.js';
export { demoId, demoIndex } from './demo-ids.js';

/** Published charts a catalog keeps in memory. */
const PUBLISHED_KEPT = 8;

export class DemoCatalog {
  private readonly ranking: DemoRanking;
  /** The last PUBLISHED_KEPT charts asked for: a chart is asked for several times in a run, not over years. */
  private readonly published = new Map<string, DemoChartRow[]>();

  /** `region` is 'global' for the global chart; regional charts (`us`, `au`…) reorder the same songs. */
  constructor(readonly region = 'global') {
    const salt = region === 'global' ? 0 : hash(...[...region].map((c) => c.charCodeAt(0))) % 100_000;
    this.ranking = new DemoRanking(salt);
  }

  /** The chart of a date as charts.spotify.com would publish it. */
  chart(date: string): DemoChartRow[] {
    const cached = this.published.get(date);
    if (cached) return cached;
    const rows = this.ranking.chartRows(dayNumber(date));
    this.published.set(date, rows);
    // Bounded, so that generating years of charts does not keep them all (a chart asked for again is recomputed).
    if (this.published.size > PUBLISHED_KEPT)
      this.published.delete(this.published.keys().next().value as string);
    return rows;
  }

  /** How many published charts are held in memory (at most PUBLISHED_KEPT). */
  get chartsHeld(): number {
    return this.published.size;
  }

  /** The chart as a charts.spotify.com CSV (BOM, quoted fields, -1 for new entries). */
  chartCsv(date: string): string {
    return chartCsvOf(this.chart(date));
  }

  /** A track that Spotify no longer has: GET /tracks/{id} answers 404 (about 1 in 40). */
  isRemoved(k: number): boolean {
    return isRemoved(k);
  }

  artist(a: number, full = false): SpotifyArtist {
    return demoArtist(a, full);
  }

  album(b: number, full = false): SpotifyAlbum {
    return demoAlbum(b, full);
  }

  track(k: number, full = false): SpotifyTrack {
    return demoTrack(k, full);
  }

  /** Lookups by id for the local server; undefined = 404. */
  findTrack(id: string, full: boolean): SpotifyTrack | undefined {
    const k = demoIndex('track', id);
    return k === undefined || this.isRemoved(k) ? undefined : this.track(k, full);
  }
  findAlbum(id: string, full: boolean): SpotifyAlbum | undefined {
    const b = demoIndex('album', id);
    return b === undefined ? undefined : this.album(b, full);
  }
  findArtist(id: string, full: boolean): SpotifyArtist | undefined {
    const a = demoIndex('artist', id);
    return a === undefined || a >= ARTISTS ? undefined : this.artist(a, full);
  }
}
