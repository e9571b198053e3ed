// `spotify-etl chart` as a real process on a lake whose names carry terminal control sequences, markup, NUL and
// more (issue #10): the terminal gets them only through forTerminal, the SVG only through forXml, JSON raw.
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { forTerminal, forXml } from '#functions/cli/sanitize.js';
import { songRow } from '../helpers/rows.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

const DAYS = ['2026-01-01', '2026-01-02', '2026-01-03'];
const EVIL = '\u001b]0;pwned\u0007Evil <b>&amp; \u001b[31mRed\u0000';
const ARTIST = 'Art\u001b[2J\u0001ist & <Co>';
const OTHER_CHART = 'evil\u001b[5mchart';
const LABEL = `${EVIL} — ${ARTIST}`;
/** ESC, BEL and any ANSI sequence (CSI or OSC) a terminal would act on. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point of these tests
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- the C0 controls XML 1.0 forbids even escaped
const XML_FORBIDDEN_C0 = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

const row = (date: string, chartId: string, name: string, position: number): Record<string, unknown> =>
  songRow(position, {
    song_id: `id-${name.length}-${position}`,
    song_name: name,
    artist_names: [ARTIST],
    streams: 1000 - position,
    peak_rank: position,
    chart_id: chartId,
    extracted_at: `${date}T00:00:00Z`,
  });

let lake: string;

beforeAll(async () => {
  lake = await tempDir('spotify-etl-sinks-');
  for (const [i, date] of DAYS.entries()) {
    const dir = join(lake, 'top_200_global', 'transformed_data', 'song_data', `snapshot_date=${date}`);
    await mkdir(dir, { recursive: true });
    const rows = [
      row(date, 'regional-global-daily', EVIL, i + 1),
      row(date, 'regional-global-daily', 'Plain Song', 10),
      // A second chart with fewer entries: its id shows in the "Also on" line.
      ...(i === 0 ? [row(date, OTHER_CHART, EVIL, 3)] : []),
    ];
    await writeFile(join(dir, 'x.json'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
});

/** Runs bin/spotify-etl.js as a child process (stdout and stderr are pipes, so not a TTY). */
function cli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const base = { ...process.env };
  delete base.NO_COLOR;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/spotify-etl.js'), ...args], {
      cwd: repoRoot,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/** The five entities XML predefines, and character references. */
function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/**
 * Why an XML document is not well-formed (undefined when it is), for what renderSvg writes: characters XML 1.0
 * forbids (controls, lone surrogates, U+FFFE/U+FFFF), a `&` that starts no entity, a `<` or `>` in text, an
 * attribute not quoted, tags that do not balance, more than one root.
 */
function xmlProblem(xml: string): string | undefined {
  const invalid =
    // eslint-disable-next-line no-control-regex -- finding control characters is the point of this check
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.exec(
      xml,
    );
  if (invalid) return `character U+${invalid[0].charCodeAt(0).toString(16)} at ${invalid.index}`;
  const amp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(xml);
  if (amp) return `bare & at ${amp.index}`;
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const stack: string[] = [];
  let roots = 0;
  let at = 0;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"<]*")*)\s*(\/?)>/y;
  while (at < body.length) {
    const lt = body.indexOf('<', at);
    const text = body.slice(at, lt === -1 ? body.length : lt);
    if (text.includes('>')) return `> in text at ${at}`;
    if (stack.length === 0 && text.trim() !== '') return `text outside the root at ${at}`;
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) return `malformed tag at ${lt}: ${body.slice(lt, lt + 40)}`;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      if (stack.pop() !== name) return `</${name}> closes nothing open at ${lt}`;
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name!);
    }
    at = tag.lastIndex;
  }
  if (stack.length > 0) return `<${stack.join('>, <')}> never closed`;
  return roots === 1 ? undefined : `${roots} root elements`;
}

describe('xmlProblem (the check the SVG tests rely on)', () => {
  it('accepts a well-formed document and names each kind of malformed one', () => {
    expect(xmlProblem('<a x="1"><b/>t &amp; &#x1b;</a>')).toBeUndefined();
    expect(xmlProblem('<a>\u001b</a>')).toMatch(/U\+1b/);
    expect(xmlProblem('<a>\ud800</a>')).toMatch(/U\+d800/);
    expect(xmlProblem('<a>&b</a>')).toMatch(/bare &/);
    expect(xmlProblem('<a><b></a></b>')).toMatch(/closes nothing/);
    expect(xmlProblem('<a>1 < 2</a>')).toMatch(/malformed tag/);
    expect(xmlProblem('<a x=1></a>')).toMatch(/malformed tag/);
    expect(xmlProblem('<a></a><a></a>')).toMatch(/2 root/);
  });
});

