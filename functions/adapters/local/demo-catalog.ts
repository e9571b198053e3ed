// The offline demo: a deterministic, realistic daily global chart of fictional songs and the Spotify
// catalog behind it (tracks, albums, artists), served to the real client by the local Spotify-API server.
import type { SpotifyAlbum, SpotifyArtist, SpotifyTrack } from '#functions/core/spotify-types.js';
import { addDays, daysFrom } from '#functions/core/dates.js';
import words from './demo-words.json' with { type: 'json' };

const EPOCH = '2020-01-01';
const DEBUTS_PER_DAY = 8;
const WINDOW_DAYS = 300; // tracks older than this have left any chart
const ARTISTS = 1500;
const CHART_SIZE = 200;
/** Fixed position of the local-file entry, a case real playlists have and the pipeline must carry. */
export const DEMO_LOCAL_FILE_POSITION = 137;

/** 32-bit mix of a few integers: the demo's only source of "randomness". */
function hash(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p & 0xffff), 0x01000193);
    h = Math.imul(h ^ (p >>> 16), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}
const unit = (...parts: number[]): number => hash(...parts) / 0x100000000;
const pick = <T>(list: readonly T[], ...parts: number[]): T => list[hash(...parts) % list.length] as T;

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(n: number, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = B62[n % 62] + s;
    n = Math.floor(n / 62);
  }
  return s;
}
const KIND_SALT = { track: 1, album: 2, artist: 3 } as const;
type Kind = keyof typeof KIND_SALT;
/** 22 base62 characters like a real Spotify id; the last 6 encode the index so the server can answer any id. */
export function demoId(kind: Kind, index: number): string {
  const salt = KIND_SALT[kind];
  return (
    base62(hash(salt, index, 1), 6) +
    base62(hash(salt, index, 2), 5) +
    base62(hash(salt, index, 3), 5) +
    base62(index, 6)
  );
}
export function demoIndex(kind: Kind, id: string): number | undefined {
  if (!/^[0-9A-Za-z]{22}$/.test(id)) return undefined;
  let index = 0;
  for (const c of id.slice(16)) index = index * 62 + B62.indexOf(c);
  return demoId(kind, index) === id ? index : undefined;
}

// The words the demo's names are made of, kept as data; ids do not depend on them, every name does.
const {
  firstNames: FIRST,
  lastNames: LAST,
  bands: BANDS,
  bandSuffixes: BAND_SUFFIXES,
  titleFirstWords: WORDS_A,
  titleSecondWords: WORDS_B,
  genres: GENRES,
  labels: LABELS,
} = words;

function artistName(a: number): string {
  if (unit(a, 11) < 0.12)
    return pick(BANDS, a, 12) + (a >= BANDS.length ? ` ${pick(BAND_SUFFIXES, a, 13)}` : '');
  if (unit(a, 14) < 0.2) return `${pick(FIRST, a, 15).toUpperCase()}${a % 7 === 0 ? '$' : ''}`;
  return `${pick(FIRST, a, 15)} ${pick(LAST, a, 16)}`;
}

function songName(k: number): string {
  const base = `${pick(WORDS_A, k, 21)} ${pick(WORDS_B, k, 22)}`;
  const r = unit(k, 23);
  if (r < 0.08) return `${base} (Remix)`;
  if (r < 0.14) return `${base} - Sped Up`;
  if (r < 0.2) return pick(WORDS_B, k, 24).toUpperCase();
  return base;
}

const dayNumber = (date: string): number => daysFrom(EPOCH, date);
const dateOf = (day: number): string => addDays(EPOCH, day);

/** Album b: 1–3 pool tracks of one primary artist; popular artists (low index) have more albums. */
function albumArtist(b: number): number {
  return Math.floor(ARTISTS * unit(b, 31) ** 2.2);
}
const albumOf = (k: number): number => Math.floor(k / 2);
function trackArtists(k: number): number[] {
  const primary = albumArtist(albumOf(k));
  const r = unit(k, 41);
  if (r < 0.22) {
    const feat = Math.floor(ARTISTS * unit(k, 42) ** 1.6);
    if (feat === primary) return [primary];
    // A few three-way collaborations, as real charts have.
    if (r < 0.04)
      return [primary, feat, Math.floor(ARTISTS * unit(k, 43))].filter((v, i, a) => a.indexOf(v) === i);
    return [primary, feat];
  }
  return [primary];
}

