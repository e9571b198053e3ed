// Rank history and its rendering: series with gaps, the terminal plot (rank 1 on top) and the SVG file.
import { sqlString } from '#functions/core/sql.js';
import {
  buildRankHistory,
  daysBetween,
  segmentsOf,
  type RankEntry,
  type RankHistory,
} from '#functions/core/rank-history.js';
import { chartCommand } from '#functions/cli/chart-search.js';
import { axisMaxRank, rankTicks } from '#functions/cli/plot-axes.js';
import { renderSvg } from '#functions/cli/plot-svg.js';
import { MARKERS, renderTerminalPlot } from '#functions/cli/plot-terminal.js';
import type { QueryEngine as QueryPort } from '#functions/ports.js';
import { forTerminal, forXml } from '#functions/cli/sanitize.js';
import { EtlError } from '#functions/errors.js';

const DATES = ['2026-11-21', '2026-11-22', '2026-11-23'];

/** Entries of one song from its ranks per day of DATES (null: off the chart that day). */
const entriesOf = (song: string, artists: string[], ranks: (number | null)[]): RankEntry[] =>
  ranks.flatMap((position, i) =>
    position === null ? [] : [{ snapshot_date: DATES[i]!, position, song_name: song, artists }],
  );

const history = (...songs: [string, (number | null)[]][]): RankHistory =>
  buildRankHistory(
    songs.flatMap(([name, ranks]) => entriesOf(name, ['Artist'], ranks)),
    { from: DATES[0]!, to: DATES.at(-1)! },
  );

/** The plot area of a terminal plot: the text right of the y axis, one string per row, top row first. */
function plotRows(text: string, width: number): string[] {
  return text
    .split('\n')
    .filter((l) => /^\s*\d*\s[┤│]/.test(l))
    .map((l) => l.slice(l.search(/[┤│]/) + 1).padEnd(width));
}

