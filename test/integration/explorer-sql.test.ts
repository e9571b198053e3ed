// Write: the SQL page and its API on a lake of two real AU charts, through the explorer's HTTP interface — results,
// every kind of refusal the sandbox makes (with its message, never a stack trace), the time limit and row caps, the
// formula-safe CSV, CSRF. Saved queries are in explorer-saved-queries.test.ts.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { namedQueryFiles } from '#infra/named-queries.js';
import { scriptJson } from '#functions/explorer/lake-schema.js';
import { SQL_LIMITS } from '#functions/explorer/sql-run.js';
import { TestBrowser, testExplorer, type TestExplorer } from '../helpers/explorer.js';
import { postJson, realChartLake, textareaOf } from '../helpers/explorer-requests.js';
import { tempDir } from '../helpers/paths.js';

let t: TestExplorer;
let lake: string;
let ana: TestBrowser; // the first account: an editor
let ben: TestBrowser; // a viewer

beforeAll(async () => {
  lake = await realChartLake(['regional-au-daily-2024-02-05.csv', 'regional-au-daily-2024-02-06.csv']);
  t = await testExplorer({}, lake);
  ana = new TestBrowser(t.app);
  ben = new TestBrowser(t.app);
  await ana.signUp('ana@example.com');
  await ben.signUp('ben@example.com');
  await ana.get('/sql');
  await ben.get('/sql');
}, 60_000);

afterAll(async () => {
  await t?.close();
});

interface Answer {
  columns?: string[];
  rows?: Record<string, unknown>[];
  truncated?: boolean;
  error?: string;
  kind?: string;
  hint?: string;
}

const api = async (browser: TestBrowser, sql: string): Promise<{ status: number; body: Answer }> => {
  const response = await postJson(t, browser, '/api/sql', { sql });
  return { status: response.status, body: (await response.json()) as Answer };
};

