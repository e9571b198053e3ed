// The search index: songs, artists and albums of the whole lake, built from aggregate rows (search-load.ts runs the
// SQL), matched by word prefix in memory and ranked by relevance, then chart success.
import {
  albumOf,
  artistKey,
  artistOf,
  byName,
  bySuccess,
  chartDaysOf,
  songOf,
  type AlbumEntity,
  type ArtistCredit,
  type ArtistEntity,
  type ChartDays,
  type Entity,
  type EntityKind,
  type IndexRows,
  type SongEntity,
} from './search-entities.js';
import { nameKey, nameWords, words } from './search-text.js';

export * from './search-entities.js';

/** Relevance: the whole name, the name's start, words of the name, words of its artists only. */
export const TIERS = { exact: 3, namePrefix: 2, nameWords: 1, artistWords: 0 } as const;

export interface SearchHit {
  readonly entity: Entity;
  readonly tier: number;
}

/** A sorted token list and, per token, the entities that have a word starting with it (its postings). */
interface Postings {
  readonly tokens: readonly string[];
  readonly offsets: Uint32Array;
  readonly entities: Uint32Array;
}

function postingsOf(entityWords: readonly (readonly string[])[]): Postings {
  const byToken = new Map<string, number[]>();
  entityWords.forEach((ws, e) => {
    for (const w of new Set(ws)) {
      const list = byToken.get(w);
      if (list) list.push(e);
      else byToken.set(w, [e]);
    }
  });
  const tokens = [...byToken.keys()].sort();
  const offsets = new Uint32Array(tokens.length + 1);
  const entities = new Uint32Array(tokens.reduce((n, t) => n + byToken.get(t)!.length, 0));
  let at = 0;
  tokens.forEach((t, i) => {
    offsets[i] = at;
    for (const e of byToken.get(t)!) entities[at++] = e;
  });
  offsets[tokens.length] = at;
  return { tokens, offsets, entities };
}

