// The search index on hand-made aggregate rows: how text is compared (accents, case, punctuation), how matches are
// ranked (exact name, name prefix, word prefix, artists' words; then peak, days, streams), and the index's lookups.
import { SearchIndex, TIERS, type IndexRows } from '#functions/explorer/search.js';
import { fold, nameKey, nameWords, words } from '#functions/explorer/search-text.js';

const song = (id: string, name: string, artists: string[], peak: number, days = 1, streams = 100) => ({
  song_id: id,
  name,
  artist_names: artists,
  artist_ids: [],
  album_id: null,
  url: null,
  peak,
  days,
  streams,
  first_date: '2024-02-05',
  latest_date: '2024-02-06',
});
const artist = (id: string | null, name: string, peak: number, days = 1) => ({
  artist_id: id,
  name,
  songs: 1,
  days,
  peak,
  streams: 100,
  first_date: '2024-02-05',
  latest_date: '2024-02-06',
});
const index = (rows: Partial<IndexRows>) =>
  new SearchIndex({ songs: [], artists: [], albums: [], chartDays: [], ...rows });
const names = (ix: SearchIndex, q: string) => ix.search(q).map((h) => h.entity.name);

describe('text as search compares it', () => {
  it.each([
    ['Beyoncé', 'beyonce'],
    ['BEYONCÉ', 'beyonce'],
    ['Tiësto', 'tiesto'],
    ['Sigur Rós', 'sigur ros'],
    ['Røyksopp', 'royksopp'],
    ['Straße', 'strasse'],
    ['Łódź', 'lodz'],
    ['Ｆｕｌｌ ｗｉｄｔｈ', 'full width'],
  ])('folds %s to %s', (text, folded) => {
    expect(fold(text)).toBe(folded);
  });

  it('splits at punctuation and spaces, joins a word over its apostrophe', () => {
    expect(words("TEXAS HOLD 'EM")).toEqual(['texas', 'hold', 'em']);
    expect(words('Don’t Blame Me')).toEqual(['dont', 'blame', 'me']);
    expect(words('Can’t Catch Me Now - from The Hunger Games')).toEqual([
      'cant',
      'catch',
      'me',
      'now',
      'from',
      'the',
      'hunger',
      'games',
    ]);
    expect(words('¥$')).toEqual([]);
    expect(nameKey('Beyoncé!')).toBe('beyonce');
  });

  it('also indexes a name of several words run together, so acdc finds AC/DC', () => {
    expect(nameWords('AC/DC')).toEqual(['ac', 'dc', 'acdc']);
    expect(nameWords('Prada')).toEqual(['prada']);
  });
});

describe('matching and ranking', () => {
  const ix = index({
    songs: [
      song('s1', 'Love Story', ['Taylor Swift'], 15, 13),
      song('s2', 'Lovers Rock', ['TV Girl'], 40, 13),
      song('s3', 'Crazy in Love', ['Beyoncé'], 3, 2),
      song('s4', 'Love', ['Kendrick Lamar'], 90, 1),
      song('s5', 'Halo', ['Beyoncé'], 20, 5),
      song('s6', 'Halo', ['Beyoncé'], 20, 9),
      song('s7', 'Back in Black', ['AC/DC'], 100, 1),
    ],
    artists: [artist(null, 'Beyoncé', 3, 7), artist(null, 'Taylor Swift', 1, 13)],
  });

  it('ranks the exact name, then names that start with the query, then word prefixes, then artists only', () => {
    expect(names(ix, 'love')).toEqual(['Love', 'Love Story', 'Lovers Rock', 'Crazy in Love']);
    expect(ix.search('love').map((h) => h.tier)).toEqual([
      TIERS.exact,
      TIERS.namePrefix,
      TIERS.namePrefix,
      TIERS.nameWords,
    ]);
    expect(names(ix, 'beyonce')).toEqual(['Beyoncé', 'Crazy in Love', 'Halo', 'Halo']);
    expect(ix.search('beyonce').at(-1)?.tier).toBe(TIERS.artistWords);
  });

  it('orders equal relevance by best peak, then days, then streams', () => {
    expect(ix.search('halo').map((h) => h.entity.id)).toEqual(['s6', 's5']);
    expect(names(ix, 'lo')).toEqual(['Love Story', 'Lovers Rock', 'Love', 'Crazy in Love']);
  });

  it('needs every word of the query to start a word of the name or of its artists', () => {
    expect(names(ix, 'love tay')).toEqual(['Love Story']);
    expect(names(ix, 'story love')).toEqual(['Love Story']);
    expect(names(ix, 'love zzz')).toEqual([]);
    expect(names(ix, 'ove')).toEqual([]);
    expect(names(ix, '   ')).toEqual([]);
    expect(names(ix, 'acdc')).toEqual(['Back in Black']);
  });

  it('filters by kind and limits the answer', () => {
    expect(ix.search('beyonce', { kind: 'artist' }).map((h) => h.entity.kind)).toEqual(['artist']);
    expect(ix.search('l', { limit: 2 })).toHaveLength(2);
  });

  it('answers a search in well under a millisecond per thousand entities', () => {
    const many = index({
      songs: Array.from({ length: 20_000 }, (_, i) =>
        song(`x${i}`, `Song ${i} Love ${i % 7}`, ['A'], (i % 200) + 1),
      ),
    });
    const started = performance.now();
    for (let i = 0; i < 20; i++) many.search('s');
    expect((performance.now() - started) / 20).toBeLessThan(50);
  });
});

describe('lookups', () => {
  it('keeps one artist per name: an enriched artist answers for the same name known by name only', () => {
    const ix = index({
      songs: [
        { ...song('s1', 'One', ['Nova'], 5), artist_ids: ['4Eo1ySVoNBjKYimF00005f'] },
        song('s2', 'Two', ['Nova'], 9),
      ],
      artists: [artist('4Eo1ySVoNBjKYimF00005f', 'Nova', 5), artist(null, 'Nova', 9)],
    });
    expect(ix.search('nova', { kind: 'artist' })).toHaveLength(1);
    const nova = ix.artist({ name: 'NOVA' });
    expect(nova?.id).toBe('4Eo1ySVoNBjKYimF00005f');
    expect(ix.songsOf(nova!).map((s) => s.id)).toEqual(['s1', 's2']);
    expect(ix.artistCount).toBe(1);
  });

  it("sorts each chart's days and keeps their streams", () => {
    const ix = index({
      chartDays: [
        {
          chart_id: 'regional-au-daily',
          region: 'au',
          snapshot_date: '2024-02-06',
          entries: 200,
          streams: 5,
        },
        {
          chart_id: 'regional-au-daily',
          region: 'au',
          snapshot_date: '2024-02-05',
          entries: 200,
          streams: 7,
        },
      ],
    });
    expect(ix.chart('regional-au-daily')).toEqual({
      chartId: 'regional-au-daily',
      region: 'au',
      dates: ['2024-02-05', '2024-02-06'],
      entries: [200, 200],
      streams: [7, 5],
    });
  });
});
