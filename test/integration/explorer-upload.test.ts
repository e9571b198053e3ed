// Upload a chart: a real Spotify Charts CSV posted by an editor goes into the inbox and through extract → transform
// (no Spotify credentials: song rows from the file alone), and the page shows the run's summary, set-aside rows
// included; a viewer is refused, and a bad name, an oversized or a non-chart file leave the inbox untouched.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { lakeLock } from '#functions/cli/local-runtime.js';
import { MAX_UPLOAD_BYTES } from '#functions/explorer/uploads.js';
import { TestBrowser, testExplorer, type TestExplorer } from '../helpers/explorer.js';
import { postFile, textareaOf } from '../helpers/explorer-requests.js';
import { chartsDir } from '../helpers/paths.js';

const AU = 'regional-au-daily-2024-02-05.csv';

let t: TestExplorer;
let ana: TestBrowser; // editor
let ben: TestBrowser; // viewer

beforeEach(async () => {
  t = await testExplorer();
  ana = new TestBrowser(t.app);
  ben = new TestBrowser(t.app);
  await ana.signUp('ana@example.com');
  await ben.signUp('ben@example.com');
  await ana.get('/upload');
  await ben.get('/');
});

afterEach(async () => {
  await t.close();
});

const realChart = (name = AU): Promise<Buffer> => readFile(join(chartsDir, name));

/** Every file under the lake's inbox, done/ and failed/ included. */
async function inbox(): Promise<string[]> {
  const dir = join(t.lakeRoot, 'top_200_global', 'inbox');
  return (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map(String).sort();
}

async function lakeRows(sql: string): Promise<readonly Record<string, unknown>[]> {
  const engine = await LakeQueryEngine.open(t.lakeRoot);
  try {
    return (await engine.query(sql)).rows;
  } finally {
    engine.close();
  }
}

describe('the upload page', () => {
  it('is a multipart form with a file input for editors; a viewer gets 403, a stranger is sent to sign in', async () => {
    const page = await (await ana.get('/upload')).text();
    expect(page).toContain(
      '<form class="stack upload-form" method="post" action="/upload" enctype="multipart/form-data">',
    );
    expect(page).toMatch(
      /<input\s+id="chart"\s+name="chart"\s+type="file"\s+accept=".csv,text\/csv"\s+required/,
    );
    expect(page).toContain('<label for="chart">Chart CSV</label>');
    expect(page).toContain('name="_csrf"');
    expect((await ben.get('/upload')).status).toBe(403);
    const stranger = await new TestBrowser(t.app).get('/upload');
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get('location')).toBe('/signin?next=%2Fupload');
  });
});

