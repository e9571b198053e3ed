// Saved queries through the SQL page: name, SQL, private or shared; saved, listed, reopened, edited and deleted
// by their owner; a shared one opens for another signed-in user at /q/:id, and someone else's private one is 404.
import { TestBrowser, testExplorer, type TestExplorer } from '../helpers/explorer.js';
import { realChartLake, textareaOf } from '../helpers/explorer-requests.js';

let t: TestExplorer;
let ana: TestBrowser;
let ben: TestBrowser;

beforeAll(async () => {
  t = await testExplorer({}, await realChartLake(['regional-au-daily-2024-02-05.csv']));
  ana = new TestBrowser(t.app);
  ben = new TestBrowser(t.app);
  await ana.signUp('ana@example.com');
  await ben.signUp('ben@example.com');
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('saved queries', () => {
  const SQL =
    "SELECT position, song_name FROM song_data WHERE snapshot_date = DATE '2024-02-05' ORDER BY position LIMIT 3";

  /** Saves through the page's form; the id from the redirect. */
  const save = async (browser: TestBrowser, fields: Record<string, string>): Promise<string> => {
    await browser.get('/sql');
    const response = await browser.post('/queries', fields);
    expect(response.status).toBe(303);
    const location = response.headers.get('location') ?? '';
    expect(location).toMatch(/^\/q\/[0-9a-f-]{36}\?saved=1$/);
    return /\/q\/([0-9a-f-]{36})/.exec(location)![1]!;
  };

  it('saves, lists, reopens, edits and deletes your own query', async () => {
    const id = await save(ana, { name: 'AU top 3', sql: SQL });
    const opened = await (await ana.get(`/q/${id}?saved=1`)).text();
    expect(opened).toContain('<p class="note" role="status">Saved.</p>');
    expect(textareaOf(opened)).toBe(SQL);
    expect(opened).toContain('value="AU top 3"');
    expect(opened).toContain(`formaction="/q/${id}">Save changes</button>`);
    expect(opened).toContain(`action="/q/${id}/delete"`);
    const list = await (await ana.get('/sql')).text();
    expect(list).toMatch(
      new RegExp(`<a href="/q/${id}"\\s*>AU top 3</a>\\s*<span class="hint"\\s*>yours, private`),
    );

    // A reload finds the same query: it is in the state store, not in the page.
    expect(await t.explorer.deps.queries.get(id)).toMatchObject({
      name: 'AU top 3',
      sql: SQL,
      shared: false,
    });
    const edited = await ana.post(`/q/${id}`, { name: 'AU top 5', sql: SQL.replace('LIMIT 3', 'LIMIT 5') });
    expect(edited.status).toBe(303);
    const reopened = await (await ana.get(`/q/${id}`)).text();
    expect(reopened).toContain('value="AU top 5"');
    expect(textareaOf(reopened)).toContain('LIMIT 5');

    const run = await (await ana.post('/sql', { sql: SQL, id, name: 'AU top 5', action: 'run' })).text();
    expect(run).toContain('3 rows in');
    expect(run).toContain(`formaction="/q/${id}">Save changes</button>`); // still the saved query's page

    const deleted = await ana.post(`/q/${id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/sql?deleted=1');
    expect((await ana.get(`/q/${id}`)).status).toBe(404);
    expect(await t.explorer.deps.queries.get(id)).toBeUndefined();
  });

  it('opens a shared query for another signed-in user at its URL, read-only for them', async () => {
    const id = await save(ana, { name: 'Shared movers', sql: SQL, shared: 'on' });
    const page = await ben.get(`/q/${id}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(textareaOf(text)).toBe(SQL);
    expect(text).not.toContain('Save changes');
    expect(text).not.toContain(`/q/${id}/delete`);
    expect(await (await ben.get('/sql')).text()).toMatch(
      new RegExp(`<a href="/q/${id}"\\s*>Shared movers</a>\\s*<span class="hint"\\s*>shared<`),
    );
    // Theirs to read, not to change: 403 (they know it exists), and a copy of their own is one Save away.
    expect((await ben.post(`/q/${id}`, { name: 'mine now', sql: 'SELECT 1' })).status).toBe(403);
    expect((await ben.post(`/q/${id}/delete`, {})).status).toBe(403);
    expect(await t.explorer.deps.queries.get(id)).toMatchObject({ name: 'Shared movers' });
    const copy = await save(ben, { name: 'My copy', sql: SQL, id });
    expect(await t.explorer.deps.queries.get(copy)).toMatchObject({ name: 'My copy', shared: false });

    const stranger = new TestBrowser(t.app);
    expect((await stranger.get(`/q/${id}`)).status).toBe(303); // signed-in users only
  });

  it("answers someone else's private query 404, as if it did not exist", async () => {
    const id = await save(ana, { name: 'Private notes', sql: SQL });
    for (const response of [
      await ben.get(`/q/${id}`),
      await ben.post(`/q/${id}`, { name: 'x', sql: 'SELECT 1' }),
      await ben.post(`/q/${id}/delete`, {}),
      await ben.get('/q/00000000-0000-4000-8000-000000000000'),
      await ben.get('/q/not-an-id'),
    ]) {
      expect(response.status).toBe(404);
      const text = await response.text();
      expect(text).toContain('There is no such query, or it is private to someone else.');
      expect(text).not.toContain('Private notes');
    }
    expect(await (await ben.get('/sql')).text()).not.toContain('Private notes');
    const run = await (await ben.post('/sql', { sql: 'SELECT 1', id, action: 'run' })).text();
    expect(run).not.toContain('Private notes'); // a hidden id names nothing it cannot open
    expect(await t.explorer.deps.queries.get(id)).toMatchObject({ name: 'Private notes' });
  });

  it('refuses a query without a name or SQL, and saves nothing', async () => {
    const before = (await t.explorer.deps.queries.visibleTo('')).length;
    await ana.get('/sql');
    const unnamed = await ana.post('/queries', { name: '  ', sql: SQL });
    expect(unnamed.status).toBe(400);
    const page = await unnamed.text();
    expect(page).toContain('Give the query a name.');
    expect(textareaOf(page)).toBe(SQL);
    expect((await ana.post('/queries', { name: 'Empty', sql: ' ' })).status).toBe(400);
    expect((await ana.post('/queries', { name: 'x'.repeat(101), sql: SQL })).status).toBe(400);
    expect((await t.explorer.deps.queries.visibleTo('')).length).toBe(before);
  });

  it('names the CSV of a saved query after it', async () => {
    const id = await save(ana, { name: 'Top 3 — AU, 5 Feb', sql: SQL });
    const response = await ana.post('/sql/csv', { sql: SQL, id });
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="top-3-au-5-feb.csv"');
    expect((await response.text()).split('\n')[1]).toBe('1,Stick Season');
  });
});