/** The first index of `tokens` not less than `key` (binary search). */
function lowerBound(tokens: readonly string[], key: string): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SearchIndex {
  readonly songs = new Map<string, SongEntity>();
  readonly albums = new Map<string, AlbumEntity>();
  readonly charts: readonly ChartDays[];
  private readonly artists = new Map<string, ArtistEntity>();
  private readonly songsByArtist = new Map<string, SongEntity[]>();
  private readonly songsByAlbum = new Map<string, SongEntity[]>();
  private readonly entities: Entity[] = [];
  private readonly keys: string[] = [];
  /** Per entity: its name's words, then its artists' words from `nameWordCount[e]` on. */
  private readonly entityWords: string[][] = [];
  private readonly nameWordCount: number[] = [];
  private readonly postings: Postings;
  private readonly seen: Uint32Array;
  private stamp = 0;
  private artistTotal = 0;

  /** Builds the index from the aggregate rows; `version` is the lake version they were read at. */
  constructor(
    rows: IndexRows,
    readonly version = '',
  ) {
    for (const s of rows.songs.map(songOf)) this.addSong(s);
    this.addArtists(rows.artists.map(artistOf));
    for (const r of rows.albums) {
      const album = albumOf(r, this.songsByAlbum.get(String(r.album_id)) ?? []);
      this.albums.set(album.id, album);
      this.add(album, album.artists);
    }
    this.charts = chartDaysOf(rows.chartDays);
    this.postings = postingsOf(this.entityWords);
    this.seen = new Uint32Array(this.entities.length);
  }

  private addSong(song: SongEntity): void {
    this.songs.set(song.id, song);
    this.add(song, song.artists);
    for (const a of song.artists) this.push(this.songsByArtist, artistKey(a), song);
    if (song.albumId) this.push(this.songsByAlbum, song.albumId, song);
  }

  /** An artist known by name only is left out when an enriched artist has that name: one entry per artist. */
  private addArtists(artists: readonly ArtistEntity[]): void {
    const named = new Set(artists.filter((a) => a.id !== null).map((a) => byName(a.name)));
    for (const artist of [...artists].sort(bySuccess)) {
      const key = byName(artist.name);
      if (artist.id === null && named.has(key)) continue;
      if (artist.id !== null && !this.artists.has(key)) {
        this.artists.set(key, artist);
        const nameOnly = this.songsByArtist.get(key) ?? [];
        for (const s of nameOnly) this.push(this.songsByArtist, artist.id, s);
      }
      this.artists.set(artistKey(artist), artist);
      this.add(artist, []);
      this.artistTotal++;
    }
  }

  private push<T>(map: Map<string, T[]>, key: string, value: T): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  private add(entity: Entity, artists: readonly ArtistCredit[]): void {
    const own = nameWords(entity.name);
    this.entities.push(entity);
    this.keys.push(nameKey(entity.name));
    this.nameWordCount.push(own.length);
    this.entityWords.push([...own, ...artists.flatMap((a) => nameWords(a.name))]);
  }

  /** An artist by Spotify id, or by name (an enriched artist of that name answers for it too). */
  artist(ref: { readonly id: string } | { readonly name: string }): ArtistEntity | undefined {
    return this.artists.get('id' in ref ? ref.id : byName(ref.name));
  }

  songsOf(owner: ArtistEntity | AlbumEntity): readonly SongEntity[] {
    const songs =
      owner.kind === 'album' ? this.songsByAlbum.get(owner.id) : this.songsByArtist.get(artistKey(owner));
    return [...new Set(songs ?? [])].sort(bySuccess);
  }

  chart(chartId: string): ChartDays | undefined {
    return this.charts.find((c) => c.chartId === chartId);
  }

  /** Artists, each once (the map also finds an enriched artist by name). */
  get artistCount(): number {
    return this.artistTotal;
  }

  get size(): number {
    return this.entities.length;
  }

  /** Everything matching `query`: each of its words starts a word of the name (or of the artists' names). */
  search(query: string, options: { readonly kind?: EntityKind; readonly limit?: number } = {}): SearchHit[] {
    const hits = this.matches(query).filter((h) => !options.kind || h.entity.kind === options.kind);
    hits.sort((a, b) => b.tier - a.tier || bySuccess(a.entity, b.entity));
    return hits.slice(0, options.limit ?? 20);
  }

  /** Matches of every kind, unsorted. */
  matches(query: string): SearchHit[] {
    const terms = words(query);
    if (terms.length === 0) return [];
    const { tokens, offsets, entities } = this.postings;
    // Candidates come from the rarest term's postings; every other term is checked on each candidate.
    const ranges = terms.map((t) => {
      const lo = lowerBound(tokens, t);
      const hi = lowerBound(tokens, `${t}\uffff`);
      return { from: offsets[lo]!, to: offsets[hi]! };
    });
    const rarest = ranges.reduce((a, b) => (b.to - b.from < a.to - a.from ? b : a));
    const stamp = ++this.stamp;
    const key = terms.join(' ');
    const hits: SearchHit[] = [];
    for (let p = rarest.from; p < rarest.to; p++) {
      const e = entities[p]!;
      if (this.seen[e] === stamp) continue;
      this.seen[e] = stamp;
      const tier = this.tierOf(e, terms, key);
      if (tier !== undefined) hits.push({ entity: this.entities[e]!, tier });
    }
    return hits;
  }

  private tierOf(e: number, terms: readonly string[], key: string): number | undefined {
    const all = this.entityWords[e]!;
    const own = this.nameWordCount[e]!;
    let inName = true;
    for (const term of terms) {
      const at = all.findIndex((w) => w.startsWith(term));
      if (at < 0) return undefined;
      if (at >= own) inName = false;
    }
    const name = this.keys[e]!;
    if (name === key) return TIERS.exact;
    if (name.startsWith(key)) return TIERS.namePrefix;
    return inName ? TIERS.nameWords : TIERS.artistWords;
  }
}
