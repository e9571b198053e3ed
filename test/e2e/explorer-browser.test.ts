// The explorer in a real browser (Debian's Chromium through playwright-core), on a lake the pipeline made from real
// charts (the 13 AU days of February 2024, two demo days, a chart with a song called <script>): the journeys a user
// takes, an accessibility scan of each page (axe-core, no serious or critical violations), and a screenshot of each
// page kept under test-artifacts/explorer/. The journeys share one server and its accounts and run in order: the
// first sign-up (ana) is the editor, ben signs up later as a viewer.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { liveSearchIndex } from '#functions/explorer/search-load.js';
import { ARTIFACTS, launchChromium, serveExplorer, type ServedExplorer } from '../helpers/browser.js';
import {
  checkPage,
  drawnPlot,
  expectAccessible,
  figure,
  navLinks,
  newUser,
  resultRows,
  shiftDay,
  signIn,
  signUp,
  typeSql,
} from '../helpers/browser-journeys.js';
import { GOOD_PASSWORD } from '../helpers/explorer.js';
import {
  AU_CHART,
  AU_DAYS,
  DEMO_CHART,
  DEMO_DAYS,
  NZ_CHART,
  SCRIPT_SONG,
  buildPagesLake,
} from '../helpers/pages-lake.js';
import { chartsDir, repoRoot } from '../helpers/paths.js';

const EDITOR = 'ana@example.com';
const VIEWER = 'ben@example.com';
/** A real chart the lake does not hold yet, for the upload. */
const UPLOAD = { file: 'regional-us-daily-2023-01-21.csv', chart: 'regional-us-daily', date: '2023-01-21' };
const DAYS_SQL =
  'SELECT chart_id, count(DISTINCT snapshot_date) AS days FROM song_data GROUP BY chart_id ORDER BY chart_id';
const DAYS_ROWS = [
  [DEMO_CHART, String(DEMO_DAYS.length)],
  [AU_CHART, String(AU_DAYS)],
  [NZ_CHART, '1'],
];
const CHARTS_SQL = 'SELECT count(DISTINCT chart_id) AS charts FROM song_data';
const README_PICTURE = join(repoRoot, 'docs', 'explorer-song.png');

let browser: Browser;
let served: ServedExplorer;
/** The queries ana saves (the write journey) and ben opens (the share journey). */
const saved = { shared: '', private: '' };

beforeAll(async () => {
  const [launched, lake] = await Promise.all([launchChromium(), buildPagesLake()]);
  browser = launched;
  served = await serveExplorer(lake);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  // The upload changed the lake: a rebuild of the search index may still be running.
  if (served) await liveSearchIndex(served.explorer.deps.lake, served.explorer.deps.clock).idle();
  await served?.close();
});

const user = (viewport?: { width: number; height: number }) => newUser(browser, served.url, viewport);
const heading = (page: Page): Promise<string> => page.getByRole('heading', { level: 1 }).innerText();

/** Clicks a link and waits for the page it names to load. */
async function follow(page: Page, link: Locator): Promise<void> {
  const target = new URL((await link.getAttribute('href')) ?? '', page.url()).href;
  await link.click();
  await page.waitForURL(target);
}

/** Types into the search box, waits for the type-ahead to offer `offered`, and submits the box. */
async function search(page: Page, typed: string, offered: string): Promise<void> {
  const box = page.getByLabel('Search songs, artists and albums');
  await box.pressSequentially(typed);
  await page
    .locator(`#q-suggestions option[value="${offered.replace(/"/g, '\\"')}"]`)
    .waitFor({ state: 'attached' });
  await box.press('Enter');
  await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === typed);
}

/** Asserts the page's plot was drawn by uPlot: a canvas of some size with something painted on it. */
async function expectPlotDrawn(page: Page): Promise<number> {
  const plot = await drawnPlot(page);
  expect(plot.width).toBeGreaterThan(200);
  expect(plot.height).toBeGreaterThan(100);
  expect(plot.painted).toBeGreaterThan(1000);
  expect(plot.points).toBeGreaterThan(0);
  return plot.points;
}

/** Inline scripts in the page: none but the JSON data blocks (the CSP would stop one, but none may be there). */
const inlineScripts = (page: Page): Promise<number> =>
  page.locator('script:not([src]):not([type="application/json"])').count();