interface Curve {
  readonly peak: number;
  readonly tau: number;
  /** Age of a revival (a viral moment or a film sync brings a song back: re-entries), or -1. */
  readonly revivalAt: number;
}
const curves = new Map<number, Curve>();
function curveOf(k: number): Curve {
  let c = curves.get(k);
  if (!c) {
    c = {
      peak: 220_000 * Math.exp(3.1 * unit(k, 51) ** 4),
      tau: 4 + 160 * unit(k, 52) ** 2.5,
      revivalAt: unit(k, 53) < 0.12 ? 20 + Math.floor(200 * unit(k, 54)) : -1,
    };
    curves.set(k, c);
  }
  return c;
}

/** Streams of pool track k on day d: a debut peak, decay over weeks or months, noise, some revivals. */
function streamsOn(k: number, day: number, salt = 0): number {
  const debut = Math.floor(k / DEBUTS_PER_DAY);
  const age = day - debut;
  if (age < 0 || age > WINDOW_DAYS) return 0;
  const curve = curveOf(k);
  const { tau, revivalAt } = curve;
  // A regional chart shares the track pool but not the tastes: each region weighs each song differently.
  const peak = salt === 0 ? curve.peak : curve.peak * Math.exp(2.2 * (unit(k, salt, 57) - 0.5));
  const ramp = age < 3 ? 0.6 + 0.2 * age : 1;
  let s = peak * ramp * Math.exp(-age / tau);
  if (revivalAt >= 0 && age >= revivalAt) s += peak * 0.5 * Math.exp(-(age - revivalAt) / 12);
  return Math.round(s * (0.93 + 0.14 * unit(k, day, 55 + salt)));
}

export interface DemoChartRow {
  readonly position: number;
  readonly uri: string;
  readonly trackName: string;
  readonly artistNames: readonly string[];
  readonly label: string;
  readonly streams: number;
  readonly peakRank: number;
  readonly previousRank: number | null;
  readonly daysOnChart: number;
}

/** Published position of natural rank i (0-based): the songs from the local file's position down move one lower. */
const published = (i: number): number => (i + 1 < DEMO_LOCAL_FILE_POSITION ? i + 1 : i + 2);

/** Published charts a catalog keeps in memory. */
const PUBLISHED_KEPT = 8;

export class DemoCatalog {
  /** 0 for the global chart; regional charts (`us`, `au`…) reorder the same songs. */
  private readonly salt: number;

  constructor(readonly region = 'global') {
    this.salt = region === 'global' ? 0 : hash(...[...region].map((c) => c.charCodeAt(0))) % 100_000;
  }

  private readonly charts = new Map<number, readonly number[]>();
  private readonly ranks = new Map<number, ReadonlyMap<number, number>>();
  /** The last PUBLISHED_KEPT charts asked for: a chart is asked for several times in a run, not over years. */
  private readonly published = new Map<string, DemoChartRow[]>();

  /** Pool track → rank (0-based) on the chart of `day`. */
  private rankOf(day: number): ReadonlyMap<number, number> {
    let map = this.ranks.get(day);
    if (!map) {
      map = new Map(this.ranking(day).map((k, i) => [k, i]));
      this.ranks.set(day, map);
    }
    return map;
  }

  /** The pool tracks on the chart of `day`, best first. */
  private ranking(day: number): readonly number[] {
    const cached = this.charts.get(day);
    if (cached) return cached;
    const from = Math.max(0, (day - WINDOW_DAYS) * DEBUTS_PER_DAY);
    const to = (day + 1) * DEBUTS_PER_DAY;
    const scored: [number, number][] = [];
    for (let k = from; k < to; k++) scored.push([k, streamsOn(k, day, this.salt)]);
    scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const top = scored.slice(0, CHART_SIZE - 1).map(([k]) => k); // the local file takes the 200th place
    this.charts.set(day, top);
    return top;
  }