describe('spotify-etl chart on names with control sequences and markup', () => {
  it('prints no ESC or BEL on stdout, and writes a well-formed SVG whose legend is forXml of the name', async () => {
    const dir = await tempDir('spotify-etl-sinks-svg-');
    const file = join(dir, 'evil.svg');
    const r = await cli(['chart', 'Evil', '--lake', lake, '--svg', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(CONTROL);
    expect(r.out).not.toContain('\u001b');
    expect(r.out).not.toContain('\u0007');
    // Shown, not acted on: the legend, the title (the other chart's id is not in it) and the "Also on" line.
    expect(r.out).toContain(forTerminal(LABEL));
    expect(r.out.split('\n')[0]).toBe('Rank on regional-global-daily, 2026-01-01 to 2026-01-03: "Evil"');
    expect(r.out).toContain(`Also on ${forTerminal(OTHER_CHART)} (1 songs)`);
    expect(r.out).toContain(`SVG written to ${file}`);

    const svg = await readFile(file, 'utf8');
    expect(xmlProblem(svg)).toBeUndefined();
    const legend = [...svg.matchAll(/<g class="legend"[^>]*>([\s\S]*?)<\/g>/g)][0]![1]!;
    const texts = [...legend.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    expect(texts[0]).toBe(forXml(`${LABEL} (peak 1 on 2026-01-01)`));
    // What a viewer shows: the name itself, each character XML cannot carry as U+FFFD.
    expect(unescapeXml(texts[0]!)).toBe(
      `${LABEL} (peak 1 on 2026-01-01)`.replace(XML_FORBIDDEN_C0, '\ufffd'),
    );
    expect(svg).toContain(`<title>${forXml(`${LABEL}: #1 on 2026-01-01`)}</title>`);
    // Written through a temporary file renamed over the path: none is left beside it.
    expect(await readdir(dir)).toEqual(['evil.svg']);
  }, 60_000);

  it('replaces an existing SVG whole (temp file + rename)', async () => {
    const dir = await tempDir('spotify-etl-sinks-svg-');
    const file = join(dir, 'evil.svg');
    await writeFile(file, 'STALE '.repeat(100_000));
    const r = await cli(['chart', 'Evil', '--lake', lake, '--svg', file]);
    expect(r.code).toBe(0);
    const svg = await readFile(file, 'utf8');
    expect(svg).not.toContain('STALE');
    expect(xmlProblem(svg)).toBeUndefined();
    expect(await readdir(dir)).toEqual(['evil.svg']);
  }, 60_000);

  it('uses no ANSI colour with NO_COLOR=1 or --no-color', async () => {
    for (const run of [
      cli(['chart', 'Evil', '--lake', lake], { NO_COLOR: '1' }),
      cli(['chart', 'Evil', '--lake', lake, '--no-color']),
    ]) {
      const r = await run;
      expect(r.code).toBe(0);
      expect(r.out).not.toContain('\u001b');
      expect(r.out + r.err).not.toMatch(CONTROL);
    }
  }, 60_000);

  it('quotes a search term through forTerminal in the error when nothing matches', async () => {
    const r = await cli(['chart', 'zz\u001b]0;x\u0007zz', '--lake', lake]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`matches "${forTerminal('zz\u001b]0;x\u0007zz')}"`);
    expect(r.err).not.toMatch(CONTROL);
  }, 60_000);

  it('prints the rank history as JSON with --format json: raw names, no plot, notes on stderr', async () => {
    const r = await cli(['chart', 'Evil', '--lake', lake, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('\u001b'); // JSON.stringify escapes it: \u001b, six characters
    const history = JSON.parse(r.out) as {
      chartId: string;
      dates: string[];
      series: { song: string; artists: string; ranks: (number | null)[]; peak: number }[];
      datesWithoutData: string[];
    };
    expect(history.chartId).toBe('regional-global-daily');
    expect(history.dates).toEqual(DAYS);
    expect(history.datesWithoutData).toEqual([]);
    expect(history.series).toEqual([
      {
        song: EVIL,
        artists: ARTIST,
        ranks: [1, 2, 3],
        peak: 1,
        peakDate: '2026-01-01',
        daysOnChart: 3,
      },
    ]);
    expect(r.out).not.toContain('┤');
    expect(r.err).toContain(`Also on ${forTerminal(OTHER_CHART)}`);
    expect(r.err).not.toMatch(CONTROL);
  }, 60_000);

  it('refuses a --format it does not write', async () => {
    const r = await cli(['chart', 'Evil', '--lake', lake, '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--format csv is not one of text, json/);
  }, 60_000);
});