describe('the SQL page', () => {
  it('sends a browser without a session to sign in, and answers a script 401', async () => {
    const stranger = new TestBrowser(t.app);
    const page = await stranger.get('/sql');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/signin?next=%2Fsql');
    const response = await postJson(t, stranger, '/api/sql', { sql: 'SELECT 1' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Sign in first.' });
  });

  it("holds the editor's form, its script, the tables' columns as JSON and the repository's examples", async () => {
    const page = await (await ana.get('/sql')).text();
    expect(page).toContain('<form id="sql-form" class="sql-form" method="post" action="/sql">');
    expect(page).toContain('<script type="module" src="/assets/editor.js"></script>');
    const json = /<script type="application\/json" id="sql-schema">([\s\S]*?)<\/script>/.exec(page)?.[1];
    const schema = JSON.parse(json ?? '') as Record<string, { name: string; type: string }[]>;
    expect(Object.keys(schema).sort()).toEqual(['album_data', 'artist_data', 'song_data']);
    expect(schema.song_data).toEqual(
      expect.arrayContaining([
        { name: 'snapshot_date', type: 'DATE', description: expect.any(String) },
        expect.objectContaining({ name: 'artist_names', type: 'string[]' }),
        expect.objectContaining({ name: 'streams', type: 'integer' }),
      ]),
    );
    for (const example of namedQueryFiles()) expect(page).toContain(`/sql?example=${example.name}`);
    const top10 = await (await ana.get('/sql?example=top-10-of-a-day')).text();
    expect(textareaOf(top10)).toBe(namedQueryFiles().find((e) => e.name === 'top-10-of-a-day')?.sql);
  });

  it('writes the JSON for its script element so that no value can end the element', () => {
    const value = { name: '</script><script>alert(1)</script><!--', amp: 'a&b', line: '\u2028' };
    const text = scriptJson(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('runs the form without JavaScript and renders the rows as a table, text escaped', async () => {
    const sql =
      "SELECT position, song_name, '<b>x</b>' AS markup, NULL AS nothing FROM song_data WHERE snapshot_date = DATE '2024-02-05' ORDER BY position LIMIT 3";
    const response = await ana.post('/sql', { sql, action: 'run' });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('3 rows in');
    expect(page).toContain('<th scope="col">song_name</th>');
    expect(page).toContain('<td>Stick Season</td>');
    expect(page).toContain('<td class="num">1</td>');
    expect(page).toContain('<td>&lt;b&gt;x&lt;/b&gt;</td>');
    expect(page).toContain('<td class="null">NULL</td>');
    expect(textareaOf(page)).toBe(sql);
  });

  it('answers the editor script with JSON rows', async () => {
    const { status, body } = await api(
      ana,
      'SELECT snapshot_date, count(*) AS entries, max(artist_names) AS some FROM song_data GROUP BY ALL ORDER BY 1',
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      columns: ['snapshot_date', 'entries', 'some'],
      rows: [
        { snapshot_date: '2024-02-05', entries: 200 },
        { snapshot_date: '2024-02-06', entries: 200 },
      ],
      truncated: false,
    });
    expect(Array.isArray(body.rows?.[0]?.some)).toBe(true);
  });
});

describe('refusals: the sandbox says why, and nothing runs', () => {
  const ONLY_SELECT = /^Query refused: only a SELECT \(or WITH … SELECT\) runs here/;
  const TABLES_ONLY = /^Query refused: SQL here reads the tables song_data, album_data and artist_data only/;
  let outside: string;
  let target: string;

  beforeAll(async () => {
    const dir = await tempDir('explorer-outside-');
    outside = join(dir, 'secret.csv');
    target = join(dir, 'copied.csv');
    await writeFile(outside, 'secret\n42\n');
  });

  const cases: [string, number, string, () => string, RegExp][] = [
    [
      'two statements',
      400,
      'refused',
      () => 'SELECT 1; SELECT 2',
      /one statement at a time \(this SQL holds 2\)/,
    ],
    ['COPY … TO a file', 400, 'refused', () => `COPY (SELECT 1) TO '${target}'`, ONLY_SELECT],
    ['COPY into the lake', 400, 'refused', () => `COPY (SELECT 1) TO '${lake}/x.csv'`, ONLY_SELECT],
    ['ATTACH', 400, 'refused', () => `ATTACH '${target}.db' AS other`, ONLY_SELECT],
    ['INSTALL', 400, 'refused', () => 'INSTALL httpfs', ONLY_SELECT],
    ['LOAD', 400, 'refused', () => 'LOAD httpfs', ONLY_SELECT],
    ['read_csv of /etc/passwd', 400, 'refused', () => "SELECT * FROM read_csv('/etc/passwd')", TABLES_ONLY],
    ['read_text of /etc/passwd', 400, 'refused', () => "SELECT * FROM read_text('/etc/passwd')", TABLES_ONLY],
    ['a file outside named in FROM', 400, 'refused', () => `SELECT * FROM '${outside}'`, TABLES_ONLY],
    ['a glob outside', 400, 'refused', () => "SELECT * FROM glob('/etc/*')", TABLES_ONLY],
    ['the state file', 400, 'refused', () => `SELECT * FROM read_blob('${lake}/explorer/*')`, TABLES_ONLY],
    [
      'the raw zone',
      400,
      'refused',
      () => `SELECT * FROM glob('${lake}/top_200_global/raw_data/**')`,
      TABLES_ONLY,
    ],
    [
      'a path climbing out',
      400,
      'refused',
      () => `SELECT * FROM read_text('${lake}/top_200_global/transformed_data/../../explorer/state.duckdb')`,
      TABLES_ONLY,
    ],
    ['a URL', 400, 'refused', () => "SELECT * FROM read_json('https://example.com/x.json')", TABLES_ONLY],
    ['duckdb_secrets()', 400, 'refused', () => 'SELECT * FROM duckdb_secrets()', TABLES_ONLY],
    ['SET', 400, 'refused', () => 'SET threads = 1', ONLY_SELECT],
    ['lifting the confinement', 400, 'refused', () => 'SET enable_external_access = true', ONLY_SELECT],
    ['a PRAGMA that changes settings', 400, 'refused', () => 'PRAGMA enable_profiling', ONLY_SELECT],
    ['CALL', 400, 'refused', () => 'CALL pragma_version()', ONLY_SELECT],
    ['EXPLAIN', 400, 'refused', () => 'EXPLAIN SELECT 1', ONLY_SELECT],
    ['CREATE TABLE', 400, 'refused', () => 'CREATE TABLE t AS SELECT 1', ONLY_SELECT],
    ['DROP VIEW', 400, 'refused', () => 'DROP VIEW song_data', ONLY_SELECT],
    ['no statement', 400, 'refused', () => '  -- nothing\n;', /^Query refused: the SQL holds no statement/],
    ['getenv()', 422, 'failed', () => "SELECT getenv('HOME')", /^Query failed: .*getenv does not exist/],
    ['a syntax error', 422, 'failed', () => 'SELEC 1', /^Query failed: .*Parser Error: syntax error/],
    ['an unknown column', 422, 'failed', () => 'SELECT nope FROM song_data', /^Query failed: Binder Error/],
  ];

  it.each(cases)('%s → %i %s, with its message', async (_kind, status, kind, sql, why) => {
    const { status: got, body } = await api(ana, sql());
    expect(got).toBe(status);
    expect(body.kind).toBe(kind);
    expect(body.error).toMatch(why);
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at |\.ts:\d+/);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${lake}/x.csv`)).toBe(false);
  });

  it('shows a refusal on the plain form as an alert, with the SQL kept in the editor', async () => {
    const sql = "SELECT * FROM read_csv('/etc/passwd')";
    const response = await ana.post('/sql', { sql, action: 'run' });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toMatch(/<p class="error" role="alert">Query refused: SQL here reads the tables/);
    expect(page).not.toContain('root:');
    expect(textareaOf(page)).toBe(sql);
  });

  it('refuses SQL longer than the limit before running it', async () => {
    const { status, body } = await api(ana, `SELECT 1 -- ${'x'.repeat(SQL_LIMITS.maxSqlChars)}`);
    expect(status).toBe(400);
    expect(body.error).toMatch(/at most 100,000 are run/);
  });
});

describe('limits', () => {
  it('interrupts a runaway query at the time limit, one query at a time per account, others unaffected', async () => {
    const started = Date.now();
    const runaway = api(ben, 'SELECT count(*) FROM range(1000000000000) a');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await api(ben, 'SELECT 1 AS one');
    expect(second.status).toBe(429);
    expect(second.body.error).toMatch(/previous query is still running/);
    const other = Date.now();
    const meanwhile = await api(ana, 'SELECT count(*) AS n FROM song_data');
    expect(meanwhile.body.rows).toEqual([{ n: 400 }]);
    expect(Date.now() - other).toBeLessThan(2_000); // not queued behind the runaway query
    const { status, body } = await runaway;
    const took = Date.now() - started;
    expect(status).toBe(422);
    expect(body).toMatchObject({ kind: 'stopped', error: 'Query stopped: it ran longer than 10 s.' });
    expect(took).toBeGreaterThanOrEqual(SQL_LIMITS.timeoutMs - 100);
    expect(took).toBeLessThan(SQL_LIMITS.timeoutMs + 3_000);
    expect((await api(ben, 'SELECT 1 AS one')).body.rows).toEqual([{ one: 1 }]);
  }, 30_000);

  it('shows at most 1,000 rows and says that more exist', async () => {
    const { body } = await api(ana, 'SELECT * FROM range(5000) t(n)');
    expect(body.rows).toHaveLength(SQL_LIMITS.shownRows);
    expect(body.truncated).toBe(true);
    const page = await (await ana.post('/sql', { sql: 'SELECT * FROM range(5000) t(n)' })).text();
    expect(page).toContain('1,000 rows in');
    expect(page).toContain('the first 1,000 are shown and more exist; Download CSV holds up to 100,000.');
    expect(page.match(/<tr>/g)).toHaveLength(1 + 1_000);
  });
});

describe('CSV download', () => {
  it('is formula-safe: a cell a spreadsheet would run gets a leading apostrophe; NULL, "" and lists as the CLI writes them', async () => {
    const sql =
      "SELECT '=1+1' AS formula, '@SUM(A1)' AS at, '+cmd' AS plus, -3 AS negative, NULL AS nothing, '' AS empty, ['a, b', 'c'] AS list, 'plain' AS text";
    const response = await ana.post('/sql/csv', { sql });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="query.csv"');
    expect(await response.text()).toBe(
      'formula,at,plus,negative,nothing,empty,list,text\n\'=1+1,\'@SUM(A1),\'+cmd,-3,,"","[""a, b"",""c""]",plain\n',
    );
  });

  it('holds up to 100,000 rows, and the file name says when it was cut', async () => {
    const response = await ana.post('/sql/csv', { sql: 'SELECT * FROM range(150000) t(n)' });
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="query-first-100000-rows.csv"',
    );
    const lines = (await response.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(1 + SQL_LIMITS.csvRows);
    expect(lines.at(-1)).toBe('99999');
  });

  it('answers a refused query with the page and its message, not a file', async () => {
    const response = await ana.post('/sql/csv', { sql: 'SELECT 1; SELECT 2' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(await response.text()).toContain('one statement at a time');
  });
});

describe('CSRF', () => {
  it('refuses a run, a CSV, a save and the API without the token, and a cross-site post', async () => {
    for (const path of ['/sql', '/sql/csv', '/queries']) {
      const response = await ana.post(path, { sql: 'SELECT 1', name: 'x' }, { csrf: false });
      expect(response.status).toBe(403);
    }
    expect((await postJson(t, ana, '/api/sql', { sql: 'SELECT 1' }, { csrf: false })).status).toBe(403);
    const cross = await postJson(t, ana, '/api/sql', { sql: 'SELECT 1' }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(await t.explorer.deps.queries.visibleTo('nobody')).toEqual([]);
  });
});