  /** Days on chart and peak of every track charted so far, as of `cursor` (a forward pass over the days). */
  private history = new Map<number, { days: number; peak: number }>();
  private cursor = -1;

  /**
   * Stats as of `day`. Charts are mostly asked for in date order (a run, a backfill), so one forward pass serves
   * them all; asking for an earlier day starts a new pass WINDOW_DAYS back (no song charts longer than that).
   */
  private historyAt(day: number): ReadonlyMap<number, { readonly days: number; readonly peak: number }> {
    if (day <= this.cursor || this.cursor < day - WINDOW_DAYS - 1) {
      this.history = new Map();
      this.cursor = Math.max(0, day - WINDOW_DAYS - 1);
    }
    for (let d = this.cursor + 1; d <= day; d++) {
      this.ranking(d).forEach((k, i) => {
        const h = this.history.get(k);
        if (h) {
          h.days++;
          h.peak = Math.min(h.peak, published(i));
        } else this.history.set(k, { days: 1, peak: published(i) });
      });
      this.charts.delete(d - 2); // rankings older than yesterday are not needed again in a forward pass
      this.ranks.delete(d - 2);
    }
    this.cursor = day;
    return this.history;
  }

  /** The chart of a date as charts.spotify.com would publish it. */
  chart(date: string): DemoChartRow[] {
    const cached = this.published.get(date);
    if (cached) return cached;
    const rows = this.computeChart(date);
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

  private computeChart(date: string): DemoChartRow[] {
    const day = dayNumber(date);
    if (day < 1) throw new Error(`the demo chart starts on ${dateOf(1)}`);
    const history = this.historyAt(day);
    const rows: DemoChartRow[] = this.ranking(day).map((k, i) => {
      const position = published(i);
      const { days, peak } = history.get(k) ?? { days: 1, peak: position };
      const prev = this.rankOf(day - 1).get(k);
      const t = this.track(k);
      return {
        position,
        uri: `spotify:track:${demoId('track', k)}`,
        trackName: t.name,
        artistNames: t.artists?.map((a) => a.name) ?? [],
        label: pick(LABELS, albumOf(k), 61),
        streams: streamsOn(k, day, this.salt),
        peakRank: peak,
        previousRank: prev === undefined ? null : published(prev),
        daysOnChart: days,
      };
    });
    // A local file, as a user's playlist can hold: no Spotify id, so no enrichment. It sits at the same position
    // every day and pushes the songs below it down one, so previous_rank stays consistent from day to day.
    const above = rows[DEMO_LOCAL_FILE_POSITION - 2]?.streams ?? 0;
    const below = rows[DEMO_LOCAL_FILE_POSITION - 1]?.streams ?? 0;
    rows.splice(DEMO_LOCAL_FILE_POSITION - 1, 0, {
      position: DEMO_LOCAL_FILE_POSITION,
      uri: 'spotify:local:Garage+Tapes:Basement+Sessions:Demo+Song+%231:184',
      trackName: 'Demo Song #1',
      artistNames: ['Garage Tapes'],
      label: 'self-released',
      streams: Math.round((above + below) / 2),
      peakRank: DEMO_LOCAL_FILE_POSITION,
      previousRank: day > 1 ? DEMO_LOCAL_FILE_POSITION : null,
      daysOnChart: day,
    });
    return rows;
  }

  /** The chart as a charts.spotify.com CSV (BOM, quoted fields, -1 for new entries). */
  chartCsv(date: string): string {
    const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
    const lines = [
      '\uFEFFrank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams',
    ];
    for (const r of this.chart(date)) {
      lines.push(
        [
          r.position,
          q(r.uri),
          q(r.artistNames.join(', ')),
          q(r.trackName),
          q(r.label),
          r.peakRank,
          r.previousRank ?? -1,
          r.daysOnChart,
          q(String(r.streams)),
        ].join(','),
      );
    }
    return lines.join('\n') + '\n';
  }

  /** A track that Spotify no longer has: GET /tracks/{id} answers 404 (about 1 in 40). */
  isRemoved(k: number): boolean {
    return hash(k, 71) % 40 === 0;
  }

  artist(a: number, full = false): SpotifyArtist {
    const id = demoId('artist', a);
    const simplified: SpotifyArtist = {
      external_urls: { spotify: `https://open.spotify.com/artist/${id}` },
      href: `https://api.spotify.com/v1/artists/${id}`,
      id,
      name: artistName(a),
      type: 'artist',
      uri: `spotify:artist:${id}`,
    };
    if (!full) return simplified;
    return {
      ...simplified,
      images: [{ url: `https://i.scdn.co/image/demo-artist-${id}`, height: 640, width: 640 }],
      // Extended-quota fields: the server strips them for development-mode apps.
      followers: { total: Math.round(5_000_000 * unit(a, 81) ** 3 * (1 - a / ARTISTS)) },
      genres:
        unit(a, 82) < 0.15
          ? []
          : [pick(GENRES, a, 83), pick(GENRES, a, 84)].filter((g, i, l) => l.indexOf(g) === i),
      popularity: Math.max(1, Math.round(90 * (1 - a / ARTISTS) + 9 * unit(a, 85))),
    };
  }

  album(b: number, full = false): SpotifyAlbum {
    const id = demoId('album', b);
    const firstTrack = b * 2;
    const release = dateOf(Math.floor(firstTrack / DEBUTS_PER_DAY));
    const total = unit(b, 91) < 0.55 ? 1 + (hash(b, 92) % 3) : 8 + (hash(b, 93) % 14);
    const precision = unit(b, 94) < 0.05 ? 'year' : unit(b, 95) < 0.05 ? 'month' : 'day';
    const noImages = unit(b, 96) < 0.03;
    const simplified: SpotifyAlbum = {
      album_type: total <= 3 ? 'single' : unit(b, 97) < 0.1 ? 'compilation' : 'album',
      artists: [this.artist(albumArtist(b))],
      external_urls: { spotify: `https://open.spotify.com/album/${id}` },
      href: `https://api.spotify.com/v1/albums/${id}`,
      id,
      images: noImages
        ? []
        : [640, 300, 64].map((size) => ({
            url: `https://i.scdn.co/image/demo-${size}-${id}`,
            height: size,
            width: size,
          })),
      name: total <= 3 ? songName(firstTrack) : `${pick(WORDS_A, b, 98)} ${pick(WORDS_B, b, 99)}`,
      release_date:
        precision === 'year' ? release.slice(0, 4) : precision === 'month' ? release.slice(0, 7) : release,
      release_date_precision: precision,
      total_tracks: total,
      type: 'album',
      uri: `spotify:album:${id}`,
    };
    if (!full) return simplified;
    return {
      ...simplified,
      label: pick(LABELS, b, 61),
      genres: [],
      popularity: Math.round(100 * unit(b, 100)),
    };
  }

  track(k: number, full = false): SpotifyTrack {
    const id = demoId('track', k);
    const t: SpotifyTrack = {
      album: this.album(albumOf(k)),
      artists: trackArtists(k).map((a) => this.artist(a)),
      duration_ms: 120_000 + (hash(k, 101) % 150_000),
      explicit: unit(k, 102) < 0.3,
      external_urls: { spotify: `https://open.spotify.com/track/${id}` },
      href: `https://api.spotify.com/v1/tracks/${id}`,
      id,
      is_local: false,
      name: songName(k),
      track_number: 1 + (k % 2),
      type: 'track',
      uri: `spotify:track:${id}`,
    };
    return full
      ? {
          ...t,
          popularity: Math.max(
            0,
            Math.min(100, Math.round(Math.log10(streamsOn(k, Math.floor(k / DEBUTS_PER_DAY) + 3) + 1) * 15)),
          ),
        }
      : t;
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
