// Chart entries: the ordered rows of one chart on one chart date, whatever source they came from.
import type { SpotifyTrack } from './spotify-types.js';

export type SourceKind = 'charts-csv' | 'playlist' | 'demo';

export interface ChartEntry {
  readonly position: number;
  /** Spotify track id; null for local files and rows without a usable uri. */
  readonly trackId: string | null;
  readonly uri: string;
  readonly trackName: string;
  readonly artistNames: readonly string[];
  readonly streams: number | null;
  readonly peakRank: number | null;
  /** null for a new entry or re-entry (the CSV says -1). */
  readonly previousRank: number | null;
  readonly daysOnChart: number | null;
  readonly weeksOnChart: number | null;
  readonly addedAt: string | null;
  /** Playlist sources already hold the track object; CSV sources leave it to enrichment. */
  readonly track?: SpotifyTrack | null;
}

/** A row of the source that could not become a chart entry, kept with its reason. */
export interface ChartProblem {
  readonly line: number;
  readonly reason: string;
  readonly text: string;
}

export interface Chart {
  readonly kind: SourceKind;
  /** regional-global-daily, regional-au-weekly, playlist:<id> … */
  readonly chartId: string;
  readonly region: string | null;
  readonly date: string;
  readonly entries: readonly ChartEntry[];
  readonly problems: readonly ChartProblem[];
  /** Where the chart came from, for messages (a file name, a playlist id). */
  readonly origin: string;
}

/** How often a chart is published, in days: a weekly chart every 7th day, every other chart daily. */
export const cadenceDays = (chartId: string): number => (chartId.endsWith('-weekly') ? 7 : 1);

export const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/;

/** `spotify:track:<id>` or `https://open.spotify.com/track/<id>` → id; anything else → null. */
export function trackIdFromUri(uri: string): string | null {
  const m =
    /^spotify:track:([0-9A-Za-z]{22})$/.exec(uri) ??
    /open\.spotify\.com\/(?:intl-[a-z-]+\/)?track\/([0-9A-Za-z]{22})/.exec(uri);
  return m?.[1] ?? null;
}