describe('the explorer in Chromium', () => {
  it('sign up → sign out → wrong password (message) → sign in, every page accessible', async () => {
    const { context, page } = await user();
    await page.goto('/signup');
    await checkPage(page, 'sign-up');
    await page.getByLabel('E-mail').fill(EDITOR);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    // The browser's own check (minlength) keeps a short password from leaving the page.
    expect(new URL(page.url()).pathname).toBe('/signup');
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(`${served.url}/`);
    await checkPage(page, 'home-signed-in');
    expect(await page.textContent('header')).toContain(`${EDITOR} (editor)`);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${served.url}/`);
    expect(await page.textContent('header')).toContain('Sign in');

    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('E-mail').fill(EDITOR);
    await page.getByLabel('Password').fill('this is not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('E-mail or password is wrong.');
    await checkPage(page, 'sign-in-wrong-password');

    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${served.url}/`);
    expect(await page.textContent('header')).toContain(`${EDITOR} (editor)`);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    // The session cookie is out of reach of the page's scripts.
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).toBe('');
    await context.close();
  });

  it('search “beyon” → Beyoncé (artist, plot drawn) → her song (plot = table) → its day → previous, next, picker', async () => {
    const { context, page, dialogs } = await user();
    await page.goto('/');
    await checkPage(page, 'home');
    await search(page, 'beyon', 'Beyoncé');
    const artist = page.locator('#results-artist + ol').getByRole('link', { name: 'Beyoncé', exact: true });
    expect(await artist.getAttribute('href')).toBe('/artist?name=Beyonc%C3%A9');
    const songs = await page.locator('#results-song + ol').getByRole('link').allTextContents();
    expect(songs).toEqual(expect.arrayContaining(["TEXAS HOLD 'EM", '16 CARRIAGES']));
    await checkPage(page, 'search-results');

    await follow(page, artist);
    expect(await heading(page)).toBe('Beyoncé');
    await expectPlotDrawn(page);
    await checkPage(page, 'artist');

    await follow(page, page.getByRole('link', { name: "TEXAS HOLD 'EM" }).first());
    expect(await heading(page)).toBe("TEXAS HOLD 'EM");
    const points = await expectPlotDrawn(page);
    // The table beside the plot (for readers without it) has a row for each point the plot drew.
    const entries = page.locator('details.history tbody tr:not(.gap)');
    expect(await entries.count()).toBe(points);
    await checkPage(page, 'song');

    const day = entries.first().getByRole('link');
    const date = await day.innerText();
    await follow(page, day);
    expect(await heading(page)).toBe(`${AU_CHART}, ${date}`);
    const chart = page.locator('section[aria-labelledby="chart"]');
    expect(await chart.getByRole('link', { name: "TEXAS HOLD 'EM" }).count()).toBe(1);
    await checkPage(page, 'day');
    await follow(page, page.locator('a[rel="prev"]'));
    expect(await heading(page)).toBe(`${AU_CHART}, ${shiftDay(date, -1)}`);
    await follow(page, page.locator('a[rel="next"]'));
    expect(await heading(page)).toBe(`${AU_CHART}, ${date}`);
    await page.getByLabel('Date').fill('2024-02-10');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(`**/day/${AU_CHART}/2024-02-10`);
    expect(await heading(page)).toBe(`${AU_CHART}, 2024-02-10`);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('write: type a query in the editor → run (Ctrl+Enter) → save it shared → reload → still there', async () => {
    const { context, page } = await user();
    await signIn(page, EDITOR);
    await follow(page, page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SQL' }));
    expect(await typeSql(page, DAYS_SQL)).toBe(DAYS_SQL);
    await page.keyboard.press('ControlOrMeta+Enter');
    expect(await resultRows(page, DAYS_ROWS.length)).toEqual(DAYS_ROWS);
    await checkPage(page, 'sql-results');

    await page.getByLabel('Name').fill('Days per chart');
    await page.getByRole('checkbox', { name: /^Shared/ }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/q\/[0-9a-f-]{36}\?saved=1$/);
    expect(await page.locator('p.note').innerText()).toBe('Saved.');
    saved.shared = new URL(page.url()).pathname;
    // The link to share is shown with the query.
    expect(await page.getByRole('link', { name: saved.shared }).getAttribute('href')).toBe(saved.shared);
    await checkPage(page, 'saved-query');

    await page.reload();
    expect(await heading(page)).toBe('Days per chart');
    expect(await page.locator('ul.saved li').allInnerTexts()).toEqual([
      expect.stringMatching(/^Days per chart\s+yours, shared$/),
    ]);
    expect(await page.locator('.cm-content').innerText()).toBe(DAYS_SQL);

    // A second query, private, run with the button this time.
    await page.goto('/sql');
    expect(await typeSql(page, CHARTS_SQL)).toBe(CHARTS_SQL);
    await page.getByRole('button', { name: 'Run' }).click();
    expect(await resultRows(page, 1)).toEqual([['3']]);
    await page.getByLabel('Name').fill('Charts, privately');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/q\/[0-9a-f-]{36}\?saved=1$/);
    saved.private = new URL(page.url()).pathname;
    expect(await page.locator('ul.saved li').allInnerTexts()).toEqual([
      expect.stringMatching(/^Charts, privately\s+yours, private$/),
      expect.stringMatching(/^Days per chart\s+yours, shared$/),
    ]);
    await context.close();
  });

  it('share: another user opens the shared query at its URL and runs it; the private one is 404 for them', async () => {
    expect(saved.shared).not.toBe('');
    const { context, page } = await user();
    await signUp(page, VIEWER);
    expect(await page.textContent('header')).toContain(`${VIEWER} (viewer)`);

    const opened = await page.goto(saved.shared);
    expect(opened?.status()).toBe(200);
    expect(await heading(page)).toBe('Days per chart');
    expect(await page.locator('.cm-content').innerText()).toBe(DAYS_SQL);
    // Not theirs: they may run it and save a copy, not change it.
    expect(await page.locator('fieldset.save legend').innerText()).toBe('Save the query');
    expect(await page.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Run' }).click();
    expect(await resultRows(page, DAYS_ROWS.length)).toEqual(DAYS_ROWS);
    expect(await page.locator('ul.saved li').allInnerTexts()).toEqual([
      expect.stringMatching(/^Days per chart\s+shared$/),
    ]);
    await checkPage(page, 'saved-query-shared');

    const refused = await page.goto(saved.private);
    expect(refused?.status()).toBe(404);
    expect(await page.getByRole('alert').innerText()).toBe(
      'There is no such query, or it is private to someone else.',
    );
    await expectAccessible(page);
    await context.close();
  });

  it('upload: the editor runs a real chart CSV through the file input and sees the summary; a viewer is refused', async () => {
    const lines = (await readFile(join(chartsDir, UPLOAD.file), 'utf8')).trim().split('\n');
    const entries = String(lines.length - 1);
    const editor = await user();
    await signIn(editor.page, EDITOR);
    await follow(editor.page, editor.page.getByRole('link', { name: 'Upload' }));
    await editor.page.getByLabel('Chart CSV').setInputFiles(join(chartsDir, UPLOAD.file));
    await editor.page.getByRole('button', { name: 'Upload and run' }).click();
    const summary = editor.page.locator('#summary-title');
    await summary.filter({ hasText: `${UPLOAD.chart} on ${UPLOAD.date}: complete` }).waitFor();
    expect(await figure(editor.page, 'Chart entries')).toBe(entries);
    expect(await figure(editor.page, 'Song rows written')).toBe(entries);
    expect(await figure(editor.page, 'Lines rejected')).toBe('0');
    await checkPage(editor.page, 'upload-summary');
    // The chart day is in the lake: its query, run from the summary's link, has every entry.
    await follow(editor.page, editor.page.getByRole('link', { name: 'Query this chart day' }));
    await editor.page.getByRole('button', { name: 'Run' }).click();
    const rows = await resultRows(editor.page, Number(entries));
    expect(rows[0]?.slice(0, 2)).toEqual(['1', lines[1]?.split(',')[3]?.replace(/"/g, '')]);
    await editor.context.close();

    const viewer = await user();
    await signIn(viewer.page, VIEWER);
    expect(await navLinks(viewer.page)).toEqual(['Search', 'Day', 'SQL']);
    const refused = await viewer.page.goto('/upload');
    expect(refused?.status()).toBe(403);
    expect(await viewer.page.getByRole('alert').innerText()).toBe('This needs the editor role.');
    expect(await navLinks(viewer.page)).not.toContain('Upload');
    await checkPage(viewer.page, 'upload-refused');
    await viewer.context.close();
  });

  it('a song named <script>alert(1)</script> is text in the type-ahead, the results and its page: no dialog', async () => {
    const { context, page, dialogs } = await user();
    await page.goto('/');
    await search(page, 'alert', SCRIPT_SONG.name);
    const link = page.getByRole('link', { name: SCRIPT_SONG.name, exact: true });
    expect(await link.innerText()).toBe(SCRIPT_SONG.name);
    expect(await inlineScripts(page)).toBe(0);
    await checkPage(page, 'search-script-song');

    await follow(page, link);
    expect(await heading(page)).toBe(SCRIPT_SONG.name);
    expect(await page.title()).toContain(SCRIPT_SONG.name);
    await expectPlotDrawn(page);
    expect(await page.locator('#plot .u-title').innerText()).toContain(SCRIPT_SONG.name);
    expect(await inlineScripts(page)).toBe(0);
    await checkPage(page, 'song-script');
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('keeps a song page at 1280×800 as the README’s picture', async () => {
    const { context, page } = await user({ width: 1280, height: 800 });
    await page.goto('/search?q=you%20belong%20with%20me');
    await follow(page, page.locator('#results-song + ol').getByRole('link').first());
    await expectPlotDrawn(page);
    const path = join(ARTIFACTS, 'readme-song.png');
    await page.screenshot({ path });
    expect((await stat(path)).size).toBeLessThan(300 * 1024);
    // docs/explorer-song.png is committed: made again only when asked (or missing), not by every run.
    const missing = await stat(README_PICTURE).then(
      () => false,
      () => true,
    );
    if (missing || process.env.UPDATE_DOCS === '1') {
      await mkdir(dirname(README_PICTURE), { recursive: true });
      await copyFile(path, README_PICTURE);
    }
    await context.close();
  });
});