describe('an upload', () => {
  it('runs a real chart through the inbox into the lake and shows the summary', async () => {
    const response = await postFile(t, ana, '/upload', { name: AU, bytes: await realChart() });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('regional-au-daily on 2024-02-05: complete');
    expect(page).toMatch(/<dt>Chart entries<\/dt>\s*<dd>200<\/dd>/);
    expect(page).toMatch(/<dt>Records delivered<\/dt>\s*<dd>200<\/dd>/);
    expect(page).toMatch(/<dt>Song rows written<\/dt>\s*<dd>200<\/dd>/);
    expect(page).toMatch(/<dt>Lines rejected<\/dt>\s*<dd>0<\/dd>/);
    expect(page).toMatch(/<dt>Enrichment<\/dt>\s*<dd>skipped: no Spotify credentials<\/dd>/);
    expect(page).toContain('No Spotify credentials: rows come from the chart file alone');

    expect(
      await lakeRows(
        "SELECT count(*) AS n, min(position) AS top, max(position) AS last FROM song_data WHERE snapshot_date = DATE '2024-02-05' AND chart_id = 'regional-au-daily'",
      ),
    ).toEqual([{ n: 200, top: 1, last: 200 }]);
    const [first] = await lakeRows('SELECT song_name FROM song_data WHERE position = 1');
    expect(first).toEqual({ song_name: 'Stick Season' });
    expect(await inbox()).toEqual(['done', `done/${AU}`]);
    // Its link opens the SQL editor on the chart day.
    const link = /<a href="(\/sql\?sql=[^"]+)">Query this chart day<\/a>/.exec(page)?.[1] ?? '';
    const editor = await (await ana.get(link.replace(/&#39;/g, "'"))).text();
    expect(textareaOf(editor)).toContain(
      "WHERE snapshot_date = DATE '2024-02-05' AND chart_id = 'regional-au-daily'",
    );

    const [audit, ...more] = (await t.explorer.deps.audit.recent(20)).filter((a) => a.kind === 'upload');
    expect(more).toEqual([]);
    expect(audit).toMatchObject({ kind: 'upload', email: 'ana@example.com' });
    expect(audit?.detail).toBe(
      `${AU}: regional-au-daily 2024-02-05, 200 entries, 0 set aside, 200 rows written, 0 rejected, complete`,
    );
  });

  it('shows the rows it set aside with their line and reason, and says the chart is not complete', async () => {
    const lines = (await realChart()).toString('utf8').split('\n');
    lines[5] = lines[5]!.replace(/spotify:track:[0-9A-Za-z]{22}/, 'spotify:track:not-a-track');
    const response = await postFile(t, ana, '/upload', { name: AU, bytes: lines.join('\n') });
    const page = await response.text();
    expect(page).toContain('regional-au-daily on 2024-02-05: not complete');
    expect(page).toMatch(/<dt>Chart rows set aside<\/dt>\s*<dd>1<\/dd>/);
    expect(page).toMatch(/<dt>Song rows written<\/dt>\s*<dd>199<\/dd>/);
    expect(page).toMatch(
      /<td class="num">6<\/td>\s*<td>&quot;spotify:track:not-a-track&quot; is not a Spotify track uri or URL<\/td>/,
    );
    expect(page).toMatch(/class="error" role="alert">.*199/);
    expect(await lakeRows('SELECT count(*) AS n FROM song_data')).toEqual([{ n: 199 }]);
  });

  it('waits for the lake lock a CLI command holds, and then runs', async () => {
    const cli = lakeLock(t.lakeRoot, 'test');
    let finished = false;
    let upload: Promise<Response> | undefined;
    await cli.hold(async () => {
      upload = postFile(t, ana, '/upload', { name: AU, bytes: await realChart() }).finally(() => {
        finished = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(finished).toBe(false);
      expect(await inbox()).toEqual([]); // not even in the inbox while the CLI holds the lake
    });
    expect((await upload!).status).toBe(200);
    expect(await lakeRows('SELECT count(*) AS n FROM song_data')).toEqual([{ n: 200 }]);
  });
});

describe('refused uploads leave the inbox as it was', () => {
  it('refuses a viewer with 403', async () => {
    const response = await postFile(t, ben, '/upload', { name: AU, bytes: await realChart() });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('This needs the editor role.');
    expect(await inbox()).toEqual([]);
  });

  it('refuses an upload without the CSRF token', async () => {
    const response = await postFile(
      t,
      ana,
      '/upload',
      { name: AU, bytes: await realChart() },
      { csrf: false },
    );
    expect(response.status).toBe(403);
    expect(await inbox()).toEqual([]);
  });

  it.each([
    [
      'a name that is not a Spotify Charts name',
      'chart.csv',
      400,
      /&quot;chart.csv&quot; is not a Spotify Charts file name/,
    ],
    [
      'a name without the chart date',
      'spotifycharts-regional-global-daily-latest.csv',
      400,
      /does not say its chart date/,
    ],
    [
      'a path in the name',
      '../../etc/regional-au-daily-2024-02-05.csv.exe',
      400,
      /is not a Spotify Charts file name/,
    ],
    ['a name that is not .csv', 'regional-au-daily-2024-02-05.txt', 400, /is not a Spotify Charts file name/],
  ])('refuses %s', async (_kind, name, status, why) => {
    const response = await postFile(t, ana, '/upload', { name, bytes: await realChart() });
    expect(response.status).toBe(status);
    const page = await response.text();
    expect(page).toMatch(why);
    expect(page).toContain('role="alert"');
    expect(await inbox()).toEqual([]);
    expect(await lakeRows('SELECT count(*) AS n FROM song_data')).toEqual([{ n: 0 }]);
  });

  it('refuses a file larger than 16 MiB with 413', async () => {
    const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1, 'a');
    const response = await postFile(t, ana, '/upload', { name: AU, bytes: big });
    expect(response.status).toBe(413);
    expect(await response.text()).toMatch(/larger than 16 MiB|at most 16 MiB/);
    expect(await inbox()).toEqual([]);
  });

  it('refuses a file that is not text (415) or text that is not a chart (422), with the reason', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xff, 0xfe]);
    const image = await postFile(t, ana, '/upload', { name: AU, bytes: png });
    expect(image.status).toBe(415);
    expect(await image.text()).toContain(`${AU} is not text: a Spotify Charts CSV is UTF-8 text.`);

    const notChart = await postFile(t, ana, '/upload', {
      name: AU,
      bytes: 'name,email\nana,ana@example.com\n',
    });
    expect(notChart.status).toBe(422);
    const page = await notChart.text();
    expect(page).toContain(`${AU} is not a Spotify Charts CSV: no header found.`);
    expect(page).toContain('Expected &quot;rank,uri,artist_names');

    const empty = await postFile(t, ana, '/upload', { name: AU, bytes: '' });
    expect(empty.status).toBe(415);
    expect(await inbox()).toEqual([]);
    const audits = (await t.explorer.deps.audit.recent(10)).filter((a) => a.kind === 'upload');
    expect(audits.map((a) => a.detail).sort()).toEqual([
      `refused ${AU}: ${AU} is empty: a Spotify Charts CSV is UTF-8 text.`,
      `refused ${AU}: ${AU} is not a Spotify Charts CSV: no header found.`,
      `refused ${AU}: ${AU} is not text: a Spotify Charts CSV is UTF-8 text.`,
    ]);
  });
});