/** Every tag opened is closed, in order (a well-formedness check without an XML parser). */
function tagsBalance(svg: string): boolean {
  const stack: string[] = [];
  const body = svg.replace(/^<\?xml[^>]*\?>/, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  // No stray angle brackets outside tags (text must be escaped).
  const text = body.replace(/<[^>]*>/g, '');
  return stack.length === 0 && !/[<>]/.test(text);
}

describe('buildRankHistory', () => {
  it('makes one series per song over every day of the range, null where the song was off the chart', () => {
    const h = buildRankHistory(
      [
        ...entriesOf('Stick Season', ['Noah Kahan'], [1, 1, 2]),
        ...entriesOf('Forever', ['Noah Kahan'], [null, 55, null]),
      ],
      { from: '2026-11-20', to: '2026-11-23' },
    );
    expect(h.dates).toEqual(['2026-11-20', ...DATES]);
    expect(h.series.map((s) => [s.label, s.ranks])).toEqual([
      ['Stick Season — Noah Kahan', [null, 1, 1, 2]],
      ['Forever — Noah Kahan', [null, null, 55, null]],
    ]);
    expect(h.series[0]).toMatchObject({ peak: 1, peakDate: '2026-11-21', daysOnChart: 3 });
    expect(h.series[1]).toMatchObject({ peak: 55, peakDate: '2026-11-22', daysOnChart: 1 });
  });

  it('orders songs by best peak and keeps the best maxSongs; the range defaults to the entries’ days', () => {
    const entries = [30, 10, 20, 40].flatMap((p, i) => entriesOf(`Song ${i}`, ['A'], [null, p, p + 1]));
    const h = buildRankHistory(entries, { maxSongs: 2 });
    expect(h.dates).toEqual(DATES.slice(1));
    expect(h.series.map((s) => s.song)).toEqual(['Song 1', 'Song 2']);
  });

  it('tells one song from another by name and artists, and keeps the better of two entries on one day', () => {
    const h = buildRankHistory([
      { snapshot_date: DATES[0]!, position: 7, song_name: 'Home', artists: 'A' },
      { snapshot_date: DATES[0]!, position: 3, song_name: 'Home', artists: ['A'] },
      { snapshot_date: DATES[0]!, position: 5, song_name: 'Home', artists: ['B'] },
    ]);
    expect(h.series.map((s) => [s.label, s.ranks])).toEqual([
      ['Home — A', [3]],
      ['Home — B', [5]],
    ]);
  });

  it('names the days of the range on which the chart itself has no data', () => {
    const h = buildRankHistory(entriesOf('S', ['A'], [1, null, 1]), {
      chartDates: [DATES[0]!, DATES[2]!],
    });
    expect(h.datesWithoutData).toEqual([DATES[1]]);
  });

  it('splits ranks into runs of consecutive days on the chart', () => {
    expect(segmentsOf([1, 2, null, null, 4, null, 6, 7])).toEqual([
      { start: 0, ranks: [1, 2] },
      { start: 4, ranks: [4] },
      { start: 6, ranks: [6, 7] },
    ]);
    expect(segmentsOf([null, null])).toEqual([]);
    expect(daysBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });
});

describe('axis', () => {
  it('ends the rank axis at the worst rank shown, rounded up to 10, 20, 50, 100, 150 or 200', () => {
    expect(axisMaxRank(history(['a', [1, 2, 3]]))).toBe(10);
    expect(axisMaxRank(history(['a', [1, 12, 3]]))).toBe(20);
    expect(axisMaxRank(history(['a', [1, 101, null]]))).toBe(150);
    expect(axisMaxRank(history(['a', [1, 200, null]]))).toBe(200);
    expect(rankTicks(200)).toEqual([1, 50, 100, 150, 200]);
    expect(rankTicks(10)).toEqual([1, 5, 10]);
  });
});

describe('renderTerminalPlot', () => {
  const plain = { width: 21, height: 10, color: false } as const;

  it('draws rank 1 on the top row and a worse rank further down (inverted axis)', () => {
    const text = renderTerminalPlot(history(['Top', [1, 1, 1]], ['Tenth', [10, 10, 10]]), plain);
    const rows = plotRows(text, 21);
    expect(rows).toHaveLength(10);
    expect(rows[0]![0]).toBe(MARKERS[0]); // rank 1, first day
    expect(rows[0]![20]).toBe(MARKERS[0]); // rank 1, last day
    expect(rows[9]![0]).toBe(MARKERS[1]); // rank 10 is the axis end: the bottom row
    expect(text).toMatch(/^\s+1 ┤/m);
    expect(text).toMatch(/^\s+10 ┤/m);
  });

  it('leaves a day off the chart blank and draws no line across it', () => {
    const rows = plotRows(renderTerminalPlot(history(['Gappy', [1, null, 3]]), plain), 21);
    const column = (c: number): string => rows.map((r) => r[c]).join('');
    expect(column(10).trim()).toBe(''); // the middle day: nothing at all
    expect(rows.join('')).not.toContain('.'); // no line joins the two days either side of the gap
    expect(column(0).trim()).toBe(MARKERS[0]);
    expect(column(20).trim()).toBe(MARKERS[0]);
  });

  it('joins consecutive days of one song with a dotted line', () => {
    const rows = plotRows(renderTerminalPlot(history(['Steady', [1, 1, 1]]), plain), 21);
    expect(rows[0]).toBe(`${MARKERS[0]}${'.'.repeat(9)}${MARKERS[0]}${'.'.repeat(9)}${MARKERS[0]}`);
  });

  it('lists every song in the legend with its own marker, peak and days on the chart', () => {
    const text = renderTerminalPlot(history(['Alpha', [2, 1, 3]], ['Beta', [5, null, 4]]), plain);
    expect(text).toContain(
      `  ${MARKERS[0]} Alpha — Artist  (peak 1 on 2026-11-22, 3 of 3 days on the chart)`,
    );
    expect(text).toContain(`  ${MARKERS[1]} Beta — Artist  (peak 4 on 2026-11-23, 2 of 3 days on the chart)`);
    expect(new Set(MARKERS).size).toBe(MARKERS.length);
  });

  it('labels the date axis (MM-DD within one year, the year said once)', () => {
    const text = renderTerminalPlot(history(['a', [1, 2, 3]]), { ...plain, title: 'My title' });
    expect(text.split('\n')[0]).toBe('My title');
    expect(text).toMatch(/^\s+11-21\s+11-22\s+11-23$/m);
    expect(text).toContain('date (2026)');
    expect(text).toContain('rank');
  });

  it('colours each song with ANSI codes only when asked (a TTY)', () => {
    const h = history(['a', [1, 2, 3]], ['b', [3, 2, 1]]);
    expect(renderTerminalPlot(h, plain)).not.toContain('\x1b[');
    const coloured = renderTerminalPlot(h, { ...plain, color: true });
    expect(coloured).toContain(`\x1b[36m${MARKERS[0]}\x1b[0m`);
    expect(coloured).toContain(`\x1b[33m${MARKERS[1]}\x1b[0m`);
  });

  it('shows the title and the legend through forTerminal: no ESC or BEL from the data, coloured or not', () => {
    const name = '\u001b]0;pwned\u0007Evil \u001b[31mRed\u0000';
    const h = history([name, [1, 2, 3]]);
    for (const color of [false, true]) {
      const text = renderTerminalPlot(h, { ...plain, color, title: `"${name}"` });
      expect(text.split('\n')[0]).toBe(forTerminal(`"${name}"`));
      expect(text).toContain(forTerminal(`${name} — Artist`));
      expect(text).not.toContain('\u0007');
      // The only ESC left is the plot's own colour, and only when asked for.
      // eslint-disable-next-line no-control-regex -- an SGR colour sequence starts with ESC
      const escapes = text.match(/\u001b\[[0-9;]*m/g) ?? [];
      expect(text.split('\u001b').length - 1).toBe(escapes.length);
      expect(escapes.length > 0).toBe(color);
    }
  });

  it('keeps to the width and height asked for, and rejects a size that cannot be drawn', () => {
    const rows = plotRows(renderTerminalPlot(history(['a', [1, 5, 9]]), { width: 40, height: 7 }), 40);
    expect(rows).toHaveLength(7);
    for (const r of rows) expect(r.length).toBe(40);
    expect(() => renderTerminalPlot(history(['a', [1, 2, 3]]), { width: 3 })).toThrow(EtlError);
    expect(() => renderTerminalPlot(history(['a', [1, 2, 3]]), { height: 2.5 })).toThrow(/--height/);
  });
});

describe('renderSvg', () => {
  const h = history(['Split & <Song>', [1, null, 4]], ['Whole', [10, 10, 10]]);
  const svg = renderSvg(h, { title: 'Rank history' });

  it('is a well-formed standalone SVG document with the text escaped', () => {
    expect(
      svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'),
    ).toBe(true);
    expect(tagsBalance(svg)).toBe(true);
    expect(svg).toContain('Split &amp; &lt;Song&gt;');
    expect(tagsBalance('<svg><g></svg></g>')).toBe(false); // the checker itself catches misnesting
  });

  it('draws one polyline per run of consecutive chart days, so a gap stays a gap', () => {
    expect(svg.match(/<polyline /g)).toHaveLength(3); // Split: two runs; Whole: one
  });

  it('puts rank 1 above rank 10 (inverted y axis)', () => {
    const cy = (label: string): number =>
      Number(new RegExp(`<circle cx="[\\d.]+" cy="([\\d.]+)" r="3"><title>${label}`).exec(svg)?.[1]);
    const y1 = cy('Split &amp; &lt;Song&gt; — Artist: #1 on 2026-11-21');
    const y10 = cy('Whole — Artist: #10 on 2026-11-21');
    expect(y1).toBeLessThan(y10);
  });

  it('has a title, date and rank ticks, and a legend entry per song', () => {
    expect(svg).toMatch(/<text [^>]*font-weight="bold">Rank history<\/text>/);
    for (const d of ['11-21', '11-22', '11-23']) expect(svg).toContain(`>${d}</text>`);
    for (const t of [1, 5, 10]) expect(svg).toContain(`text-anchor="end">${t}</text>`);
    expect(svg).toContain('>Whole — Artist (peak 10 on 2026-11-21)</text>');
    expect(svg).toContain('>Split &amp; &lt;Song&gt; — Artist (peak 1 on 2026-11-21)</text>');
  });
});

describe('renderSvg on names XML cannot carry as they are', () => {
  const name = '\u001b]0;pwned\u0007Evil <b>&amp; \u001b[31mRed\u0000 \ud800 \udfff \u001f';
  const svg = renderSvg(history([name, [1, 2, 3]]), { title: `Rank: "${name}"` });

  it('writes only characters XML allows, each & an entity, and balanced tags', () => {
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(svg).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(svg).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    expect(tagsBalance(svg)).toBe(true);
  });

  it('renders the title, the legend and the tooltips through forXml', () => {
    expect(svg).toContain(`font-weight="bold">${forXml(`Rank: "${name}"`)}</text>`);
    expect(svg).toContain(`>${forXml(`${name} — Artist (peak 1 on 2026-11-21)`)}</text>`);
    expect(svg).toContain(`<title>${forXml(`${name} — Artist: #2 on 2026-11-22`)}</title>`);
  });
});

/** A query engine answering chartCommand's three queries (candidates, entries, chart dates) for one song. */
function fakeEngine(song: string): QueryPort {
  return {
    query: async (sql) => {
      if (/GROUP BY/.test(sql)) {
        return { rows: [{ chart_id: 'c', song_name: song, artists: 'A', peak: 1, days: 3 }] };
      }
      if (/DISTINCT snapshot_date/.test(sql)) return { rows: DATES.map((d) => ({ snapshot_date: d })) };
      return {
        rows: DATES.map((d, i) => ({ snapshot_date: d, position: i + 1, song_name: song, artists: 'A' })),
      };
    },
  };
}

describe('chartCommand', () => {
  const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  afterEach(() => {
    if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  });

  it('colours only when told to (the command passes io.color), whatever stdout is', async () => {
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    const engine = fakeEngine('Song');
    expect(await chartCommand(engine, 'Song')).not.toContain('\u001b');
    expect(await chartCommand(engine, 'Song', { color: false })).not.toContain('\u001b');
    expect(await chartCommand(engine, 'Song', { color: true })).toContain(`\u001b[36m${MARKERS[0]}\u001b[0m`);
  });

  it('prints the rank history as JSON with format json, the name raw, and no plot', async () => {
    const name = 'Evil \u001b[31m<b>\u0000';
    const notes: string[] = [];
    const out = await chartCommand(fakeEngine(name), 'Evil', {
      format: 'json',
      color: true,
      note: (l) => notes.push(l),
    });
    expect(JSON.parse(out)).toEqual({
      chartId: 'c',
      dates: DATES,
      series: [{ song: name, artists: 'A', ranks: [1, 2, 3], peak: 1, peakDate: DATES[0], daysOnChart: 3 }],
      datesWithoutData: [],
    });
    expect(out).not.toContain('\u001b');
    expect(notes).toEqual([]);
  });

  it('quotes the search term through forTerminal when nothing matches', async () => {
    const engine: QueryPort = { query: async () => ({ rows: [] }) };
    await expect(chartCommand(engine, 'x\u001b[2Jy')).rejects.toThrow(
      `matches "${forTerminal('x\u001b[2Jy')}".`,
    );
  });
});

describe('sqlString', () => {
  it('doubles single quotes so a term cannot end the literal', () => {
    expect(sqlString("Taylor's Version")).toBe("'Taylor''s Version'");
    expect(sqlString("x' OR '1'='1")).toBe("'x'' OR ''1''=''1'");
  });
});
